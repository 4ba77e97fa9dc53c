import { ThreadPool, type PoolStats, type ThreadPoolOptions } from '../src';
import { DISPOSED, DISPOSES, ElasticContext, ElasticTasks, HOLD_DISPOSE, INITS, type Where } from './fixtures/elastic';
import { expectCode, rejectionOf, sharedCounter, thrownBy, untilAtLeast, watchWorkerExits } from './helpers';

/** Polls the pool's stats until `ready` holds; the deadline only bounds a failure (never a timing assert). */
async function until(pool: ThreadPool<ElasticContext>, ready: (stats: PoolStats) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!ready(pool.stats)) {
    if (Date.now() > deadline) throw new Error(`stats never reached: ${what} (last: ${JSON.stringify(pool.stats)})`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** `promise`, or a rejection after a generous deadline: a failure bound only, so that a failing test does not hang. */
async function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`never settled: ${what}`));
    }, 30_000);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function open(gates: Int32Array, index: number): void {
  Atomics.store(gates, index, 1);
  Atomics.notify(gates, index);
}

function disposedThreads(shared: Int32Array): number[] {
  return Array.from({ length: Atomics.load(shared, DISPOSES) }, (_, i) => Atomics.load(shared, DISPOSED + i));
}

function elastic(shared: Int32Array, threads: { min: number; max: number; idleTimeout: number }): ThreadPool<ElasticContext> {
  return new ThreadPool({ context: ElasticContext, contextArgs: [shared], threads });
}

/** Opens every gate (in `finally`: a failed test must not leave calls, and so close(), hanging). */
function openAll(gates: Int32Array): void {
  for (let i = 0; i < gates.length; i++) open(gates, i);
}

/** Loads the pool with one gated call per gate until it has `max` threads all busy; returns the calls. */
async function loadToMax(pool: ThreadPool<ElasticContext>, max: number, gates: Int32Array): Promise<{ results: Promise<Where>[] }> {
  const calls = gates.length;
  const results = Array.from({ length: calls }, (_, i) => pool.spawn(ElasticTasks).gated(gates, i));
  await until(pool, (stats) => stats.threads === max && stats.idle === 0, `${String(max)} threads, all busy`);
  return { results };
}

