import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe as subscribeTo, tracingChannel, unsubscribe as unsubscribeFrom } from 'node:diagnostics_channel';
import { threadId as callerThreadId } from 'node:worker_threads';
import { AsyncThreadPoolError, CALL_CHANNEL, callChannel, type CallTrace, spawn, ThreadPool } from '../src';
import { dispatchProbe } from '../src/main/threads';
import { CancellableTasks } from './fixtures/cancellable';
import { CountedTasks, CrashingTasks } from './fixtures/crashes';
import { StreamTasks } from './fixtures/streams';
import { TracedTasks } from './fixtures/tracing';
import { expectCode, rejectionOf, sharedCounter, untilAtLeast } from './helpers';
import { holdThread } from './helpers-pool';
import { runNode } from './helpers-process';

type EventName = 'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error';

/** One event as a subscriber saw it: the context object, and its fields that change, as they were then. */
interface Seen {
  readonly event: EventName;
  readonly trace: CallTrace;
  readonly threadId: number | undefined;
  readonly queueWait: number | undefined;
  readonly batched: boolean;
  readonly result: unknown;
  readonly error: unknown;
}

/** Subscribes to every event of the channel, by its name, as any subscriber would. */
function subscribe(): { seen: Seen[]; calls: () => CallTrace[]; eventsOf: (trace: CallTrace) => EventName[]; unsubscribe: () => void } {
  const seen: Seen[] = [];
  const on =
    (event: EventName) =>
    (trace: CallTrace): void => {
      seen.push({ event, trace, threadId: trace.threadId, queueWait: trace.queueWait, batched: trace.batched, result: trace.result, error: trace.error });
    };
  const subscribers = { start: on('start'), end: on('end'), asyncStart: on('asyncStart'), asyncEnd: on('asyncEnd'), error: on('error') };
  const channel = tracingChannel<unknown, CallTrace>('asyncthreadpool:call');
  channel.subscribe(subscribers);
  return {
    seen,
    calls: () => [...new Set(seen.map((one) => one.trace))],
    eventsOf: (trace) => seen.filter((one) => one.trace === trace).map((one) => one.event),
    unsubscribe: () => {
      channel.unsubscribe(subscribers);
    },
  };
}

const SUCCESS: EventName[] = ['start', 'end', 'asyncStart', 'asyncEnd'];
const FAILURE: EventName[] = ['start', 'end', 'error', 'asyncStart', 'asyncEnd'];

/**
 * The only call of task `task` (with arguments `args`) seen so far, with its events: calls of other
 * tasks, such as the call holding a thread, are left out.
 */
function onlyCall(
  sub: ReturnType<typeof subscribe>,
  task: string,
  args?: readonly unknown[],
): { trace: CallTrace; events: EventName[]; at: (event: EventName) => Seen } {
  const calls = sub.calls().filter((trace) => trace.task === task && (args === undefined || JSON.stringify(trace.args) === JSON.stringify(args)));
  expect(calls).toHaveLength(1);
  const trace = calls[0] as CallTrace;
  return {
    trace,
    events: sub.eventsOf(trace),
    at: (event) => sub.seen.find((one) => one.trace === trace && one.event === event) as Seen,
  };
}

