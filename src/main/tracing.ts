import { tracingChannel, type TracingChannel } from 'node:diagnostics_channel';
import type { TaskRecord } from '../shared/manifest';
import type { CallOptions } from './options';
import type { StreamCall } from './scheduler';

/** The name of the tracing channel every call is published on (see {@link CallTrace}). */
export const CALL_CHANNEL = 'asyncthreadpool:call';

/**
 * What a subscriber of the `asyncthreadpool:call` tracing channel receives: one object per call, the
 * same object for every event of that call, so that a subscriber can keep its own state on it (a span,
 * say). A call is what a caller awaits: one `spawn`/`trySpawn` call, one `broadcast` (all its parts),
 * one pool-less `spawn`, one stream of a streaming task.
 *
 * Events, in order (Node's `TracingChannel#tracePromise`):
 * - `start`, synchronously at the call, before it is queued (or refused), then `end`, synchronously
 *   once the call is queued (or already handed to an idle thread: `threadId` may be set by then);
 * - when the call settles: on failure `error` (with `error` set), then `asyncStart` and `asyncEnd`
 *   (with `result` or `error` set). By then `threadId`, `queueWait` and `batched` say where and
 *   when the call ran. A call refused at the call site (a closed pool, a full queue, an uncloneable
 *   argument) has the same events, with its refusal as `error`; a `trySpawn` that finds the queue
 *   full returns `undefined` and publishes nothing.
 *
 * A streaming call (a `@task` async generator) is traced from its first `next()`, which is when it
 * is queued (a stream made and never iterated runs nothing and publishes nothing): `start` and `end`
 * then; `asyncStart` and `asyncEnd` when the stream ends, which is when the task's iterator is done,
 * when the caller's `break`/`return()` has stopped it (after its `finally` ran on the thread), or, after
 * `error`, when it failed (the task threw, an abort, a timeout, a thread that died). `items` counts
 * the items that reached the caller's side; `result` is `undefined`. A stream refused at the call (a
 * closed pool, a full queue, an uncloneable argument) has the same events with its refusal as `error`,
 * at its first `next()`, which rejects with it. Whether a stream is traced is decided when it is made.
 *
 * Stores bound with `bindStore` on `start` (an OpenTelemetry context, say) are active in the
 * `asyncStart` and `asyncEnd` subscribers. A subscriber that throws does not change the call (Node
 * reports its error as an uncaught exception, as for every diagnostics channel). With no subscriber,
 * a call checks once whether there is one and allocates nothing for tracing.
 *
 * @example
 * ```ts
 * import { tracingChannel } from 'node:diagnostics_channel';
 * import { CALL_CHANNEL, type CallTrace } from 'asyncthreadpool';
 *
 * tracingChannel<unknown, CallTrace>(CALL_CHANNEL).subscribe({
 *   start: () => undefined,
 *   end: () => undefined,
 *   asyncStart: () => undefined,
 *   error: () => undefined,
 *   asyncEnd: (call) => {
 *     console.log(`${call.task} on thread ${String(call.threadId)}, waited ${String(call.queueWait)} ms`);
 *   },
 * });
 * ```
 */
export interface CallTrace {
  /** A number that identifies the call in this process (counted over every traced call). */
  readonly id: number;
  /** The task's name, `Class.method`. */
  readonly task: string;
  /** The file that defines the task. */
  readonly module: string | undefined;
  /** The arguments as the caller passed them (not copied: a subscriber must not change them). */
  readonly args: readonly unknown[];
  /** What runs the call: a pool's threads, the inline pool (the calling thread), or pool-less `spawn` (a temporary thread). */
  readonly runner: 'pool' | 'inline' | 'spawn';
  /** The pool's id: a number unique in this process, the same for every call of one pool; `undefined` for pool-less `spawn`. */
  readonly pool: number | undefined;
  /** The call is a `broadcast` (one part on every thread; `threadId` and `queueWait` stay `undefined`). */
  readonly broadcast: boolean;
  /** The call is a streaming task's: its `asyncEnd` comes when the stream ends (see above). */
  readonly stream: boolean;
  /** The call's `priority` (`with({ priority })`), 0 without. */
  readonly priority: number;
  /** The call's `key` (`with({ key })`), `undefined` without. */
  readonly key: string | number | undefined;
  /** The call's options (`pool.with(options)`, `spawn.with(options)`): `timeout`, `signal`, ...; `undefined` without. */
  readonly options: Readonly<CallOptions> | undefined;
  /**
   * The id (`worker_threads.threadId`) of the thread the call was handed to, set when it is sent
   * there: the calling thread's for the inline pool. `undefined` if it never reached a thread
   * (refused, aborted or dropped while queued) and for a broadcast. A call that goes back to the
   * queue (its batch's thread died before reaching it) names the thread that ran it last.
   */
  threadId: number | undefined;
  /**
   * Milliseconds from the call to when it started running (as the pool's `stats.waitTime` counts
   * them): its time in the queue, and in a batch, behind the calls before it. 0 for pool-less
   * `spawn` (no queue: the thread's start counts as running). `undefined` if it never started.
   */
  queueWait: number | undefined;
  /** The call went to its thread in one message with others (a backlog's batch). */
  batched: boolean;
  /** For a streaming call: how many items have reached the caller's side (0 for other calls). */
  items: number;
  /** The call's value (set before `asyncStart` when it succeeds). */
  result?: unknown;
  /** What the call rejects with (set before `error`): the task's throw, revived, or a coded library error. */
  error?: unknown;
}

