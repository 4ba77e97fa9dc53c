import * as path from 'node:path';
import { AsyncThreadPoolError, ThreadPool } from '../src';
import type * as Library from '../src';
import { ModuleA } from './fixtures/modules/a';
import { ModuleB } from './fixtures/modules/b';
import { ContextTasks, Tally } from './fixtures/contexts';
import { Counter, MathTasks } from '../tasks/math';

describe('workers load what the calls name, nothing more', () => {
  test('a thread loads only the modules of the tasks it ran', async () => {
    expect(ModuleB.hello()).toBe('b'); // loaded on the main thread, never asked for on the pool
    const pool = new ThreadPool({ threads: 1 });
    expect(await pool.spawn(ModuleA).loadedFixtures()).toEqual(['modules/a.ts']);
    expect(await pool.spawn(ModuleB).hello()).toBe('b');
    expect(await pool.spawn(ModuleA).loadedFixtures()).toEqual(['modules/a.ts', 'modules/b.ts']);
    await pool.close();
  });

  test("a pool with a context loads the context's module before any task", async () => {
    const pool = new ThreadPool({ threads: 1, context: Tally });
    expect(await pool.spawn(ModuleA).loadedFixtures()).toEqual(['contexts.ts', 'modules/a.ts']);
    expect((await pool.spawn(ContextTasks).tally()).calls).toBe(1);
    await pool.close();
  });
});

describe('two copies of the library in one process share one manifest', () => {
  // The built package, loaded beside the sources ts-jest compiles (as when a project's tests import
  // the sources while a dependency imports the package).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dist = require(path.join(__dirname, '..', 'dist')) as typeof Library;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { JsTasks } = require('./fixtures/js-tasks.cjs') as { JsTasks: { mul(a: number, b: number): number } };

  test('a pool from the sources runs a task registered through the built package', async () => {
    const pool = new ThreadPool({ threads: 1 });
    expect(await pool.spawn(JsTasks.mul, 6, 7)).toBe(42);
    await pool.close();
  });

  test('a pool from the built package runs tasks registered through the sources, with their context', async () => {
    const pool = new dist.ThreadPool({ threads: 1, context: Counter });
    expect(await pool.spawn(MathTasks).add(1, 2)).toBe(3);
    expect(await pool.spawn(MathTasks).incr(2)).toBe(2);
    await pool.close();
  });

  test("errors from either copy pass the other's brand check", async () => {
    const pool = new dist.ThreadPool({ threads: 1 });
    await pool.close();
    const error = await pool.spawn(MathTasks).add(1, 2).catch((e: unknown) => e);
    expect(AsyncThreadPoolError.is(error, 'ERR_POOL_CLOSED')).toBe(true);
  });
});
