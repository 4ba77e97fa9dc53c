import type { Transferable } from 'node:worker_threads';
import type { Executor } from './executor';
import { type CallOptions } from './options';
import { Histogram, type PoolStats } from './stats';
import { settle, threadFailure } from './call';
import { abortError, type AsyncThreadPoolError, fail, serializeThrown } from '../shared/errors';
import type { TaskRecord } from '../shared/manifest';
import type { TaskRequest, TaskResponse } from '../shared/protocol';
import { batchThreadSetter, type CallTrace, threadSetter } from './tracing';

interface Call {
  readonly record: TaskRecord;
  readonly request: TaskRequest;
  readonly transfer: readonly Transferable[];
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly options: CallOptions | undefined;
  readonly submitted: number;
  dispatched: number;
  state: 'queued' | 'running' | 'done';
  /** The caller's promise is settled (a call may be settled by an abort while its thread still runs it). */
  answered: boolean;
  /** Ends the thread running the call (Piscina terminates it). */
  stop: AbortController | undefined;
  timer: NodeJS.Timeout | undefined;
  unlisten: (() => void) | undefined;
  /** Set when a subscriber traces the call (see tracing.ts). */
  readonly trace: CallTrace | undefined;
}

/** What a broadcast part (a request with a `barrier`) resolves to. */
export interface BroadcastPart {
  readonly thread: number;
  readonly value: unknown;
}

/** The most calls sent to a thread in one message. */
const MAX_BATCH = 64;

let nextCallId = 1;

/**
 * The pool's own queue in front of the executor: it hands a call to the executor only when a thread
 * is free, so it knows at every moment which calls wait and which run. That is what lets a queued
 * call leave the queue on abort, a timeout count from when the call starts, a bounded queue refuse
 * calls, and the stats tell waiting from running.
 */
export class Scheduler {
  readonly #executor: Executor;
  readonly #maxQueue: number;
  readonly #abortGracePeriod: number;
  readonly #queue: (Call | undefined)[] = [];
  #head = 0;
  #queued = 0;
  /** Calls handed to a thread and not settled. */
  #running = 0;
  /** Executor runs in flight: threads busy (a run is one call or one batch). */
  #busy = 0;
  #completed = 0;
  #failed = 0;
  #busyMs = 0;
  #messages = 0;
  readonly #started = performance.now();
  readonly #runTimes = new Histogram();
  readonly #waitTimes = new Histogram();
  /** Set once the pool stops running calls: calls that would go back to the queue fail instead. */
  #dropped: (() => Error) | undefined;
  #roomWaiters: (() => void)[] = [];
  #idleWaiters: (() => void)[] = [];

  constructor(executor: Executor, maxQueue: number, abortGracePeriod: number) {
    this.#executor = executor;
    this.#maxQueue = maxQueue;
    this.#abortGracePeriod = abortGracePeriod;
  }

  /** Calls waiting for a thread. */
  get queueSize(): number {
    return this.#queued;
  }

  /** Whether another call can be taken: the queue has room, or a thread is free to run it at once. */
  hasRoom(): boolean {
    return this.#queued < this.#maxQueue || (this.#queued === 0 && this.#busy < this.#executor.capacity);
  }

  /** Resolves when the queue can take another call (at once if it can). */
  whenRoom(): Promise<void> {
    if (this.hasRoom()) return Promise.resolve();
    return new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  /** Resolves when no call is queued or running. */
  whenIdle(): Promise<void> {
    if (this.#queued === 0 && this.#busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Queues a call; the promise settles with its result or error. */
  submit(record: TaskRecord, request: TaskRequest, transfer: readonly Transferable[], options: CallOptions | undefined, trace?: CallTrace): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const abortable = options !== undefined && (options.signal !== undefined || options.timeout !== undefined);
      const call: Call = {
        record,
        request: abortable ? { ...request, call: nextCallId++ } : request,
        transfer,
        resolve,
        reject,
        options,
        submitted: performance.now(),
        dispatched: 0,
        state: 'queued',
        answered: false,
        stop: undefined,
        timer: undefined,
        unlisten: undefined,
        trace,
      };
      const signal = options?.signal;
      if (signal !== undefined) {
        if (signal.aborted) {
          call.state = 'done';
          call.answered = true;
          this.#failed++;
          reject(abortError(record.name, signal.reason));
          return;
        }
        const onAbort = (): void => {
          this.#abort(call, abortError(record.name, signal.reason));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        call.unlisten = () => {
          signal.removeEventListener('abort', onAbort);
        };
      }
      this.#queue.push(call);
      this.#queued++;
      this.#pump();
    });
  }

