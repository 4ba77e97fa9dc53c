import { AsyncThreadPoolError, ThreadPool, type ErrorCode } from '../src';
import { CancellableTasks, Gated, GatedTasks, Lives } from './fixtures/cancellable';
import { rejectionOf, sharedCounter, untilAtLeast } from './helpers';

describe('cancellation with a signal', () => {
  test('a queued call that is aborted leaves the queue and rejects with AbortError, cause = reason', async () => {
    const pool = new ThreadPool({ threads: 1 });
    const gate = sharedCounter();
    const holding = pool.spawn(CancellableTasks).holdUntil(gate);
    await untilAtLeast(gate, 1, 1);
    const controller = new AbortController();
    const queued = pool.with({ signal: controller.signal }).spawn(CancellableTasks).quick(1);
    expect(pool.queueSize).toBe(1);
    const reason = new Error('user left');
    controller.abort(reason);
    const error = await rejectionOf(queued);
    expect((error as Error).name).toBe('AbortError');
    expectCode2(error, 'ERR_TASK_ABORTED');
    expect((error as Error).cause).toBe(reason);
    expect(pool.queueSize).toBe(0);
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    await holding;
    expect(pool.stats.completed).toBe(1); // the aborted call never ran
    await pool.close();
  });

  test('a call aborted while the only thread is still starting never runs', async () => {
    const gate = sharedCounter();
    const runs = sharedCounter();
    const pool = new ThreadPool({ threads: 1, context: Gated, contextArgs: [gate] });
    const controller = new AbortController();
    // The pool is idle, so the call goes to the thread at once, and waits there for it to be ready.
    const aborted = pool.with({ signal: controller.signal }).spawn(GatedTasks).count(runs);
    controller.abort(new Error('changed my mind'));
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError', code: 'ERR_TASK_ABORTED' });
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    // One thread runs calls in order: had the aborted call run, this would be the second run.
    expect(await pool.spawn(GatedTasks).count(runs)).toBe(1);
    await pool.close();
  });

  test('an already aborted signal rejects at once, running nothing', async () => {
    const pool = new ThreadPool({ threads: 1 });
    const error = await rejectionOf(pool.with({ signal: AbortSignal.abort('nope') }).spawn(CancellableTasks.quick, 1));
    expect((error as Error).name).toBe('AbortError');
    expect((error as Error).cause).toBe('nope');
    await pool.close();
  });

  test('a running call sees its @TaskSignal() aborted and can stop cooperatively; the thread lives on', async () => {
    // No grace period to beat: with the default 1 s, a thread slow to see the abort on a loaded
    // machine would be ended. A task that did not stop would hold the next call (a hang, a failure).
    const pool = new ThreadPool({ threads: 1, context: Lives, abortGracePeriod: Infinity });
    const before = await pool.spawn(CancellableTasks).whoAmI();
    const started = sharedCounter();
    const controller = new AbortController();
    const running = pool.with({ signal: controller.signal }).spawn(CancellableTasks).untilAborted(started);
    await untilAtLeast(started, 0, 1);
    controller.abort();
    expect((await rejectionOf(running) as Error).name).toBe('AbortError');
    // Same thread, same context: it stopped by itself within the grace period.
    const after = await pool.spawn(CancellableTasks).whoAmI();
    expect(after).toEqual({ threadId: before.threadId, calls: 2 });
    await pool.close();
  });

  test('a running call that ignores the signal: its thread is ended after the grace period and replaced, with a fresh context', async () => {
    const pool = new ThreadPool({ threads: 1, context: Lives, abortGracePeriod: 50 });
    const before = await pool.spawn(CancellableTasks).whoAmI();
    const started = sharedCounter();
    const controller = new AbortController();
    const running = pool.with({ signal: controller.signal }).spawn(CancellableTasks).spinForever(started);
    await untilAtLeast(started, 0, 1);
    controller.abort();
    expect((await rejectionOf(running) as Error).name).toBe('AbortError');
    const after = await pool.spawn(CancellableTasks).whoAmI();
    expect(after.threadId).not.toBe(before.threadId);
    expect(after.calls).toBe(1);
    await pool.close();
  });

  test('a task that takes a signal gets one that never aborts when the call has no signal', async () => {
    const pool = new ThreadPool({ threads: 1 });
    expect(await pool.spawn(CancellableTasks).signalState()).toBe(false);
    await pool.close();
  });
});

