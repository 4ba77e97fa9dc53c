import { ThreadPool } from '../src';
import { CrashingTasks, Watched } from './fixtures/crashes';
import { expectCode, rejectionOf, sharedCounter, untilAtLeast } from './helpers';

describe('a task that kills its thread', () => {
  test('process.exit(): ERR_WORKER_EXITED with the exit code; the thread is replaced with a new context', async () => {
    const shared = sharedCounter();
    const pool = new ThreadPool({ context: Watched, contextArgs: [shared], threads: 2 });
    await untilAtLeast(shared, 1, 2); // both contexts are up
    const others = Array.from({ length: 40 }, (_, i) => pool.spawn(CrashingTasks).ok(i));
    const error = await rejectionOf(pool.spawn(CrashingTasks).exit(9));
    expectCode(error, 'ERR_WORKER_EXITED');
    expect((error as { exitCode?: unknown }).exitCode).toBe(9);

    // Every other call completes normally.
    expect(await Promise.all(others)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    // The replacement built (and init()-ed) a new context: three in all.
    await untilAtLeast(shared, 1, 3);
    expect(Atomics.load(shared, 0)).toBe(3);
    await pool.close();
  });

  test('the replacement thread starts from a fresh context', async () => {
    const pool = new ThreadPool({ context: Watched, contextArgs: [sharedCounter()], threads: 1 });
    const first = await pool.spawn(CrashingTasks).where();
    expect((await pool.spawn(CrashingTasks).where()).calls).toBe(2);
    expectCode(await rejectionOf(pool.spawn(CrashingTasks).exit(1)), 'ERR_WORKER_EXITED');
    const next = await pool.spawn(CrashingTasks).where();
    expect(next.threadId).not.toBe(first.threadId);
    expect(next.calls).toBe(1);
    await pool.close();
  });

  test('an uncaught throw from a timer after the task returned: the thread is replaced, later calls work', async () => {
    const shared = sharedCounter();
    const pool = new ThreadPool({ context: Watched, contextArgs: [shared], threads: 1 });
    const first = await pool.spawn(CrashingTasks).where();
    expect(await pool.spawn(CrashingTasks).throwLater('late')).toBe('scheduled');
    await untilAtLeast(shared, 1, 2); // the replacement's context is up
    const next = await pool.spawn(CrashingTasks).where();
    expect(next.threadId).not.toBe(first.threadId);
    expect(next.calls).toBe(1);
    await pool.close();
  });

  test('an uncaught throw while the task runs: ERR_WORKER_EXITED carrying the thrown error', async () => {
    const pool = new ThreadPool({ threads: 1 });
    const error = await rejectionOf(pool.spawn(CrashingTasks).throwWhileRunning('boom'));
    expectCode(error, 'ERR_WORKER_EXITED');
    expect((error as Error).cause).toMatchObject({ message: 'boom' });
    expect(await pool.spawn(CrashingTasks).ok(1)).toBe(1);
    await pool.close();
  });

  test('exceeding resourceLimits: ERR_WORKER_EXITED, cause ERR_WORKER_OUT_OF_MEMORY; the pool goes on', async () => {
    const pool = new ThreadPool({ threads: 1, resourceLimits: { maxOldGenerationSizeMb: 64 } });
    const error = await rejectionOf(pool.spawn(CrashingTasks).exhaustMemory());
    expectCode(error, 'ERR_WORKER_EXITED');
    expect(((error as Error).cause as { code?: unknown }).code).toBe('ERR_WORKER_OUT_OF_MEMORY');
    expect(await pool.spawn(CrashingTasks).ok(2)).toBe(2);
    await pool.close();
  });
});