  /** Rejects every queued call with `error` (the pool is being destroyed), and every call queued from now on. */
  dropQueued(error: () => Error): void {
    this.#dropped = error;
    for (let i = this.#head; i < this.#queue.length; i++) {
      const call = this.#queue[i];
      if (call?.state !== 'queued') continue;
      call.state = 'done';
      this.#answer(call, undefined, error());
    }
    this.#queue.length = 0;
    this.#head = 0;
    this.#queued = 0;
    this.#notify();
  }

  stats(threads: number): PoolStats {
    const elapsed = performance.now() - this.#started;
    return {
      threads,
      idle: Math.max(0, threads - this.#busy),
      queued: this.#queued,
      running: this.#running,
      completed: this.#completed,
      failed: this.#failed,
      messages: this.#messages,
      utilization: elapsed <= 0 ? 0 : Math.min(1, this.#busyMs / (threads * elapsed)),
      runTime: this.#runTimes.percentiles(),
      waitTime: this.#waitTimes.percentiles(),
    };
  }

  /**
   * Hands queued calls to the executor while it has a free thread. A call goes out alone when the
   * queue was empty (no latency added); a backlog goes out in batches, spread over the free threads.
   */
  #pump(): void {
    while (this.#busy < this.#executor.capacity && this.#queued > 0) {
      const first = this.#next();
      if (first === undefined) break;
      // Spread the backlog over all the threads (not only the free ones, or the first thread to free
      // up would take it all), in at least two batches each, so that uneven calls even out.
      const size = Math.min(MAX_BATCH, Math.ceil((this.#queued + 1) / (this.#executor.capacity * 2)));
      if (size === 1 || !this.#batchable(first)) {
        this.#dispatch(first);
        continue;
      }
      const batch = [first];
      while (batch.length < size && this.#queued > 0) {
        const call = this.#peek();
        if (call === undefined || !this.#batchable(call)) break;
        batch.push(call);
        this.#next();
      }
      if (batch.length === 1) this.#dispatch(first);
      else this.#dispatchBatch(batch);
    }
    this.#notify();
  }

  /** The first queued call (skipping calls aborted while queued), without taking it. */
  #peek(): Call | undefined {
    while (this.#head < this.#queue.length) {
      const call = this.#queue[this.#head];
      if (call?.state === 'queued') return call;
      this.#queue[this.#head++] = undefined;
    }
    return undefined;
  }

  /** Takes the first queued call. */
  #next(): Call | undefined {
    const call = this.#peek();
    if (call === undefined) return undefined;
    this.#queue[this.#head++] = undefined;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
    this.#queued--;
    return call;
  }

  /** A call can share a message with others when nothing about it needs a run of its own. */
  #batchable(call: Call): boolean {
    return (
      this.#executor.runBatch !== undefined && call.request.call === undefined && call.request.barrier === undefined && call.transfer.length === 0
    );
  }

  #start(call: Call, now: number): void {
    call.state = 'running';
    call.dispatched = now;
    this.#running++;
  }

  #dispatch(call: Call): void {
    this.#start(call, performance.now());
    this.#busy++;
    this.#messages++;
    const timeout = call.options?.timeout;
    if (call.request.call !== undefined) call.stop = new AbortController();
    if (timeout !== undefined) {
      call.timer = setTimeout(() => {
        this.#abort(call, fail('ERR_TASK_TIMEOUT', `${call.record.name} did not finish within ${String(timeout)} ms`));
      }, timeout);
      call.timer.unref();
    }
    this.#executor.run(call.request, call.transfer, call.stop?.signal, threadSetter(call.trace)).then(
      (response) => {
        this.#complete(call, response, undefined);
        this.#release();
      },
      (error: unknown) => {
        this.#complete(call, undefined, error);
        this.#release();
      },
    );
  }

  #dispatchBatch(calls: Call[]): void {
    const now = performance.now();
    for (const call of calls) this.#start(call, now);
    this.#busy++;
    this.#messages++;
    const runBatch = this.#executor.runBatch?.bind(this.#executor);
    if (runBatch === undefined) throw new Error('unreachable: batches need runBatch');
    // A batched call starts when the one before it in the batch settles: its run time and the
    // threads' busy time do not count the wait behind the others.
    let started = now;
    runBatch(
      calls.map((call) => call.request),
      (index, response) => {
        const call = calls[index];
        if (call?.state !== 'running') return;
        call.dispatched = started;
        this.#complete(call, response, undefined);
        started = performance.now();
      },
      (index, error) => {
        // Structured clone refused this call's arguments: it fails alone and never ran.
        const call = calls[index];
        if (call?.state !== 'running') return;
        call.dispatched = started;
        this.#complete(call, undefined, error);
      },
      batchThreadSetter(calls),
    ).then(
      () => {
        this.#release();
      },
      (error: unknown) => {
        // The thread died. Every response it made has arrived; the first call without one was
        // running and fails with the thread; the calls after it never started: back to the front
        // of the queue, in order, to run exactly once elsewhere.
        const pending = calls.filter((call) => call.state === 'running');
        const [crashed, ...unstarted] = pending;
        if (crashed !== undefined) {
          crashed.dispatched = started;
          this.#complete(crashed, undefined, error);
        }
        const dropped = this.#dropped;
        if (dropped === undefined) this.#requeueFront(unstarted);
        else for (const call of unstarted) this.#complete(call, undefined, dropped());
        this.#release();
      },
    );
  }

  #requeueFront(calls: Call[]): void {
    if (calls.length === 0) return;
    for (const call of calls) {
      call.state = 'queued';
      this.#running--;
    }
    this.#queue.splice(this.#head, 0, ...calls);
    this.#queued += calls.length;
  }

  /** A run ended: its thread is free for the next call or batch. */
  #release(): void {
    this.#busy--;
    this.#pump();
  }

  #complete(call: Call, response: TaskResponse | undefined, error: unknown): void {
    call.state = 'done';
    this.#running--;
    const now = performance.now();
    const ran = now - call.dispatched;
    this.#busyMs += ran;
    this.#runTimes.record(ran);
    this.#waitTimes.record(call.dispatched - call.submitted);
    if (call.timer !== undefined) clearTimeout(call.timer);
    this.#answer(call, response, error);
  }

  /** Settles the caller's promise, once. */
  #answer(call: Call, response: TaskResponse | undefined, error: unknown): void {
    call.unlisten?.();
    if (call.answered) return;
    call.answered = true;
    if (call.trace !== undefined && call.dispatched !== 0) call.trace.queueWait = call.dispatched - call.submitted;
    if (response === undefined) {
      this.#failed++;
      call.reject(error instanceof Error ? error : threadFailure(error, call.record.name));
      return;
    }
    try {
      const value = settle(call.record, response);
      // A broadcast part answers which thread ran it: the broadcast orders its results by thread.
      call.resolve(call.request.barrier === undefined ? value : ({ thread: response.ok ? (response.thread ?? 0) : 0, value } satisfies BroadcastPart));
      this.#completed++;
    } catch (thrown) {
      this.#failed++;
      call.reject(thrown as Error);
    }
  }

  /** Aborts a call (its signal aborted, or its timeout passed). */
  #abort(call: Call, error: AsyncThreadPoolError): void {
    if (call.answered) return;
    if (call.state === 'queued') {
      // Still waiting: it leaves the queue and never runs.
      call.state = 'done';
      this.#queued--;
      this.#answer(call, undefined, error);
      this.#notify();
      return;
    }
    this.#answer(call, undefined, error);
    const id = call.request.call;
    if (call.state !== 'running' || id === undefined) return;
    // Running: ask its thread to stop (the task's signal), then end the thread if it does not.
    this.#executor.abortRunning(id, serializeThrown(error));
    // An infinite grace period never ends the thread: the task is trusted to stop.
    if (this.#abortGracePeriod === Infinity) return;
    const grace = setTimeout(() => {
      if (call.state === 'running') call.stop?.abort(error);
    }, this.#abortGracePeriod);
    grace.unref();
  }

  #notify(): void {
    if (this.#roomWaiters.length > 0 && this.hasRoom()) for (const wake of this.#roomWaiters.splice(0)) wake();
    if (this.#idleWaiters.length > 0 && this.#queued === 0 && this.#busy === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
  }
}
