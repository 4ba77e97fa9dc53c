import type { Transferable } from 'node:worker_threads';
import type { SerializedThrown, TaskRequest, TaskResponse } from '../shared/protocol';

/** Where calls run: the pool's threads, or the calling thread for the inline pool. */
export interface Executor {
  /**
   * Runs a request; `stop` ends the thread running it (after an abort's grace period); `onThread`
   * is told the id of the thread it is sent to (for tracing).
   */
  run(request: TaskRequest, transfer: readonly Transferable[], stop: AbortSignal | undefined, onThread?: (threadId: number) => void): Promise<TaskResponse>;
  /**
   * Runs several requests on one thread, in order, in one message each way: how a backlog is sent
   * (one message and one wake-up per batch rather than per call). A call whose arguments cannot be
   * posted gets `onRefused` instead of a response; the others still run. Optional.
   */
  runBatch?(
    requests: readonly TaskRequest[],
    onResponse: (index: number, response: TaskResponse) => void,
    onRefused: (index: number, error: Error) => void,
    onThread?: (threadId: number) => void,
  ): Promise<void>;
  /** Tells the threads to abort the running call `call` (its `@TaskSignal()` parameter). */
  abortRunning(call: number, reason: SerializedThrown): void;
  /** How many calls can run at once. */
  readonly capacity: number;
}

/** An executor that owns the threads (or stands in for them): the pool's backend. */
export interface Backend extends Executor {
  /** Disposes every thread's context; resolves with what the disposals threw. */
  disposeContexts(): Promise<unknown[]>;
  /** Ends the threads (idempotent). */
  end(): Promise<void>;
}