describe('timeouts', () => {
  test('a running call past its timeout rejects with ERR_TASK_TIMEOUT; a blocked thread is replaced', async () => {
    const pool = new ThreadPool({ threads: 1, context: Lives, abortGracePeriod: 50 });
    // The timeout counts from when the call is handed to the thread: on a loaded machine it can
    // strike before the thread has taken the call, which the thread then refuses without running it
    // (and lives on). Then again with twice the time, until it struck a task that was spinning (no
    // clock decides the outcome, only how many rounds).
    for (let timeout = 50; ; timeout *= 2) {
      const before = await pool.spawn(CancellableTasks).whoAmI();
      const started = sharedCounter();
      const error = await rejectionOf(pool.with({ timeout }).spawn(CancellableTasks).spinForever(started));
      expectCode2(error, 'ERR_TASK_TIMEOUT');
      const after = await pool.spawn(CancellableTasks).whoAmI();
      if (Atomics.load(started, 0) === 0) continue;
      expect(Atomics.load(started, 1)).toBe(before.threadId);
      expect(after.threadId).not.toBe(before.threadId);
      break;
    }
    await pool.close();
  });

  test('the timeout counts from when the call starts running, not while it is queued', async () => {
    const pool = new ThreadPool({ threads: 1 });
    // Queued for at least twice its timeout (a timer bounds the wait from below only), then run:
    // were the queued time counted, it would time out in every round. A quick call could still
    // outlast its timeout on a stalled machine: then again with twice the time.
    for (let timeout = 50; ; timeout *= 2) {
      const gate = sharedCounter();
      const holding = pool.spawn(CancellableTasks).holdUntil(gate);
      await untilAtLeast(gate, 1, 1);
      const queued = pool
        .with({ timeout })
        .spawn(CancellableTasks)
        .quick(7)
        .then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
      await new Promise((resolve) => setTimeout(resolve, 2 * timeout));
      expect(pool.queueSize).toBe(1);
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
      await holding;
      const outcome = await queued;
      if ('error' in outcome && AsyncThreadPoolError.is(outcome.error, 'ERR_TASK_TIMEOUT')) continue;
      expect(outcome).toEqual({ value: 7 });
      break;
    }
    await pool.close();
  });

  test('a cooperative task stops when its timeout aborts its signal', async () => {
    const pool = new ThreadPool({ threads: 1 });
    const error = await rejectionOf(pool.with({ timeout: 30 }).spawn(CancellableTasks).untilAborted(sharedCounter()));
    expectCode2(error, 'ERR_TASK_TIMEOUT');
    expect(await pool.spawn(CancellableTasks).quick(3)).toBe(3);
    await pool.close();
  });

  test('bad call options are refused at once', () => {
    const pool = new ThreadPool({ threads: 1 });
    for (const options of [{ timeout: 0 }, { timeout: -1 }, { timeout: Number.NaN }, { signal: {} }, { sigal: 1 }]) {
      expect(() => pool.with(options as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }) as Error);
    }
    return pool.close();
  });
});

describe('nothing is lost when aborts and timeouts happen under load', () => {
  test('500 calls, a third aborted at random points, some timing out: every call settles once', async () => {
    const pool = new ThreadPool({ threads: 2, abortGracePeriod: 20 });
    let settled = 0;
    const calls: Promise<unknown>[] = [];
    const controllers: AbortController[] = [];
    for (let i = 0; i < 500; i++) {
      const controller = new AbortController();
      controllers.push(controller);
      const view = pool.with(i % 7 === 0 ? { timeout: 1 } : { signal: controller.signal });
      // Every 30th call runs until aborted: all of them are (a multiple of 3, or a timeout).
      const call = i % 30 === 0 ? view.spawn(CancellableTasks).untilAborted(sharedCounter()) : view.spawn(CancellableTasks).quick(i);
      calls.push(call.finally(() => settled++));
    }
    controllers.forEach((c, i) => {
      if (i % 3 === 0) c.abort();
    });
    const outcomes = await Promise.allSettled(calls);
    expect(settled).toBe(500);
    for (const [i, o] of outcomes.entries()) {
      if (o.status === 'fulfilled') expect(o.value).toBe(i);
      else expect(['ERR_TASK_ABORTED', 'ERR_TASK_TIMEOUT']).toContain((o.reason as { code: string }).code);
    }
    expect(await pool.spawn(CancellableTasks).quick(1)).toBe(1);
    await pool.close();
  });
});

/** A library error with that code; aborts are named AbortError, so the name is not checked. */
function expectCode2(error: unknown, code: ErrorCode): void {
  expect(AsyncThreadPoolError.is(error, code)).toBe(true);
}