/**
 * The `asyncthreadpool:call` tracing channel, typed: the same channels as
 * `diagnostics_channel.tracingChannel('asyncthreadpool:call')`.
 */
export const callChannel: TracingChannel<unknown, CallTrace> = tracingChannel<unknown, CallTrace>(CALL_CHANNEL);

const { start, end, asyncStart, asyncEnd, error } = callChannel;

let nextPool = 1;
let nextCall = 1;

/** A new pool's id. */
export function newPoolId(): number {
  return nextPool++;
}

/** Whether a subscriber listens: read once per call (`TracingChannel#hasSubscribers`, which Node 20 has only from 20.13). */
export function tracing(): boolean {
  return start.hasSubscribers || end.hasSubscribers || asyncStart.hasSubscribers || asyncEnd.hasSubscribers || error.hasSubscribers;
}

/** The trace of a call about to start. */
export function newTrace(
  record: TaskRecord,
  args: readonly unknown[],
  runner: CallTrace['runner'],
  pool: number | undefined,
  broadcast: boolean,
  options: CallOptions | undefined,
): CallTrace {
  return {
    id: nextCall++,
    task: record.name,
    module: record.module,
    args,
    runner,
    pool,
    broadcast,
    stream: record.stream === true,
    priority: options?.priority ?? 0,
    key: options?.key,
    options,
    threadId: undefined,
    queueWait: undefined,
    batched: false,
    items: 0,
  };
}

/** Runs `call` (which makes the caller's promise) under `trace`, publishing its events. */
export function traceCall<T>(trace: CallTrace, call: () => Promise<T>): Promise<T> {
  return callChannel.tracePromise(call, trace);
}

/** Starts a streaming call (as `createTaskStream` does), told its trace when it is traced. */
export type TracedStart = (onItems: (items: readonly unknown[]) => void, credit: SharedArrayBuffer, trace?: CallTrace) => StreamCall;

/**
 * A stream's start, traced: at the first `next()`, it makes the trace (`describe`) and starts the
 * call under it (a refusal `Error`: a call that fails with it), counting its items; the trace ends
 * when the call's result settles, which is when the stream ends.
 */
export function traceStream(
  describe: () => CallTrace,
  start: TracedStart | Error,
): (onItems: (items: readonly unknown[]) => void, credit: SharedArrayBuffer) => StreamCall {
  return (onItems, credit) => {
    const trace = describe();
    let call: StreamCall | undefined;
    const result = traceCall(trace, () => {
      if (start instanceof Error) return Promise.reject(start);
      call = start((items) => {
        trace.items += items.length;
        onItems(items);
      }, credit, trace);
      return call.result;
    });
    return {
      result,
      wake: () => {
        call?.wake();
      },
      cancel: () => {
        call?.cancel();
      },
    };
  };
}

/** What tells a traced call which thread it was handed to; `undefined` (nothing allocated) for an untraced one. */
export function threadSetter(trace: CallTrace | undefined): ((threadId: number) => void) | undefined {
  if (trace === undefined) return undefined;
  return (threadId) => {
    trace.threadId = threadId;
  };
}

/** As {@link threadSetter} for a batch: marks its traced calls batched; `undefined` if none is traced. */
export function batchThreadSetter(calls: readonly { readonly trace: CallTrace | undefined }[]): ((threadId: number) => void) | undefined {
  let traced = false;
  for (const call of calls) traced ||= call.trace !== undefined;
  if (!traced) return undefined;
  return (threadId) => {
    for (const { trace } of calls) {
      if (trace === undefined) continue;
      trace.threadId = threadId;
      trace.batched = true;
    }
  };
}
