import { spawn, ThreadPool } from '../src';
import { slotOf } from '../src/main/affinity';
import { dispatchProbe } from '../src/main/threads';
import { CancellableTasks, Gated, GatedTasks } from './fixtures/cancellable';
import { GateTasks } from './fixtures/gates';
import { entries, OrderTasks, TenantCache, TenantTasks } from './fixtures/ordering';
import { expectCode, rejectionOf, sharedCounter, thrownBy } from './helpers';
import { recorded, recordSends } from './helpers-pool';

function opener(gates: Int32Array): (index: number) => void {
  return (index) => {
    Atomics.store(gates, index, 1);
    Atomics.notify(gates, index);
  };
}

afterEach(() => {
  dispatchProbe.onSend = undefined;
});

describe('with({ key })', () => {
  test("calls with one key run on one thread, so a per-thread cache for the key hits; keys spread evenly", async () => {
    const pool = new ThreadPool({ threads: 4, context: TenantCache });
    try {
      const tenants = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'wonka'];
      // No two of these share a slot (else they would share a thread, by design).
      expect(new Set(tenants.map(slotOf)).size).toBe(tenants.length);
      // All at once, interleaved, while the threads are still starting.
      const calls = Array.from({ length: 5 }, () => tenants.map((tenant) => pool.with({ key: tenant }).spawn(TenantTasks).serve(tenant))).flat();
      const results = await Promise.all(calls);
      const threadsOf = new Map<string, Set<number>>();
      results.forEach((result, i) => {
        const tenant = tenants[i % tenants.length] as string;
        threadsOf.set(tenant, (threadsOf.get(tenant) ?? new Set()).add(result.threadId));
      });
      for (const threads of threadsOf.values()) expect(threads.size).toBe(1);
      // Only each tenant's first call missed.
      expect(results.filter((result) => !result.hit)).toHaveLength(tenants.length);
      // Two tenants per thread.
      const perThread = new Map<number, number>();
      for (const threads of threadsOf.values()) for (const thread of threads) perThread.set(thread, (perThread.get(thread) ?? 0) + 1);
      expect([...perThread.values()]).toEqual([2, 2, 2, 2]);
      // Numbers are keys too.
      const a = await pool.with({ key: 7 }).spawn(TenantTasks).serve(7);
      const b = await pool.with({ key: 7 }).spawn(TenantTasks).serve(7);
      expect(b).toEqual({ threadId: a.threadId, hit: true });
    } finally {
      await pool.close();
    }
  });

  test('a call with a key waits for its busy thread; calls without a key go on around it', async () => {
    const pool = new ThreadPool({ threads: 2 });
    const gates = sharedCounter(1);
    const open = opener(gates);
    try {
      const keyed = pool.with({ key: 'k' });
      const log = sharedCounter(8);
      const home = await keyed.spawn(OrderTasks).record(log, 0);
      const { sends, untilSends } = recordSends();
      const holder = keyed.spawn(GateTasks).gated(gates, 0);
      await untilSends(1);
      expect(sends[0]?.thread).toBe(home);
      const waiting = keyed.spawn(OrderTasks).record(log, 1);
      const others = await Promise.all([2, 3, 4].map((i) => pool.spawn(OrderTasks).record(log, i)));
      // The calls without a key ran on the other thread; the keyed one still waits for its own.
      for (const thread of others) expect(thread).not.toBe(home);
      expect(entries(log)).toEqual([0, 2, 3, 4]);
      expect(pool.queueSize).toBe(1);
      expect(recorded(sends)).not.toContain(1);
      open(0);
      expect(await holder).toBe(home);
      expect(await waiting).toBe(home);
    } finally {
      open(0);
      await pool.close();
    }
  });

  test("a thread's own keyed calls and the calls without a key share it in line order: neither starves the other", async () => {
    const pool = new ThreadPool({ threads: 2 });
    const gates = sharedCounter(3);
    const open = opener(gates);
    try {
      const keyed = pool.with({ key: 'a' });
      const log = sharedCounter(16);
      const home = await keyed.spawn(OrderTasks).record(log, 0);
      const { sends, untilSends } = recordSends();
      // Its home held by a keyed call, the other thread by a call without a key.
      const holders = [keyed.spawn(GateTasks).gated(gates, 0), pool.spawn(GateTasks).gated(gates, 1)];
      await untilSends(2);
      expect(sends.map((send) => send.thread === home)).toEqual([true, false]);
      // A keyed call, then a call that holds the other thread again once it frees up: freed, that
      // thread leaves the keyed call waiting for its home and takes the next call.
      const first = keyed.spawn(OrderTasks).record(log, 1);
      holders.push(pool.spawn(GateTasks).gated(gates, 2));
      open(1);
      await untilSends(3);
      expect(sends[2]?.thread).not.toBe(home);
      expect(pool.queueSize).toBe(1);
      // Later calls, one without a key but of higher priority: when the home frees up, it takes its
      // own calls and the others in line order (priority, then order made), not its own first.
      const later = [
        pool.with({ priority: 5 }).spawn(OrderTasks).record(log, 2),
        keyed.spawn(OrderTasks).record(log, 3),
        pool.spawn(OrderTasks).record(log, 4),
        keyed.spawn(OrderTasks).record(log, 5),
      ];
      open(0);
      await Promise.all([first, ...later]);
      expect(sends.slice(3).every((send) => send.thread === home)).toBe(true);
      expect(recorded(sends.slice(3))).toEqual([2, 1, 3, 4, 5]);
      open(2);
      await Promise.all(holders);
    } finally {
      for (const gate of [0, 1, 2]) open(gate);
      await pool.close();
    }
  });

  test('calls with keys made while the threads start wait for them and run once they are ready', async () => {
    const gate = sharedCounter(1);
    const pool = new ThreadPool({ threads: 2, context: Gated, contextArgs: [gate] });
    try {
      const runs = sharedCounter(1);
      const calls = ['a', 'b', 'a', 'b', 'c'].map((key) => pool.with({ key }).spawn(GatedTasks).count(runs));
      expect(pool.queueSize).toBe(5);
      opener(gate)(0);
      expect((await Promise.all(calls)).sort()).toEqual([1, 2, 3, 4, 5]);
    } finally {
      opener(gate)(0);
      await pool.close();
    }
  });

  test("a dead thread's keys move: the calls waiting for it run once each, together on another thread", async () => {
    const pool = new ThreadPool({ threads: 2 });
    const gates = sharedCounter(1);
    const open = opener(gates);
    try {
      const keyed = pool.with({ key: 'k' });
      const log = sharedCounter(16);
      const home = await keyed.spawn(OrderTasks).record(log, 0);
      const { sends, untilSends } = recordSends();
      const crash = keyed.spawn(OrderTasks).exitOn(gates, 0);
      await untilSends(1);
      expect(sends[0]?.thread).toBe(home);
      const waiting = [1, 2, 3, 4].map((i) => keyed.spawn(OrderTasks).record(log, i));
      expect(pool.queueSize).toBe(4);
      open(0);
      expectCode(await rejectionOf(crash), 'ERR_WORKER_EXITED');
      const ranOn = await Promise.all(waiting);
      expect(new Set(ranOn).size).toBe(1);
      expect(ranOn[0]).not.toBe(home);
      expect(entries(log)).toEqual([0, 1, 2, 3, 4]);
      // The key's new home keeps it.
      expect(await keyed.spawn(OrderTasks).record(log, 5)).toBe(ranOn[0]);
    } finally {
      open(0);
      await pool.close();
    }
  });

  test('aborts and timeouts of keyed calls: each settles once; a thread ended for one gives its keys to the others', async () => {
    // The timeout counts from when the call is handed to its thread: on a loaded machine it can
    // strike before the thread has taken the call, which the thread then refuses without running it
    // (and lives on, keeping its keys). Then again, on a new pool, with twice the time, until it
    // struck a call that was spinning (no clock decides the outcome, only how many rounds).
    for (let timeout = 100; ; timeout *= 2) {
      const pool = new ThreadPool({ threads: 2, abortGracePeriod: 50 });
      try {
        const keyed = pool.with({ key: 'k' });
        const log = sharedCounter(16);
        const home = await keyed.spawn(OrderTasks).record(log, 0);
        const started = sharedCounter(2);
        // Ignores its signal: timed out, then its thread is ended after the grace period.
        const stuck = pool.with({ key: 'k', timeout }).spawn(CancellableTasks).spinForever(started);
        const controller = new AbortController();
        const waiting = [
          keyed.spawn(OrderTasks).record(log, 1),
          pool.with({ key: 'k', signal: controller.signal }).spawn(OrderTasks).record(log, 2),
          keyed.spawn(OrderTasks).record(log, 3),
        ];
        controller.abort(new Error('changed my mind'));
        expect((await rejectionOf(waiting[1] as Promise<number>) as Error).name).toBe('AbortError');
        expectCode(await rejectionOf(stuck), 'ERR_TASK_TIMEOUT');
        const ranOn = await Promise.all([waiting[0], waiting[2]]);
        if (Atomics.load(started, 0) === 0) continue;
        expect(Atomics.load(started, 0)).toBe(1);
        expect(Atomics.load(started, 1)).toBe(home);
        expect(ranOn[0]).toBe(ranOn[1]);
        expect(ranOn[0]).not.toBe(home);
        expect(entries(log)).toEqual([0, 1, 3]);
        expect(pool.stats).toMatchObject({ queued: 0, running: 0, completed: 3, failed: 2 });
        break;
      } finally {
        await pool.close();
      }
    }
  });

  test('close() runs the calls waiting for their key’s thread; destroy() rejects them', async () => {
    for (const ending of ['close', 'destroy'] as const) {
      const pool = new ThreadPool({ threads: 2 });
      const gates = sharedCounter(1);
      const keyed = pool.with({ key: 'k' });
      const log = sharedCounter(8);
      await keyed.spawn(OrderTasks).record(log, 0);
      const { untilSends } = recordSends();
      const holder = keyed.spawn(GateTasks).gated(gates, 0);
      await untilSends(1);
      const waiting = [1, 2].map((i) => keyed.spawn(OrderTasks).record(log, i));
      const outcomes = Promise.allSettled([holder, ...waiting]);
      const ended = ending === 'close' ? pool.close() : pool.destroy();
      opener(gates)(0);
      await ended;
      const settled = await outcomes;
      if (ending === 'close') {
        expect(settled.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
        expect(entries(log)).toEqual([0, 1, 2]);
      } else {
        for (const o of settled) expectCode((o as PromiseRejectedResult).reason, 'ERR_POOL_CLOSED');
        expect(entries(log)).toEqual([0]);
      }
      dispatchProbe.onSend = undefined;
    }
  });

  test('the inline pool takes keys (one thread runs them all)', async () => {
    const pool = ThreadPool.inline({ context: TenantCache });
    try {
      const first = await pool.with({ key: 'acme' }).spawn(TenantTasks).serve('acme');
      const again = await pool.with({ key: 'acme' }).spawn(TenantTasks).serve('acme');
      expect([first.hit, again.hit]).toEqual([false, true]);
    } finally {
      await pool.close();
    }
  });

  test('a key is a string or a finite number; broadcast and pool-less spawn refuse one', async () => {
    const pool = new ThreadPool({ threads: 1 });
    try {
      for (const bad of [Number.NaN, Infinity, null, {}, ['a'], true, Symbol('k')]) {
        expectCode(
          thrownBy(() => pool.with({ key: bad as string })),
          'ERR_INVALID_OPTION',
        );
      }
      expectCode(await rejectionOf(pool.with({ key: 'k' }).broadcast(CancellableTasks).quick(1)), 'ERR_INVALID_OPTION');
      expectCode(
        thrownBy(() => spawn.with({ key: 'k' } as never)),
        'ERR_INVALID_OPTION',
      );
      // A priority is taken there and changes nothing: no call waits for a temporary thread.
      expect(await spawn.with({ priority: 3 }).spawn(CancellableTasks).quick(2)).toBe(2);
      expect(await pool.with({ key: '' }).spawn(CancellableTasks).quick(3)).toBe(3);
    } finally {
      await pool.close();
    }
  });
});
