import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, ThreadPool } from '../src';
import { CrashingTasks } from './fixtures/crashes';
import { expectCode, rejectionOf } from './helpers';

const echo = CrashingTasks.echo;

describe('bad input gets a coded error at the call site and affects nothing else', () => {
  const pool = new ThreadPool({ threads: 1 });
  afterAll(() => pool.close());

  test.each([
    ['a function', () => 1, 'it is a function'],
    ['a symbol', Symbol('s'), 'a symbol'],
    ['a nested function', { deep: [1, { cb: () => 2 }] }, 'deep[1].cb'],
    ['a promise', Promise.resolve(1), 'Promise'],
    ['a WeakMap', new WeakMap(), 'WeakMap'],
    ['a function inside a Map', new Map([['k', () => 3]]), 'get(k)'],
  ])('an argument holding %s: ERR_UNCLONEABLE naming where', async (_label, value, where) => {
    const error = await rejectionOf(pool.spawn(echo, value));
    expectCode(error, 'ERR_UNCLONEABLE');
    expect((error as Error).message).toContain('Argument 0 of CrashingTasks.echo');
    expect((error as Error).message).toContain(where);
    expectCode(await rejectionOf(spawn(echo, value)), 'ERR_UNCLONEABLE');
  });

  test('cloneable data passes: structured clone semantics', async () => {
    const value = { n: 1, big: 2n, date: new Date(0), map: new Map([[1, new Set([2])]]), bytes: new Uint8Array([1, 2]), re: /x/g };
    expect(await pool.spawn(echo, value)).toEqual(value);
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    const copy = await pool.spawn(echo, new Point(1, 2));
    expect(copy).toEqual({ x: 1, y: 2 });
    expect(copy).not.toBeInstanceOf(Point); // class instances arrive as plain objects
  });

  test('an uncloneable result rejects with ERR_UNCLONEABLE naming the task; the thread goes on', async () => {
    for (const call of [pool.spawn(CrashingTasks).uncloneableResult(), pool.spawn(CrashingTasks).symbolResult()]) {
      const error = await rejectionOf(call);
      expectCode(error, 'ERR_UNCLONEABLE');
      expect((error as Error).message).toContain('CrashingTasks.');
    }
    expect(await pool.spawn(CrashingTasks).ok(5)).toBe(5);
    expectCode(await rejectionOf(spawn(CrashingTasks).uncloneableResult()), 'ERR_UNCLONEABLE');
  });

  test('a task module missing on disk when the thread loads it: ERR_MODULE_LOAD_FAILED with the cause', async () => {
    // A copy of a task module, loaded here, then deleted before any thread loads it.
    const source = path.join(__dirname, 'fixtures', 'modules', 'b.ts');
    const copy = path.join(__dirname, 'fixtures', 'modules', `gone-${String(process.pid)}.ts`);
    fs.writeFileSync(copy, fs.readFileSync(source, 'utf8').replace('class ModuleB', 'class GoneTasks').replace("'b'", "'gone'"));
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { GoneTasks } = require(copy) as { GoneTasks: { hello(): string } };
      fs.rmSync(copy);
      const error = await rejectionOf(pool.spawn(GoneTasks.hello));
      expectCode(error, 'ERR_MODULE_LOAD_FAILED');
      expect((error as Error).cause).toBeDefined();
      expect(await pool.spawn(CrashingTasks).ok(6)).toBe(6);
    } finally {
      fs.rmSync(copy, { force: true });
    }
  });
});
