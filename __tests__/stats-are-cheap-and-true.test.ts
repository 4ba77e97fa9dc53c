import { ThreadPool } from '../src';
import { CancellableTasks } from './fixtures/cancellable';
import { CrashingTasks } from './fixtures/crashes';
import { MathTasks } from '../tasks/math';
import { sharedCounter, untilAtLeast } from './helpers';

describe('pool.stats', () => {
  test('counts threads, idle, queued, running, completed and failed as they change', async () => {
    const pool = new ThreadPool({ threads: 2 });
    expect(pool.stats).toMatchObject({ threads: 2, idle: 2, queued: 0, running: 0, completed: 0, failed: 0 });
    const gate = sharedCounter();
    const holds = [pool.spawn(CancellableTasks).holdUntil(gate), pool.spawn(CancellableTasks).holdUntil(gate)];
    const queued = [1, 2, 3].map((n) => pool.spawn(CancellableTasks).quick(n));
    await untilAtLeast(gate, 1, 2);
    expect(pool.stats).toMatchObject({ idle: 0, queued: 3, running: 2 });
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    await Promise.all([...holds, ...queued]);
    await pool.spawn(CrashingTasks).uncloneableResult().catch(() => undefined);
    const stats = pool.stats;
    expect(stats).toMatchObject({ idle: 2, queued: 0, running: 0, completed: 5, failed: 1 });
    expect(stats.utilization).toBeGreaterThan(0);
    expect(stats.utilization).toBeLessThanOrEqual(1);
    expect(stats.runTime.p50).toBeGreaterThan(0);
    expect(stats.runTime.max).toBeGreaterThanOrEqual(stats.runTime.p99);
    expect(stats.runTime.p99).toBeGreaterThanOrEqual(stats.runTime.p90);
    expect(stats.runTime.p90).toBeGreaterThanOrEqual(stats.runTime.p50);
    // The queued calls waited for the held threads.
    expect(stats.waitTime.max).toBeGreaterThan(0);
    await pool.close();
  });

  test('a backlog sent in batches: every call has its own run time, not its wait behind the batch', async () => {
    const pool = new ThreadPool({ threads: 1 });
    // 31 calls of 10 ms on one thread: one goes out alone, the other 30 in batches.
    const results = await Promise.all(Array.from({ length: 31 }, (_, i) => pool.spawn(MathTasks).sleepAdd(i, 1, 10)));
    expect(results[30]).toBe(31);
    const stats = pool.stats;
    expect(stats.messages).toBeLessThan(31);
    // Counted from the batch's dispatch, the median would be ~150 ms and the busy time ~4.6 s.
    expect(stats.runTime.p50).toBeGreaterThanOrEqual(8);
    expect(stats.runTime.p50).toBeLessThan(60);
    expect(stats.utilization).toBeLessThan(1);
    expect(stats.waitTime.max).toBeGreaterThan(100);
    await pool.close();
  });

  test('reading stats is cheap: 100,000 reads well under a second', async () => {
    const pool = new ThreadPool({ threads: 1 });
    await Promise.all(Array.from({ length: 2000 }, (_, i) => pool.spawn(CancellableTasks).quick(i)));
    const started = performance.now();
    let sum = 0;
    for (let i = 0; i < 100_000; i++) sum += pool.stats.completed;
    expect(sum).toBe(2000 * 100_000);
    expect(performance.now() - started).toBeLessThan(1000);
    await pool.close();
  });
});