describe('elastic threads: { min, max, idleTimeout }', () => {
  test('grows to max while calls wait, one thread at a time, and not beyond; a new thread takes calls once its init() is done', async () => {
    const shared = sharedCounter(64);
    const pool = elastic(shared, { min: 1, max: 3, idleTimeout: 2 ** 31 - 1 });
    const gates = sharedCounter(12);
    try {
      expect(pool.threads).toBe(1);
      const { results } = await loadToMax(pool, 3, gates);
      expect(pool.stats).toMatchObject({ threads: 3, started: 2, reaped: 0, idle: 0 });
      openAll(gates);
      const seen = await Promise.all(results);
      // Every call ran on a context whose init() had finished.
      expect(seen.every((one) => one.built)).toBe(true);
      const threads = new Set(seen.map((one) => one.thread));
      expect(threads.size).toBeLessThanOrEqual(3);
      expect(threads.size).toBeGreaterThan(1);
      expect(pool.stats).toMatchObject({ threads: 3, started: 2, reaped: 0, completed: 12 });
      expect(Atomics.load(shared, INITS)).toBe(3);
    } finally {
      openAll(gates);
      await pool.close();
    }
    expect(Atomics.load(shared, DISPOSES)).toBe(3);
  });

  test('shrinks to min once idle: each thread above min disposes its context once and ends; its keys move to a live thread', async () => {
    const shared = sharedCounter(64);
    const pool = elastic(shared, { min: 1, max: 3, idleTimeout: 30 });
    const gates = sharedCounter(9);
    try {
      const { results } = await loadToMax(pool, 3, gates);
      openAll(gates);
      const seen = new Set((await Promise.all(results)).map((one) => one.thread));
      // Keys given out while three threads live (some to threads about to be reaped), one call at a
      // time: calls at once would wait for their keys' threads, and should a thread be reaped first
      // (30 ms idle while the others finish: a matter of scheduling), those waiting calls would
      // make the pool grow again (started 3, and never back to reaped 2).
      const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
      for (const key of keys) await pool.with({ key }).spawn(ElasticTasks).where();
      await until(pool, (stats) => stats.reaped === 2 && stats.threads === 1, 'reaped back to min');
      expect(pool.stats).toMatchObject({ threads: 1, started: 2, reaped: 2 });
      const reaped = disposedThreads(shared);
      expect(reaped).toHaveLength(2);
      expect(new Set(reaped).size).toBe(2);
      for (const thread of reaped) expect(seen.has(thread)).toBe(true);
      // The same keys, one call at a time (no backlog, so no growth): all on the one live thread.
      const live = new Set<number>();
      for (const key of keys) live.add((await pool.with({ key }).spawn(ElasticTasks).where()).thread);
      expect(live.size).toBe(1);
      for (const thread of reaped) expect(live.has(thread)).toBe(false);
      expect(pool.stats).toMatchObject({ threads: 1, started: 2 });
    } finally {
      openAll(gates);
      await pool.close();
    }
    // close() disposed the last one: three disposals, one per thread, on three threads.
    expect(new Set(disposedThreads(shared)).size).toBe(3);
    expect(Atomics.load(shared, DISPOSES)).toBe(3);
  });

  test('calls arriving while threads are being reaped all run once, on other or new threads; close() waits for the reaps', async () => {
    const shared = sharedCounter(64);
    const pool = elastic(shared, { min: 1, max: 3, idleTimeout: 30 });
    const gates = sharedCounter(9);
    const more = sharedCounter(4);
    try {
      // Hold every dispose(): a reap stays under way until it is let go.
      Atomics.store(shared, HOLD_DISPOSE, 1);
      const { results } = await loadToMax(pool, 3, gates);
      openAll(gates);
      await Promise.all(results);
      // Both threads above min have stopped taking calls; their disposals wait.
      await until(pool, (stats) => stats.threads === 1 && stats.reaped === 0, 'two reaps under way');
      // Many calls now, some held so that the pool grows again past the reaping threads.
      const held = Array.from({ length: 4 }, (_, i) => pool.spawn(ElasticTasks).gated(more, i));
      const quick = Array.from({ length: 40 }, () => pool.spawn(ElasticTasks).where());
      let settled = 0;
      const counted = [...held, ...quick].map((call) =>
        call.then(
          (value) => {
            settled++;
            return value;
          },
          (error: unknown) => {
            settled++;
            throw error;
          },
        ),
      );
      openAll(more);
      const ran = await Promise.all(counted);
      expect(settled).toBe(44);
      expect(ran.every((one) => one.built)).toBe(true);
      expect(Atomics.load(shared, DISPOSES)).toBe(0);
      // Let the reaps finish, then close while any others started since may be under way.
      Atomics.store(shared, HOLD_DISPOSE, 0);
      Atomics.notify(shared, HOLD_DISPOSE);
      await untilAtLeast(shared, DISPOSES, 2);
      const reapedThreads = disposedThreads(shared);
      for (const one of ran) expect(reapedThreads.slice(0, 2)).not.toContain(one.thread);
    } finally {
      openAll(more);
      Atomics.store(shared, HOLD_DISPOSE, 0);
      Atomics.notify(shared, HOLD_DISPOSE);
      await pool.close();
    }
    // close() resolved only once every reap had ended: each started thread counted as reaped or
    // disposed by close, and each context disposed once.
    const stats = pool.stats;
    const disposed = disposedThreads(shared);
    expect(new Set(disposed).size).toBe(disposed.length);
    expect(disposed).toHaveLength(1 + stats.started);
    expect(stats.reaped).toBeGreaterThanOrEqual(2);
  });

  test('close() resolves only after a reap under way has ended', async () => {
    const shared = sharedCounter(64);
    const pool = elastic(shared, { min: 1, max: 2, idleTimeout: 30 });
    const gates = sharedCounter(4);
    Atomics.store(shared, HOLD_DISPOSE, 1);
    try {
      const { results } = await loadToMax(pool, 2, gates);
      openAll(gates);
      await Promise.all(results);
      await until(pool, (stats) => stats.threads === 1 && stats.reaped === 0, 'a reap under way');
    } finally {
      openAll(gates);
      const closing = pool.close();
      Atomics.store(shared, HOLD_DISPOSE, 0);
      Atomics.notify(shared, HOLD_DISPOSE);
      await closing;
    }
    // The reap's thread has ended (its Piscina destroyed) by the time close() resolves.
    expect(pool.stats).toMatchObject({ started: 1, reaped: 1 });
    expect(Atomics.load(shared, DISPOSES)).toBe(2);
  });

  test('close() resolves only after every thread it started has exited, the grown ones (each its own Piscina) included', async () => {
    const watch = watchWorkerExits();
    try {
      const shared = sharedCounter(64);
      const pool = elastic(shared, { min: 1, max: 3, idleTimeout: 2 ** 31 - 1 });
      const gates = sharedCounter(6);
      try {
        const { results } = await loadToMax(pool, 3, gates);
        openAll(gates);
        await Promise.all(results);
      } finally {
        openAll(gates);
        await pool.close();
      }
      expect(watch.started.size).toBe(3);
      expect([...watch.started].filter((id) => !watch.exited.has(id))).toEqual([]);
      expect(Atomics.load(shared, DISPOSES)).toBe(3);
    } finally {
      watch.stop();
    }
  });

  test('a grown thread that crashes fails only its call; the pool goes on', async () => {
    const shared = sharedCounter(64);
    const pool = elastic(shared, { min: 1, max: 2, idleTimeout: 2 ** 31 - 1 });
    const gates = sharedCounter(1);
    try {
      const held = pool.spawn(ElasticTasks).gated(gates, 0);
      await until(pool, (stats) => stats.running === 1, 'the min thread busy');
      // The min thread is busy: the exit goes to a thread grown for it.
      const crash = rejectionOf(pool.spawn(ElasticTasks).exit(7));
      expectCode(await bounded(crash, 'the exit call, on a grown thread'), 'ERR_WORKER_EXITED');
      expect(pool.stats.started).toBeGreaterThanOrEqual(1);
      const after = await bounded(Promise.all(Array.from({ length: 4 }, () => pool.spawn(ElasticTasks).where())), 'calls after the crash');
      expect(after.every((one) => one.built)).toBe(true);
      open(gates, 0);
      expect((await held).built).toBe(true);
      expect(pool.stats.threads).toBeLessThanOrEqual(2);
      expect(pool.stats.failed).toBe(1);
    } finally {
      openAll(gates);
      await pool.close();
    }
  });

  test('the threads option is validated with ERR_INVALID_OPTION; a number keeps a fixed pool', async () => {
    const bad: unknown[] = [
      { min: 0, max: 2 },
      { min: 1.5, max: 2 },
      { min: 3, max: 2 },
      { min: 1, max: 1025 },
      { min: 1, max: 2, idleTimeout: 0 },
      { min: 1, max: 2, idleTimeout: 1.5 },
      { min: 1, max: 2, idleTimeout: 2 ** 31 },
      { min: 1, max: 2, idleTimeout: '10' },
      { min: 1, max: 2, idle: 10 },
      [1, 2],
      null,
    ];
    for (const threads of bad) {
      expectCode(thrownBy(() => new ThreadPool({ threads } as unknown as ThreadPoolOptions)), 'ERR_INVALID_OPTION');
    }
    const fixed = new ThreadPool({ threads: 2 });
    const inline = ThreadPool.inline({ threads: { min: 1, max: 4, idleTimeout: 10 } } as unknown as Parameters<typeof ThreadPool.inline>[0]);
    try {
      expect(fixed.stats).toMatchObject({ threads: 2, started: 0, reaped: 0 });
      expect(inline.threads).toBe(1);
    } finally {
      await fixed.close();
      await inline.close();
    }
  });
});
