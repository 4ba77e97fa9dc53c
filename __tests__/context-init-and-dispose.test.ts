import { ThreadPool } from '../src';
import { AsyncDisposable, ContextTasks, Disposable, HangingDispose, HangingTasks, SlowInit } from './fixtures/contexts';
import { expectCode, rejectionOf, sharedCounter } from './helpers';

describe('context lifecycle', () => {
  test('a thread awaits its context init() before taking tasks', async () => {
    const pool = new ThreadPool({ context: SlowInit, threads: 2 });
    const ready = await Promise.all(Array.from({ length: 8 }, () => pool.spawn(ContextTasks).isReady()));
    expect(ready).toEqual(Array.from({ length: 8 }, () => true));
    await pool.close();
  });

  test('close() calls dispose() on every thread context', async () => {
    const shared = sharedCounter();
    const pool = new ThreadPool({ context: Disposable, contextArgs: [shared], threads: 3 });
    expect(await pool.spawn(ContextTasks).touch()).toBe(true);
    expect(Atomics.load(shared, 0)).toBe(0);
    await pool.close();
    expect(Atomics.load(shared, 0)).toBe(3);
  });

  test('close() awaits [Symbol.asyncDispose]() on every thread context, even threads that ran nothing', async () => {
    const shared = sharedCounter();
    const pool = new ThreadPool({ context: AsyncDisposable, contextArgs: [shared], threads: 2 });
    await pool.close();
    expect(Atomics.load(shared, 1)).toBe(2);
  });

  test('a dispose() that never settles, with contextTimeout: close() ends the threads anyway and rejects', async () => {
    const pool = new ThreadPool({ context: HangingDispose, threads: 2, contextTimeout: 300 });
    expect(await pool.spawn(HangingTasks).viaDispose()).toBe(2);
    const error = await rejectionOf(pool.close());
    expectCode(error, 'ERR_CONTEXT_DISPOSE_FAILED');
    expect((error as Error).cause).toBeInstanceOf(AggregateError);
    expect(((error as Error).cause as AggregateError).errors.map((e: Error) => e.message)).toEqual([
      'dispose() did not finish within contextTimeout (300 ms)',
      'dispose() did not finish within contextTimeout (300 ms)',
    ]);
    expectCode(await rejectionOf(pool.spawn(HangingTasks).viaDispose()), 'ERR_POOL_CLOSED');
  });

  test('destroy() does not dispose contexts', async () => {
    const shared = sharedCounter();
    const pool = new ThreadPool({ context: Disposable, contextArgs: [shared], threads: 2 });
    expect(await pool.spawn(ContextTasks).touch()).toBe(true);
    await pool.destroy();
    expect(Atomics.load(shared, 0)).toBe(0);
  });
});
