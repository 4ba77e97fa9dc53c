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
    // 63 calls of 10 ms on one thread: one goes out alone, the other 62 in batches of 31, 16, 8, 4, 2 and 1.
    const results = await Promise.all(Array.from({ length: 63 }, (_, i) => pool.spawn(MathTasks).sleepAdd(i, 1, 10)));
    expect(results[62]).toBe(63);
    const stats = pool.stats;
    expect(stats.messages).toBe(7);
    // One thread runs one call at a time, so the calls' run times, each counted from when the call
    // before it settled, add up to less than the time since the pool started, however the threads
    // were scheduled. Counted from the batch's dispatch instead, they would add up to about 7 s
    // (a batch's k-th call would count the k - 1 before it), past the ~0.7 s the calls take.
    expect(stats.utilization).toBeLessThan(1);
    // The last call waited for the 62 before it, each at least 10 ms.
    expect(stats.waitTime.max).toBeGreaterThan(500);
    await pool.close();
  });

  test('reading stats is cheap: 100,000 reads take well under a second of CPU time', async () => {
    const pool = new ThreadPool({ threads: 1 });
    await Promise.all(Array.from({ length: 2000 }, (_, i) => pool.spawn(CancellableTasks).quick(i)));
    // CPU time, not wall-clock time: time this process spent descheduled on a busy machine does not count.
    const before = process.cpuUsage();
    let sum = 0;
    for (let i = 0; i < 100_000; i++) sum += pool.stats.completed;
    const used = process.cpuUsage(before);
    expect(sum).toBe(2000 * 100_000);
    expect((used.user + used.system) / 1000).toBeLessThan(1000);
    await pool.close();
  });
});
