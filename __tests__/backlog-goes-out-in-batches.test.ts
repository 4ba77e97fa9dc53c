import { ThreadPool } from '../src';
import { CancellableTasks } from './fixtures/cancellable';
import { BusyTasks, CountedTasks } from './fixtures/crashes';
import { expectCode, rejectionOf, sharedCounter } from './helpers';
import { holdThread } from './helpers-pool';

/**
 * A backlog is sent to a thread several calls per message. Batching must change nothing a caller
 * can see: order, per-call results and errors, and exactly-once runs even when a thread dies mid-batch.
 */
describe('a backlog sent in batches', () => {
  async function heldPool(): Promise<{ pool: ThreadPool; release: () => Promise<number> }> {
    const pool = new ThreadPool({ threads: 1 });
    const { held, release } = await holdThread(pool);
    return {
      pool,
      release: () => {
        release();
        return held;
      },
    };
  }

  test('a call on an idle pool goes out alone at once', async () => {
    const pool = new ThreadPool({ threads: 2 });
    for (let i = 0; i < 5; i++) expect(await pool.spawn(CancellableTasks).quick(i)).toBe(i);
    expect(pool.stats.messages).toBe(5);
    await pool.close();
  });

  test('a backlog is spread over every thread, not handed to the first one that frees up', async () => {
    const pool = new ThreadPool({ threads: 2 });
    const threads = await Promise.all(Array.from({ length: 40 }, () => pool.spawn(BusyTasks).busyFor(5)));
    const counts = [...new Set(threads)].map((id) => threads.filter((t) => t === id).length);
    expect(counts).toHaveLength(2);
    // Both threads did a fair share (an even split is 20 each).
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(10);
    await pool.close();
  });

  test('keeps per-call results and errors, in order', async () => {
    const { pool, release } = await heldPool();
    const ran = sharedCounter();
    const calls = Array.from({ length: 200 }, (_, i) =>
      i % 10 === 5 ? pool.spawn(CancellableTasks.quick as unknown as (n: unknown) => number, () => 1) : pool.spawn(CountedTasks).counted(ran, i),
    );
    await release();
    const outcomes = await Promise.allSettled(calls);
    outcomes.forEach((o, i) => {
      if (i % 10 === 5) expectCode((o as PromiseRejectedResult).reason, 'ERR_UNCLONEABLE');
      else expect(o).toEqual({ status: 'fulfilled', value: i });
    });
    expect(Atomics.load(ran, 0)).toBe(180);
    // The 180 cloneable calls (refused ones never reach a thread) went out in a handful of messages.
    expect(pool.stats.completed).toBe(181);
    expect(pool.stats.messages).toBeLessThan(20);
    await pool.close();
  });

  test('a thread dying mid-batch: earlier results arrive, the crashing call fails, later calls run exactly once', async () => {
    const { pool, release } = await heldPool();
    const ran = sharedCounter();
    const before = Array.from({ length: 5 }, (_, i) => pool.spawn(CountedTasks).counted(ran, i));
    const crash = pool.spawn(CountedTasks).countedExit(ran);
    const after = Array.from({ length: 5 }, (_, i) => pool.spawn(CountedTasks).counted(ran, 10 + i));
    expect(pool.queueSize).toBe(11);
    await release();
    expect(await Promise.all(before)).toEqual([0, 1, 2, 3, 4]);
    expectCode(await rejectionOf(crash), 'ERR_WORKER_EXITED');
    expect(await Promise.all(after)).toEqual([10, 11, 12, 13, 14]);
    // Eleven calls, eleven runs: nothing ran twice, nothing was dropped.
    expect(Atomics.load(ran, 0)).toBe(11);
    await pool.close();
  });
});
