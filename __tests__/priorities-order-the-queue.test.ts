import { ThreadPool } from '../src';
import { dispatchProbe } from '../src/main/threads';
import { CancellableTasks } from './fixtures/cancellable';
import { GateTasks } from './fixtures/gates';
import { entries, OrderTasks } from './fixtures/ordering';
import { expectCode, rejectionOf, sharedCounter, thrownBy } from './helpers';
import { holdThread, recorded, recordSends } from './helpers-pool';

/** The indices of `priorities`, highest priority first, in order within one priority (undefined: the default, 0). */
function lineOrder(priorities: readonly (number | undefined)[]): number[] {
  return priorities
    .map((priority, index) => ({ priority: priority ?? 0, index }))
    .sort((a, b) => b.priority - a.priority || a.index - b.index)
    .map((entry) => entry.index);
}

afterEach(() => {
  dispatchProbe.onSend = undefined;
});

describe('with({ priority })', () => {
  test('queued calls leave highest priority first, in the order made within one priority; the default is 0', async () => {
    const pool = new ThreadPool({ threads: 1 });
    try {
      const { held, release } = await holdThread(pool);
      const { sends } = recordSends();
      const plan = [0, 5, -1, 5, undefined, 10, -1, 2.5, 0, -3, 10, undefined];
      const log = sharedCounter(plan.length + 1);
      const calls = plan.map((priority, i) =>
        priority === undefined ? pool.spawn(OrderTasks).record(log, i) : pool.with({ priority }).spawn(OrderTasks).record(log, i),
      );
      expect(pool.queueSize).toBe(plan.length);
      release();
      await held;
      await Promise.all(calls);
      const expected = lineOrder(plan); // [5, 10, 1, 3, 7, 0, 4, 8, 11, 2, 6, 9]
      // Sent in that order (the backlog in batches, each taking calls in line order), and run in it.
      expect(sends.length).toBeGreaterThan(1);
      expect(sends.length).toBeLessThan(plan.length);
      expect(recorded(sends)).toEqual(expected);
      expect(entries(log)).toEqual(expected);
    } finally {
      await pool.close();
    }
  });

  test('a call made while a backlog waits takes its place in line by priority', async () => {
    const pool = new ThreadPool({ threads: 1 });
    try {
      const { held, release } = await holdThread(pool);
      const log = sharedCounter(8);
      const first = [0, 1, 2].map((i) => pool.spawn(OrderTasks).record(log, i));
      const urgent = pool.with({ priority: 1 }).spawn(OrderTasks).record(log, 3);
      const last = pool.with({ priority: -1 }).spawn(OrderTasks).record(log, 4);
      const more = pool.spawn(OrderTasks).record(log, 5);
      release();
      await held;
      await Promise.all([...first, urgent, last, more]);
      expect(entries(log)).toEqual([3, 0, 1, 2, 5, 4]);
    } finally {
      await pool.close();
    }
  });

  test('the inline pool orders its queue by priority too', async () => {
    const pool = ThreadPool.inline();
    try {
      const gates = sharedCounter(1);
      const held = pool.spawn(OrderTasks).opensOn(gates, 0);
      const plan = [0, -1, 7, 0, 7, 3];
      const log = sharedCounter(plan.length + 1);
      const calls = plan.map((priority, i) => pool.with({ priority }).spawn(OrderTasks).record(log, i));
      Atomics.store(gates, 0, 1);
      Atomics.notify(gates, 0);
      await held;
      await Promise.all(calls);
      expect(entries(log)).toEqual(lineOrder(plan));
    } finally {
      await pool.close();
    }
  });

  test('the other parts of a started broadcast go ahead of calls of any priority (their threads are waiting for them)', async () => {
    const pool = new ThreadPool({ threads: 2 });
    const gates = sharedCounter(2);
    const open = (index: number): void => {
      Atomics.store(gates, index, 1);
      Atomics.notify(gates, index);
    };
    try {
      const { sends, untilSends } = recordSends();
      // Both threads held, each by its own gate.
      const holders = [pool.spawn(GateTasks).gated(gates, 0), pool.spawn(GateTasks).gated(gates, 1)];
      await untilSends(2);
      const threadOf = (gate: number): number => sends.find((send) => send.requests[0]?.args[1] === gate)?.thread ?? -1;
      const broadcast = pool.broadcast(CancellableTasks).quick(7);
      expect(pool.queueSize).toBe(2);
      // One thread frees up: it takes the first part and holds it until the other part reaches a thread.
      open(0);
      await untilSends(3);
      expect(sends[2]?.thread).toBe(threadOf(0));
      expect(sends[2]?.requests[0]?.barrier).toBeDefined();
      // A call of high priority comes; then the other thread frees up: it takes the second part first.
      const urgent = pool.with({ priority: 100 }).spawn(CancellableTasks).quick(1);
      open(1);
      await untilSends(4);
      expect(sends[3]?.thread).toBe(threadOf(1));
      expect(sends[3]?.requests[0]?.barrier).toBeDefined();
      expect(await broadcast).toEqual([7, 7]);
      expect(await urgent).toBe(1);
      await Promise.all(holders);
    } finally {
      open(0);
      open(1);
      await pool.close();
    }
  });

  test('a broadcast with a priority: its parts take their place in line by it', async () => {
    const pool = new ThreadPool({ threads: 1 });
    try {
      const { held, release } = await holdThread(pool);
      const { sends } = recordSends();
      const log = sharedCounter(4);
      const before = pool.spawn(OrderTasks).record(log, 0);
      const parts = pool.with({ priority: 1 }).broadcast(OrderTasks).record(log, 1);
      release();
      await held;
      await Promise.all([before, parts]);
      expect(entries(log)).toEqual([1, 0]);
      expect(sends[0]?.requests[0]?.barrier).toBeDefined();
    } finally {
      await pool.close();
    }
  });

  test('aborts and timeouts of prioritised calls: each settles once, the others keep their order', async () => {
    // The timeout counts from when the call is handed to the thread: on a loaded machine it can
    // strike before the thread has taken the call, which the thread then refuses without running it.
    // Then again, on a new pool, with twice the time, until it struck a call that was running (no
    // clock decides the outcome, only how many rounds).
    for (let timeout = 100; ; timeout *= 2) {
      const pool = new ThreadPool({ threads: 1, abortGracePeriod: Infinity });
      try {
        const { held, release } = await holdThread(pool);
        const log = sharedCounter(8);
        const controller = new AbortController();
        const started = sharedCounter(1);
        const a = pool.spawn(OrderTasks).record(log, 0);
        const b = pool.with({ priority: 5 }).spawn(OrderTasks).record(log, 1);
        const aborted = pool.with({ priority: 5, signal: controller.signal }).spawn(OrderTasks).record(log, 2);
        // Highest: runs first, times out, and stops on its signal; the calls behind it then run in order.
        const timedOut = pool.with({ priority: 10, timeout }).spawn(CancellableTasks).untilAborted(started);
        const e = pool.with({ priority: -1 }).spawn(OrderTasks).record(log, 4);
        controller.abort(new Error('not needed'));
        const abortError = await rejectionOf(aborted);
        expect((abortError as Error).name).toBe('AbortError');
        expect(pool.queueSize).toBe(4);
        release();
        await held;
        expectCode(await rejectionOf(timedOut), 'ERR_TASK_TIMEOUT');
        expect(await Promise.all([a, b, e])).toHaveLength(3);
        if (Atomics.load(started, 0) === 0) continue;
        expect(Atomics.load(started, 0)).toBe(1);
        expect(entries(log)).toEqual([1, 0, 4]);
        expect(pool.stats).toMatchObject({ queued: 0, running: 0, completed: 4, failed: 2 });
        break;
      } finally {
        await pool.close();
      }
    }
  });

  test('a thread dying mid-batch: the calls after it run once each, still in priority order', async () => {
    const pool = new ThreadPool({ threads: 1 });
    try {
      const { held, release } = await holdThread(pool);
      const { sends } = recordSends();
      const log = sharedCounter(16);
      const low = [0, 1, 2, 3, 4].map((i) => pool.with({ priority: 1 }).spawn(OrderTasks).record(log, 10 + i));
      const crash = pool.with({ priority: 5 }).spawn(OrderTasks).recordThenExit(log, 99);
      const high = [0, 1].map((i) => pool.with({ priority: 9 }).spawn(OrderTasks).record(log, 20 + i));
      release();
      await held;
      expectCode(await rejectionOf(crash), 'ERR_WORKER_EXITED');
      expect(await Promise.all(high)).toHaveLength(2);
      expect(await Promise.all(low)).toHaveLength(5);
      // The first batch took the two high calls, the crashing one and the first low call, which never
      // started: it ran once, later, still ahead of the other low calls.
      expect(recorded(sends.slice(0, 1))).toEqual([20, 21, 10]);
      expect(sends[0]?.requests[2]?.task).toBe('OrderTasks.recordThenExit');
      expect(entries(log)).toEqual([20, 21, 99, 10, 11, 12, 13, 14]);
    } finally {
      await pool.close();
    }
  });

  test('a priority must be a finite number', async () => {
    const pool = ThreadPool.inline();
    for (const bad of [Number.NaN, Infinity, -Infinity, '1', null, 10n]) {
      expectCode(
        thrownBy(() => pool.with({ priority: bad as number })),
        'ERR_INVALID_OPTION',
      );
    }
    expect(() => pool.with({ priority: -2.5 })).not.toThrow();
    await pool.close();
  });
});
