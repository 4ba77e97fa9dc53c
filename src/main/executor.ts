import type { Transferable } from 'node:worker_threads';
import type { CallEventMessage, SerializedThrown, StreamControlRequest, TaskRequest, TaskResponse } from '../shared/protocol';

/** Told of what a running call sends before its result (progress, streamed items), in order. */
export type OnCallEvent = (message: CallEventMessage) => void;

/** Where calls run: the pool's threads, or the calling thread for the inline pool. */
export interface Executor {
  /**
   * Runs a request; `stop` ends the thread running it (after an abort's grace period). With
   * `thread` (the id of an idle thread, see `threads`), on that thread. `onEvent` receives the
   * call's progress reports and stream items. `onThread` is told the id of the thread it is sent to
   * (for tracing).
   */
  run(
    request: TaskRequest,
    transfer: readonly Transferable[],
    stop: AbortSignal | undefined,
    thread?: number,
    onEvent?: OnCallEvent,
    onThread?: (threadId: number) => void,
  ): Promise<TaskResponse>;
  /**
   * Runs several requests on one thread, in order, in one message each way: how a backlog is sent
   * (one message and one wake-up per batch rather than per call). A call whose arguments cannot be
   * posted gets `onRefused` instead of a response; the others still run. Optional. `onThread` as
   * for `run`.
   */
  runBatch?(
    requests: readonly TaskRequest[],
    onResponse: (index: number, response: TaskResponse) => void,
    onRefused: (index: number, error: Error) => void,
    thread?: number,
    onEvent?: (index: number, message: CallEventMessage) => void,
    onThread?: (threadId: number) => void,
  ): Promise<void>;
  /** Tells the threads to abort the running call `call` (its `@TaskSignal()` parameter). */
  abortRunning(call: number, reason: SerializedThrown): void;
  /** Gives the running streaming call `request.call` the caller's credit, or cancels it. */
  controlStream(request: StreamControlRequest): void;
  /**
   * How many runs (a call or a batch) can be handed out now: the threads that are ready (context
   * built) and not ending. The scheduler never has more in flight, so a run it hands out always finds
   * a free thread: calls wait in the scheduler's queue, nowhere else.
   */
  readonly capacity: number;
  /** The threads the pool runs now, ready or starting (an elastic pool: from `min` to `max`): a backlog is spread over that many. */
  readonly size: number;
  /** Elastic threads started and reaped, and thread-ms lived, for `stats`; an executor whose threads never change leaves it out. */
  threadStats?(): ThreadStats;
  /**
   * Told by the scheduler when calls start or stop waiting in its queue: while they wait, the
   * threads starting keep the process alive (they will take them). Optional.
   */
  demand?(waiting: boolean): void;
  /** The threads, for running calls with a key on the thread of their key. Without it (one thread), keys change nothing. */
  readonly threads?: Threads;
}

/** What the pool's thread layer counts (see `PoolStats`). */
export interface ThreadStats {
  /** Threads started above `min` since the pool started. */
  readonly started: number;
  /** Threads above `min` ended for being idle since the pool started. */
  readonly reaped: number;
  /** Thread-milliseconds lived since the pool started (the sum over threads of their lifetimes). */
  readonly threadMs: number;
}

/** What key affinity needs to know of an executor's threads, by thread id. */
export interface Threads {
  /** The threads that take calls or will once started (not those dying or being ended), in start order. */
  live(): readonly number[];
  isLive(thread: number): boolean;
  /** Ready threads with nothing to run. */
  idle(): readonly number[];
  /** Calls `listener` when a thread becomes idle without a run ending (it finished starting). */
  onIdle(listener: () => void): void;
}

/** An executor that owns the threads (or stands in for them): the pool's backend. */
export interface Backend extends Executor {
  /** Disposes every thread's context; resolves with what the disposals threw. */
  disposeContexts(): Promise<unknown[]>;
  /** Ends the threads (idempotent). */
  end(): Promise<void>;
}
