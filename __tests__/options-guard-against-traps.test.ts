import { availableParallelism } from 'node:os';
import { task, ThreadPool } from '../src';
import { guardsItsProgram } from '../src/shared/locate';
import { DEFAULT_SPIN_WAIT_US, resolvePoolOptions } from '../src/main/options';
import { runNode } from './helpers-process';
import { CancellableTasks } from './fixtures/cancellable';
import { expectCode, thrownBy } from './helpers';

describe('options and declarations that would misbehave are refused with a clear error', () => {
  test('a context class exported only by the entry module (a thread would re-run the program)', async () => {
    const run = await runNode([require.resolve('./fixtures/context-in-entry.cjs')]);
    const result = JSON.parse(run.stdout) as { code: string; message: string };
    expect(result.code).toBe('ERR_CONTEXT_NOT_FOUND');
    expect(result.message).toContain('entry module');
  });

  test('a task or context class declared in an entry module that runs its program unguarded: refused (a thread would run it again), inline allowed', async () => {
    const run = await runNode(['-r', 'ts-node/register/transpile-only', require.resolve('./fixtures/task-in-entry.ts')]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ pooled: 'ERR_INVALID_TASK', temporary: 'ERR_INVALID_TASK', withContext: 'ERR_CONTEXT_NOT_FOUND', inlined: 8 });
  });

  test.each([
    ['if (require.main === module) main();', true],
    ["if (module === require.main) { run(); }", true],
    ['if (!module.parent) main();', true],
    ['if (require.main?.filename === __filename) main();', true],
    ["import { isMainThread } from 'node:worker_threads';\nif (isMainThread) { main(); } else { work(); }", true],
    ['if (import.meta.main) await main();', true],
    ['if (fileURLToPath(import.meta.url) === process.argv[1]) await main();', true],
    ['if (process.argv[1] === fileURLToPath(import.meta.url)) await main();', true],
    ['if (import.meta.filename === process.argv[1]) await main();', true],
    // Unguarded: a thread loading these would run the program again.
    ['main();', false],
    ["const here = path.dirname(fileURLToPath(import.meta.url));\nawait main(here);", false],
    ['// if (require.main === module)\nmain();', false],
    ['/* if (require.main === module) */ main();', false],
    ["import { isMainThread } from 'node:worker_threads';\nif (!isMainThread) console.log('thread');\nmain();", false],
  ])('entry-module guard detection: %j guards its program: %p', (source, guarded) => {
    expect(guardsItsProgram(source)).toBe(guarded);
  });

  test('timeouts longer than a Node timer can wait (they would fire after 1 ms)', async () => {
    const pool = new ThreadPool({ threads: 1 });
    expect(() => pool.with({ timeout: 2 ** 31 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }) as Error);
    expect(await pool.with({ timeout: 2 ** 31 - 1 }).spawn(CancellableTasks).quick(1)).toBe(1);
    await pool.close();
  });

  test('abortGracePeriod: Infinity (never end the thread) is allowed; past the timer limit is not', async () => {
    expectCode(thrownBy(() => new ThreadPool({ threads: 1, abortGracePeriod: 2 ** 31 })), 'ERR_INVALID_OPTION');
    const pool = new ThreadPool({ threads: 1, abortGracePeriod: Infinity });
    await pool.close();
  });

  test.each([-1, Number.NaN, Infinity, 10_001, '50', null])('spinWait = %p is refused (a thread could busy-wait without end)', (spinWait) => {
    const error = thrownBy(() => new ThreadPool({ threads: 1, spinWait: spinWait as number }));
    expectCode(error, 'ERR_INVALID_OPTION');
    expect((error as Error).message).toMatch(/^Expected `spinWait` to be a number of microseconds from 0 to 10000/);
  });

  test.each([0, -1, Number.NaN, 2 ** 31, '500', null])('contextTimeout = %p is refused', (contextTimeout) => {
    expectCode(thrownBy(() => new ThreadPool({ threads: 1, contextTimeout: contextTimeout as number })), 'ERR_INVALID_OPTION');
  });

  test('spinWait defaults to polling only when every thread can have a core', () => {
    const cores = availableParallelism();
    expect(resolvePoolOptions({ threads: cores }).spinWait).toBe(DEFAULT_SPIN_WAIT_US);
    expect(resolvePoolOptions({ threads: cores + 1 }).spinWait).toBe(0);
    expect(resolvePoolOptions({ threads: cores + 1, spinWait: 20 }).spinWait).toBe(20);
    expect(resolvePoolOptions({ threads: 1, spinWait: 0 }).spinWait).toBe(0);
  });

  test('spinWait 0 (never poll) and the longest, 10 ms, both serve calls', async () => {
    for (const spinWait of [0, 10_000]) {
      const pool = new ThreadPool({ threads: 2, spinWait });
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.spawn(CancellableTasks).quick(i)));
      expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
      for (let i = 0; i < 20; i++) expect(await pool.spawn(CancellableTasks).quick(i)).toBe(i);
      await pool.close();
    }
  });

  test('@task compiled with standard (TC39) decorators: says to enable experimentalDecorators', () => {
    const standardContext = { kind: 'method', name: 'run', static: true, private: false };
    const error = thrownBy(() => { (task as unknown as (v: unknown, c: unknown) => void)(() => 1, standardContext); });
    expectCode(error, 'ERR_INVALID_TASK');
    expect((error as Error).message).toContain('experimentalDecorators');
  });
});
