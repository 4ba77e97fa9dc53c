import { task, ThreadPool } from '../src';
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

  test('@task compiled with standard (TC39) decorators: says to enable experimentalDecorators', () => {
    const standardContext = { kind: 'method', name: 'run', static: true, private: false };
    const error = thrownBy(() => { (task as unknown as (v: unknown, c: unknown) => void)(() => 1, standardContext); });
    expectCode(error, 'ERR_INVALID_TASK');
    expect((error as Error).message).toContain('experimentalDecorators');
  });
});
