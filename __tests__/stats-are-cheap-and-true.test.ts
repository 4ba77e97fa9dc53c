import { ThreadPool } from '../src';
import { CancellableTasks } from './fixtures/cancellable';
import { CrashingTasks } from './fixtures/crashes';
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
