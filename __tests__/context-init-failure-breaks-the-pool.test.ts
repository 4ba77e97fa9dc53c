import { ThreadPool } from '../src';
import { BadConstructor, BadInit, CrashingTasks, ExitingInit, InitFailureTasks } from './fixtures/crashes';
import { HangingInit, HangingTasks } from './fixtures/contexts';
import { expectCode, rejectionOf, sharedCounter } from './helpers';

/**
 * A context that cannot be built makes the pool "broken" (like Python's BrokenThreadPool): every
 * call rejects with ERR_CONTEXT_INIT_FAILED and the original error as cause; threads are not
 * restarted over and over; close() still resolves.
 */
describe('a context that fails to initialise', () => {
  test('a throwing constructor: every call rejects with the cause, no restarts, close() resolves', async () => {
    const shared = sharedCounter();
    const pool = new ThreadPool({ context: BadConstructor, contextArgs: [shared], threads: 2 });
    const calls = Array.from({ length: 30 }, () => rejectionOf(pool.spawn(InitFailureTasks).viaBadConstructor()));
    for (const error of await Promise.all(calls)) {
      expectCode(error, 'ERR_CONTEXT_INIT_FAILED');
      expect((error as Error).cause).toMatchObject({ message: 'cannot connect', code: 'ECONNREFUSED' });
    }
    // Tasks that do not use the context are refused too: the pool as a whole is broken.
    expectCode(await rejectionOf(pool.spawn(CrashingTasks).ok(1)), 'ERR_CONTEXT_INIT_FAILED');
    await pool.close();
    // Each thread tried once; nothing restarted them.
    expect(Atomics.load(shared, 0)).toBeLessThanOrEqual(2);
    expectCode(await rejectionOf(pool.spawn(CrashingTasks).ok(1)), 'ERR_CONTEXT_INIT_FAILED');
  });

  test('an init() that never settles, with contextTimeout: the pool breaks once it passes, close() resolves', async () => {
    const pool = new ThreadPool({ context: HangingInit, threads: 1, contextTimeout: 300 });
    const error = await rejectionOf(pool.spawn(HangingTasks).viaInit());
    expectCode(error, 'ERR_CONTEXT_INIT_FAILED');
    expect((error as Error).message).toContain('within 300 ms');
    expectCode(await rejectionOf(pool.spawn(HangingTasks).viaInit()), 'ERR_CONTEXT_INIT_FAILED');
    await pool.close();
  });

  test('a rejecting init(): the same, with the init error as cause', async () => {
    const shared = sharedCounter();
    const pool = new ThreadPool({ context: BadInit, contextArgs: [shared], threads: 2 });
    const error = await rejectionOf(pool.spawn(InitFailureTasks).viaBadInit());
    expectCode(error, 'ERR_CONTEXT_INIT_FAILED');
    expect((error as Error).cause).toBeInstanceOf(RangeError);
    await pool.close();
    expect(Atomics.load(shared, 0)).toBeLessThanOrEqual(2);
  });

  test('an init() that ends its thread: ERR_CONTEXT_INIT_FAILED, no restart storm', async () => {
    const shared = sharedCounter();
    const pool = new ThreadPool({ context: ExitingInit, contextArgs: [shared], threads: 2 });
    const calls = Array.from({ length: 10 }, () => rejectionOf(pool.spawn(InitFailureTasks).viaExitingInit()));
    for (const error of await Promise.all(calls)) expectCode(error, 'ERR_CONTEXT_INIT_FAILED');
    await pool.close();
    // The two threads, and at most one replacement started before the pool broke.
    expect(Atomics.load(shared, 0)).toBeLessThanOrEqual(3);
  });
});
