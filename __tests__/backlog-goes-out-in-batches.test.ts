import { ThreadPool } from '../src';
import { dispatchProbe } from '../src/main/threads';
import { GateTasks } from './fixtures/gates';
import { CancellableTasks } from './fixtures/cancellable';
import { CountedTasks } from './fixtures/crashes';
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
    // The dispatch decisions themselves, observed as they are made: which thread each run went to
    // and which calls it carried. Every call holds its thread until the test opens its gate, so the
    // order in which threads free up is the test's, not the OS scheduler's.
    const sends: { thread: number; calls: number[] }[] = [];
    const waiters: (() => void)[] = [];
    dispatchProbe.onSend = (thread, requests) => {
      sends.push({ thread, calls: requests.map((request) => request.args[1] as number) });
      for (const wake of waiters.splice(0)) wake();
    };
    const untilSends = async (count: number): Promise<void> => {
      while (sends.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    };
    const gates = new Int32Array(new SharedArrayBuffer(4 * 40));
    const open = (calls: readonly number[]): void => {
      for (const call of calls) {
        Atomics.store(gates, call, 1);
        Atomics.notify(gates, call);
      }
    };
    const pool = new ThreadPool({ threads: 2 });
    try {
      const results = Array.from({ length: 40 }, (_, i) => pool.spawn(GateTasks).gated(gates, i));
      // The pool was idle: the first two calls go out alone, one to each thread; 38 wait.
      await untilSends(2);
      const [a, b] = sends.map((send) => send.thread) as [number, number];
      expect(a).not.toBe(b);
      // Then the thread that frees up takes the next batch: a share of what waits (enough for every
      // thread to get at least two batches), never all of it. Both threads are freed in turn.
      for (let done = 0; done < sends.length; done++) {
        const finished = sends[done];
        if (finished === undefined) break;
        const before = sends.length;
        open(finished.calls);
        if (sends.flatMap((send) => send.calls).length === 40) continue;
        // Freed, that thread takes the next run; the other thread still holds its own.
        await untilSends(before + 1);
        expect(sends[before]?.thread).toBe(finished.thread);
      }
      const threadOf = (thread: number): string => (thread === a ? 'A' : 'B');
      expect(sends.map((send) => `${threadOf(send.thread)}${String(send.calls.length)}`)).toEqual(
        // A share of what waits, over 2 batches per thread: 38 waiting: ceil(38 / 4) = 10, then 28: 7,
        // 21: 6, 15: 4, 11: 3, 8: 2, 6: 2, then one by one.
        ['A1', 'B1', 'A10', 'B7', 'A6', 'B4', 'A3', 'B2', 'A2', 'B1', 'A1', 'B1', 'A1'],
      );
      // In queue order, each call exactly once, and each ran on the thread its batch went to.
      expect(sends.flatMap((send) => send.calls)).toEqual(Array.from({ length: 40 }, (_, i) => i));
      const ranOn = await Promise.all(results);
      for (const send of sends) for (const call of send.calls) expect(ranOn[call]).toBe(send.thread);
    } finally {
      dispatchProbe.onSend = undefined;
      open(Array.from({ length: 40 }, (_, i) => i));
      await pool.close();
    }
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