describe('the asyncthreadpool:call tracing channel', () => {
  let sub: ReturnType<typeof subscribe>;
  beforeEach(() => {
    sub = subscribe();
  });
  afterEach(() => {
    sub.unsubscribe();
  });

  test('is the exported callChannel, under the exported name', () => {
    expect(CALL_CHANNEL).toBe('asyncthreadpool:call');
    const byName = tracingChannel(CALL_CHANNEL);
    expect(callChannel.start).toBe(byName.start);
    expect(callChannel.asyncEnd).toBe(byName.asyncEnd);
    expect(callChannel.error).toBe(byName.error);
  });

  test('a successful call: start and end at the call, asyncStart and asyncEnd with the result, the thread and the queue wait', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    const thread = await pool.spawn(TracedTasks).where();
    sub.seen.length = 0;

    expect(await pool.spawn(TracedTasks).add(3, 2)).toBe(5);
    const { trace, events, at } = onlyCall(sub, 'TracedTasks.add');
    expect(events).toEqual(SUCCESS);
    expect(trace).toMatchObject({ task: 'TracedTasks.add', args: [3, 2], runner: 'pool', broadcast: false, options: undefined, batched: false, result: 5 });
    expect(trace.module).toMatch(/fixtures[\\/]tracing\.ts$/);
    expect(typeof trace.id).toBe('number');
    expect(typeof trace.pool).toBe('number');
    // At the call, nothing is known yet of where it will run.
    expect(at('start')).toMatchObject({ threadId: undefined, queueWait: undefined, result: undefined });
    // By `end` the call is queued, or already handed to the idle thread: only the outcome is unknown.
    expect(at('end')).toMatchObject({ queueWait: undefined, result: undefined });
    // Settled: where it ran, and how long it waited (a number, never compared with a time).
    expect(at('asyncStart')).toMatchObject({ threadId: thread, result: 5, error: undefined });
    expect(typeof at('asyncStart').queueWait).toBe('number');
    expect(at('asyncStart').queueWait).toBeGreaterThanOrEqual(0);
  });

  test('each call has its own id; the calls of one pool share its pool id, another pool has another', async () => {
    await using a = new ThreadPool({ threads: 1 });
    await using b = new ThreadPool({ threads: 1 });
    await Promise.all([a.spawn(TracedTasks).add(1, 1), a.spawn(TracedTasks.add, 2, 2), b.spawn(TracedTasks).add(3, 3)]);
    const calls = sub.calls();
    expect(calls.map((trace) => trace.args)).toEqual([[1, 1], [2, 2], [3, 3]]);
    expect(new Set(calls.map((trace) => trace.id)).size).toBe(3);
    const [first, second, third] = calls as [CallTrace, CallTrace, CallTrace];
    expect(second.pool).toBe(first.pool);
    expect(third.pool).not.toBe(first.pool);
    for (const trace of calls) expect(sub.eventsOf(trace)).toEqual(SUCCESS);
  });

  test('a task that throws: the error event carries the revived error the caller gets', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    const error = await rejectionOf(pool.spawn(TracedTasks).reject('too big'));
    expect((error as Error).name).toBe('RangeError');
    const { trace, events, at } = onlyCall(sub, 'TracedTasks.reject');
    expect(events).toEqual(FAILURE);
    expect(at('error').error).toBe(error);
    expect(at('asyncEnd').error).toBe(error);
    expect(trace.result).toBeUndefined();
    expect(typeof at('error').threadId).toBe('number');
    expect(typeof at('error').queueWait).toBe('number');
  });

  test('an abort while running: the AbortError, with the thread it ran on', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    const started = sharedCounter();
    const controller = new AbortController();
    const call = pool.with({ signal: controller.signal }).spawn(CancellableTasks).untilAborted(started);
    await untilAtLeast(started, 0, 1);
    controller.abort(new Error('user left'));
    const error = await rejectionOf(call);
    expect((error as Error).name).toBe('AbortError');
    const { trace, events, at } = onlyCall(sub, 'CancellableTasks.untilAborted');
    expect(events).toEqual(FAILURE);
    expect(trace.options?.signal).toBe(controller.signal);
    expect(at('error').error).toBe(error);
    expect(AsyncThreadPoolError.is(at('error').error, 'ERR_TASK_ABORTED')).toBe(true);
    expect(typeof at('error').threadId).toBe('number');
    expect(typeof at('error').queueWait).toBe('number');
  });

  test('an abort while queued: the call never reached a thread, so it has no thread and no queue wait', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    const { held, release } = await holdThread(pool);
    try {
      const controller = new AbortController();
      const call = pool.with({ signal: controller.signal }).spawn(TracedTasks).add(1, 2);
      controller.abort();
      expect(AsyncThreadPoolError.is(await rejectionOf(call), 'ERR_TASK_ABORTED')).toBe(true);
      const { events, at } = onlyCall(sub, 'TracedTasks.add');
      expect(events).toEqual(FAILURE);
      expect(at('asyncEnd')).toMatchObject({ threadId: undefined, queueWait: undefined });
    } finally {
      release();
      await held;
    }
  });

  test('a timeout: ERR_TASK_TIMEOUT, and the timeout among the options', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    const started = sharedCounter();
    const error = await rejectionOf(pool.with({ timeout: 50 }).spawn(CancellableTasks).untilAborted(started));
    expectCode(error, 'ERR_TASK_TIMEOUT');
    const { trace, events, at } = onlyCall(sub, 'CancellableTasks.untilAborted');
    expect(events).toEqual(FAILURE);
    expect(trace.options?.timeout).toBe(50);
    expect(at('error').error).toBe(error);
  });

  test('a thread crash: ERR_WORKER_EXITED, naming the thread that died', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    const thread = await pool.spawn(TracedTasks).where();
    sub.seen.length = 0;
    const error = await rejectionOf(pool.spawn(CrashingTasks).exit(3));
    expectCode(error, 'ERR_WORKER_EXITED');
    const { events, at } = onlyCall(sub, 'CrashingTasks.exit');
    expect(events).toEqual(FAILURE);
    expect(at('error')).toMatchObject({ error, threadId: thread });
  });

  test('a batched backlog: every call has its own events, says whether it went in a batch, and where it ran', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    const { held, release } = await holdThread(pool);
    /** How many calls the run that carried each `add` call carried, by its first argument. */
    const runSize = new Map<unknown, number>();
    dispatchProbe.onSend = (_thread, requests) => {
      for (const request of requests) if (request.task === 'TracedTasks.add') runSize.set(request.args[0], requests.length);
    };
    try {
      sub.seen.length = 0;
      const calls = Array.from({ length: 20 }, (_, i) => pool.spawn(TracedTasks).add(i, 0));
      release();
      const thread = await held;
      expect(await Promise.all(calls)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      // Only the `add` calls, by their argument: the order events were published in is not a decision.
      const traces = sub
        .calls()
        .filter((trace) => trace.task === 'TracedTasks.add')
        .sort((a, b) => (a.args[0] as number) - (b.args[0] as number));
      expect(traces.map((trace) => trace.args[0])).toEqual(Array.from({ length: 20 }, (_, i) => i));
      for (const trace of traces) {
        expect(sub.eventsOf(trace)).toEqual(SUCCESS);
        expect(trace).toMatchObject({ threadId: thread, result: trace.args[0], batched: (runSize.get(trace.args[0]) ?? 0) > 1 });
        expect(typeof trace.queueWait).toBe('number');
      }
      // The backlog did go out in batches.
      expect(traces.filter((trace) => trace.batched).length).toBeGreaterThan(1);
    } finally {
      dispatchProbe.onSend = undefined;
    }
  });

  test('a thread dying mid-batch: each call still has its events exactly once, the calls that went back to the queue included', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    const { held, release } = await holdThread(pool);
    const ran = sharedCounter();
    sub.seen.length = 0;
    const before = Array.from({ length: 5 }, (_, i) => pool.spawn(CountedTasks).counted(ran, i));
    const crash = pool.spawn(CountedTasks).countedExit(ran);
    const after = Array.from({ length: 5 }, (_, i) => pool.spawn(CountedTasks).counted(ran, 10 + i));
    release();
    await held;
    const crashError = await rejectionOf(crash);
    expectCode(crashError, 'ERR_WORKER_EXITED');
    expect(await Promise.all([...before, ...after])).toEqual([0, 1, 2, 3, 4, 10, 11, 12, 13, 14]);
    const traces = sub.calls().filter((trace) => trace.task.startsWith('CountedTasks.'));
    expect(traces).toHaveLength(11);
    // Four events per success, five for the crash: none twice, though ten calls went back to the queue.
    expect(sub.seen.filter((one) => traces.includes(one.trace))).toHaveLength(5 * 11 - 10 * 1);
    for (const trace of traces) {
      if (trace.task === 'CountedTasks.countedExit') {
        expect(sub.eventsOf(trace)).toEqual(FAILURE);
        expect(trace).toMatchObject({ error: crashError, batched: true });
      } else {
        expect(sub.eventsOf(trace)).toEqual(SUCCESS);
      }
      expect(typeof trace.threadId).toBe('number');
    }
  });

  test('a broadcast is one call: its parts have no events of their own', async () => {
    await using pool = new ThreadPool({ threads: 2 });
    const threads = await pool.broadcast(TracedTasks).where();
    const { trace, events } = onlyCall(sub, 'TracedTasks.where');
    expect(events).toEqual(SUCCESS);
    expect(trace).toMatchObject({ task: 'TracedTasks.where', runner: 'pool', broadcast: true, threadId: undefined, queueWait: undefined, result: threads });
  });

  test('a call refused at the call site has the same events, its refusal as the error; a trySpawn that finds the queue full publishes nothing', async () => {
    const pool = new ThreadPool({ threads: 1, maxQueue: 1 });
    const { held, release } = await holdThread(pool);
    const queued = pool.spawn(TracedTasks).add(1, 1);
    sub.seen.length = 0;
    expect(pool.trySpawn(TracedTasks).add(2, 2)).toBeUndefined();
    expect(sub.calls().filter((trace) => trace.args[0] === 2)).toEqual([]);
    const full = await rejectionOf(pool.spawn(TracedTasks).add(3, 3));
    expectCode(full, 'ERR_QUEUE_FULL');
    const { events, at } = onlyCall(sub, 'TracedTasks.add', [3, 3]);
    expect(events).toEqual(FAILURE);
    expect(at('error')).toMatchObject({ error: full, threadId: undefined, queueWait: undefined });
    release();
    await Promise.all([held, queued]);
    await pool.close();
    sub.seen.length = 0;
    const closed = await rejectionOf(pool.spawn(TracedTasks).add(4, 4));
    expectCode(closed, 'ERR_POOL_CLOSED');
    expect(onlyCall(sub, 'TracedTasks.add', [4, 4]).at('error').error).toBe(closed);
  });

  test('the inline pool: runner inline, on the calling thread', async () => {
    const pool = ThreadPool.inline();
    expect(await pool.spawn(TracedTasks).add(2, 5)).toBe(7);
    const thrown = await rejectionOf(pool.spawn(TracedTasks).reject('inline'));
    await pool.close();
    const [ok, failed] = sub.calls() as [CallTrace, CallTrace];
    expect(sub.eventsOf(ok)).toEqual(SUCCESS);
    expect(ok).toMatchObject({ runner: 'inline', threadId: callerThreadId, result: 7, batched: false });
    expect(typeof ok.pool).toBe('number');
    expect(typeof ok.queueWait).toBe('number');
    expect(sub.eventsOf(failed)).toEqual(FAILURE);
    expect(failed).toMatchObject({ runner: 'inline', threadId: callerThreadId, error: thrown });
  });

  test('pool-less spawn: runner spawn, no pool, its temporary thread, no queue wait', async () => {
    expect(await spawn(TracedTasks).add(4, 4)).toBe(8);
    const thrown = await rejectionOf(spawn.with({ timeout: 30_000 }).spawn(TracedTasks).reject('alone'));
    const [ok, failed] = sub.calls() as [CallTrace, CallTrace];
    expect(sub.eventsOf(ok)).toEqual(SUCCESS);
    expect(ok).toMatchObject({ task: 'TracedTasks.add', runner: 'spawn', pool: undefined, queueWait: 0, result: 8, batched: false });
    expect(typeof ok.threadId).toBe('number');
    expect(ok.threadId).not.toBe(callerThreadId);
    expect(sub.eventsOf(failed)).toEqual(FAILURE);
    expect(failed).toMatchObject({ runner: 'spawn', error: thrown, options: { timeout: 30_000 } });
    expect((thrown as Error).name).toBe('RangeError');
  });

  test('a store bound on start is active in asyncStart and asyncEnd (how OpenTelemetry carries a span)', async () => {
    const store = new AsyncLocalStorage<string>();
    callChannel.start.bindStore(store, (trace) => `span of ${trace.task}`);
    const inStore: (string | undefined)[] = [];
    const onSettle = (): void => {
      inStore.push(store.getStore());
    };
    subscribeTo('tracing:asyncthreadpool:call:asyncStart', onSettle);
    subscribeTo('tracing:asyncthreadpool:call:asyncEnd', onSettle);
    try {
      await using pool = new ThreadPool({ threads: 1 });
      expect(await pool.spawn(TracedTasks).add(1, 1)).toBe(2);
      expect(inStore).toEqual(['span of TracedTasks.add', 'span of TracedTasks.add']);
      // The caller's own context is left alone.
      expect(store.getStore()).toBeUndefined();
    } finally {
      unsubscribeFrom('tracing:asyncthreadpool:call:asyncStart', onSettle);
      unsubscribeFrom('tracing:asyncthreadpool:call:asyncEnd', onSettle);
      callChannel.start.unbindStore(store);
    }
  });

  test('a stream is one call from its first next() to its end: items counted, a throw as its error, a break as its end', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    const made = pool.with({ priority: 3 }).spawn(StreamTasks).range(5);
    // Made and not iterated: nothing ran, nothing is published.
    expect(sub.calls().filter((trace) => trace.task === 'StreamTasks.range')).toEqual([]);
    const items: number[] = [];
    for await (const item of made) items.push(item);
    expect(items).toEqual([0, 1, 2, 3, 4]);
    const whole = onlyCall(sub, 'StreamTasks.range');
    expect(whole.events).toEqual(SUCCESS);
    expect(whole.trace).toMatchObject({ stream: true, items: 5, priority: 3, key: undefined, runner: 'pool', result: undefined });
    expect(typeof whole.trace.threadId).toBe('number');
    expect(typeof whole.trace.queueWait).toBe('number');

    const thrown = await rejectionOf((async () => {
      for await (const item of pool.spawn(StreamTasks).failAfter(2)) items.push(item);
    })());
    const failed = onlyCall(sub, 'StreamTasks.failAfter');
    expect(failed.events).toEqual(FAILURE);
    expect(failed.at('error').error).toBe(thrown);

    for await (const item of pool.spawn(StreamTasks).range(1000)) if (item === 1) break;
    const broken = onlyCall(sub, 'StreamTasks.range', [1000]);
    expect(broken.events).toEqual(SUCCESS);
    expect(broken.trace.items).toBeGreaterThanOrEqual(2);
  });

  test('a call with a key carries its key, and the thread the key sent it to', async () => {
    await using pool = new ThreadPool({ threads: 2 });
    const keyed = pool.with({ key: 'tenant-7' }).spawn(TracedTasks);
    expect(await keyed.add(1, 2)).toBe(3);
    expect(await keyed.add(3, 4)).toBe(7);
    expect(await pool.spawn(TracedTasks).add(5, 6)).toBe(11);
    const first = onlyCall(sub, 'TracedTasks.add', [1, 2]);
    const second = onlyCall(sub, 'TracedTasks.add', [3, 4]);
    const unkeyed = onlyCall(sub, 'TracedTasks.add', [5, 6]);
    expect(first.events).toEqual(SUCCESS);
    expect(first.trace).toMatchObject({ key: 'tenant-7', runner: 'pool', result: 3 });
    expect(second.trace).toMatchObject({ key: 'tenant-7', result: 7 });
    // Both calls of the key ran on one thread, which its trace names.
    expect(typeof first.trace.threadId).toBe('number');
    expect(second.trace.threadId).toBe(first.trace.threadId);
    expect(unkeyed.trace.key).toBeUndefined();
  });

  test('streams on the inline pool and on pool-less spawn: one call each, runner inline or spawn, items counted, a throw as its error', async () => {
    await using inline = ThreadPool.inline();
    const items: number[] = [];
    for await (const item of inline.spawn(StreamTasks).range(3)) items.push(item);
    const onInline = onlyCall(sub, 'StreamTasks.range', [3]);
    expect(onInline.events).toEqual(SUCCESS);
    expect(onInline.trace).toMatchObject({ stream: true, items: 3, runner: 'inline', threadId: callerThreadId, result: undefined });
    expect(typeof onInline.trace.pool).toBe('number');

    for await (const item of spawn(StreamTasks).range(4)) items.push(item);
    expect(items).toEqual([0, 1, 2, 0, 1, 2, 3]);
    const alone = onlyCall(sub, 'StreamTasks.range', [4]);
    expect(alone.events).toEqual(SUCCESS);
    expect(alone.trace).toMatchObject({ stream: true, items: 4, runner: 'spawn', pool: undefined, queueWait: 0, result: undefined });
    expect(typeof alone.trace.threadId).toBe('number');
    expect(alone.trace.threadId).not.toBe(callerThreadId);

    const thrown = await rejectionOf((async () => {
      for await (const item of spawn(StreamTasks).failAfter(2)) items.push(item);
    })());
    const failed = onlyCall(sub, 'StreamTasks.failAfter');
    expect(failed.events).toEqual(FAILURE);
    expect(failed.trace).toMatchObject({ stream: true, items: 2, runner: 'spawn' });
    expect(failed.at('error').error).toBe(thrown);
    expect((thrown as Error).name).toBe('RangeError');
  });

  test('unsubscribing stops the events', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    await pool.spawn(TracedTasks).add(1, 1);
    expect(sub.seen).toHaveLength(4);
    sub.unsubscribe();
    await pool.spawn(TracedTasks).add(2, 2);
    await spawn(TracedTasks).add(3, 3);
    expect(sub.seen).toHaveLength(4);
  });
});

test('subscribers that throw change no call: results and errors arrive, the other subscribers see every event', async () => {
  // Node reports a subscriber's throw as an uncaught exception, which jest would take for the
  // test's own: the calls run in a child process that counts them.
  const run = await runNode(['-r', 'ts-node/register/transpile-only', '__tests__/fixtures/throwing-subscriber.ts']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual({
    results: [5, 'RangeError', 8, 7],
    // One throw per event of each subscribed channel: start, end and asyncEnd of 4 calls.
    uncaught: 12,
    seen: ['start', 'end', 'asyncStart', 'asyncEnd', 'start', 'end', 'error', 'asyncStart', 'asyncEnd', 'start', 'end', 'asyncStart', 'asyncEnd', 'start', 'end', 'asyncStart', 'asyncEnd'],
  });
});
