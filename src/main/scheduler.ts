import type { Transferable } from 'node:worker_threads';
import type { Executor } from './executor';
import { type CallOptions } from './options';
import { type CallKey, KeySlots } from './affinity';
import { before, CallQueue } from './queue';
import { Histogram, type PoolStats } from './stats';
import { settle, threadFailure } from './call';
import { abortError, type AsyncThreadPoolError, fail, serializeThrown } from '../shared/errors';
import type { TaskRecord } from '../shared/manifest';
import type { CallEventMessage, TaskRequest, TaskResponse } from '../shared/protocol';
import { batchThreadSetter, type CallTrace, threadSetter } from './tracing';

interface Call {
  readonly record: TaskRecord;
  readonly request: TaskRequest;
  readonly transfer: readonly Transferable[];
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly options: CallOptions | undefined;
  readonly submitted: number;
  /** Its place in line among the calls of its priority. */
  readonly seq: number;
  /** Higher goes first; `Infinity` for the parts of a broadcast that has started (see `#promoteParts`). */
  priority: number;
  /** Its key, when the executor has threads to choose from (key affinity). */
  readonly key: CallKey | undefined;
  dispatched: number;
  state: 'queued' | 'running' | 'done';
  /** Queued while a thread was free or starting for it (no backlog): it goes out alone, as on an idle pool. */
  alone: boolean;
  /** The caller's promise is settled (a call may be settled by an abort while its thread still runs it). */
  answered: boolean;
  /** Ends the thread running the call (Piscina terminates it). */
  stop: AbortController | undefined;
  timer: NodeJS.Timeout | undefined;
  unlisten: (() => void) | undefined;
  /** Takes what the running call sends before its result (progress, streamed items); unset for a plain call. */
  onEvent: ((message: CallEventMessage) => void) | undefined;
  /** Set when a subscriber traces the call (see tracing.ts). */
  readonly trace: CallTrace | undefined;
}

/** The caller's side of a streaming call: its end, and the credit and cancellation it gives the thread. */
export interface StreamCall {
  /** Settles when the call ends: resolves once the task's iterator is done or cancelled, rejects with its failure. */
  readonly result: Promise<unknown>;
  /**
   * The caller published credit in the stream's shared `credit` (`SharedCredit`) while the thread
   * waited for it: the thread reads it again.
   */
  wake(): void;
  /** The caller stopped iterating: the thread ends the iterator (its `finally` runs); `result` then resolves. */
  cancel(): void;
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
  /** Calls waiting for any thread, and calls with a key not yet given their thread. */
  readonly #queue = new CallQueue<Call>();
  /** Calls counted in `#queued`: waiting in `#queue` or in `#waitingFor`. */
  #queued = 0;
  #seq = 0;
  /** Key affinity, from the first call with a key: which thread runs each key's calls. */
  #keys: KeySlots | undefined;
  /** Per thread id: the calls with a key that wait for that thread. */
  readonly #waitingFor = new Map<number, CallQueue<Call>>();
  /** Calls handed to a thread and not settled. */
  #running = 0;
  /** Executor runs in flight: threads busy (a run is one call or one batch). */
  #busy = 0;
  /** Queued calls marked `alone`. */
  #owed = 0;
  /** What the executor was last told by `demand`: calls wait for a thread. */
  #waiting = false;
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
  /** Streaming calls not yet answered, by call id. */
  readonly #streams = new Map<number, Call>();
  #idleWaiters: (() => void)[] = [];

  constructor(executor: Executor, maxQueue: number, abortGracePeriod: number) {
    this.#executor = executor;
    this.#maxQueue = maxQueue;
    this.#abortGracePeriod = abortGracePeriod;
    // A thread finished starting (a new one or a replacement): it takes the calls waiting here.
    executor.threads?.onIdle(() => {
      if (this.#queued > 0) this.#pump();
    });
  }

  /** Calls waiting for a thread. */
  get queueSize(): number {
    return this.#queued - this.#owed;
  }

  /** Whether another call can be taken: the queue has room, or a thread is free to run it at once. */
  hasRoom(): boolean {
    // Calls queued for a thread that is free or starting for them (`alone`) hold no place in the queue.
    const waiting = this.#queued - this.#owed;
    return waiting < this.#maxQueue || (waiting === 0 && this.#busy + this.#owed < this.#executor.size);
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

  /**
   * Queues a streaming call (`request.stream` is its `highWaterMark`, `request.credit` its shared credit); its items go to `onItems` as
   * they arrive, and the stream's consumer gives credit and cancellation through what this returns.
   */
  submitStream(
    record: TaskRecord,
    request: TaskRequest,
    transfer: readonly Transferable[],
    options: CallOptions | undefined,
    onItems: (items: readonly unknown[]) => void,
    trace?: CallTrace,
  ): StreamCall {
    const id = nextCallId++;
    const result = this.submit(record, { ...request, call: id }, transfer, options, onItems, trace);
    return {
      result,
      wake: () => {
        if (this.#streams.get(id)?.state === 'running') this.#executor.controlStream({ type: 'wake', call: id });
      },
      cancel: () => {
        const call = this.#streams.get(id);
        if (call === undefined || call.answered) return;
        if (call.state === 'queued') {
          // Never started: it leaves the queue, and the stream simply ends.
          call.state = 'done';
          this.#queued--;
          this.#unowe(call);
          call.unlisten?.();
          call.answered = true;
          this.#streams.delete(id);
          call.resolve(undefined);
          this.#notify();
          return;
        }
        if (call.state === 'running') this.#executor.controlStream({ type: 'cancel', call: id });
      },
    };
  }

  /** Queues a call; the promise settles with its result or error. */
  submit(
    record: TaskRecord,
    request: TaskRequest,
    transfer: readonly Transferable[],
    options: CallOptions | undefined,
    onItems?: (items: readonly unknown[]) => void,
    trace?: CallTrace,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const abortable = options !== undefined && (options.signal !== undefined || options.timeout !== undefined);
      const onProgress = options?.onProgress;
      let sent = abortable && request.call === undefined ? { ...request, call: nextCallId++ } : request;
      if (onProgress !== undefined) sent = { ...sent, progress: true };
      const call: Call = {
        record,
        request: sent,
        transfer,
        resolve,
        reject,
        options,
        submitted: performance.now(),
        seq: this.#seq++,
        priority: options?.priority ?? 0,
        key: this.#executor.threads === undefined ? undefined : options?.key,
        dispatched: 0,
        state: 'queued',
        alone: false,
        answered: false,
        stop: undefined,
        timer: undefined,
        unlisten: undefined,
        onEvent:
          onProgress === undefined && onItems === undefined
            ? undefined
            : (message) => {
                this.#onEvent(call, message, onProgress, onItems);
              },
        trace,
      };
      if (onItems !== undefined && sent.call !== undefined) this.#streams.set(sent.call, call);
      const signal = options?.signal;
      if (signal !== undefined) {
        if (signal.aborted) {
          call.state = 'done';
          call.answered = true;
          this.#failed++;
          if (sent.call !== undefined) this.#streams.delete(sent.call);
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
      if (call.key !== undefined) this.#useKeys();
      // No backlog: a thread is free or starting for this call, which goes out alone once one is ready.
      // A call with a key is owed only its own thread, which may be busy: it is never promised a free one.
      if (call.key === undefined && this.#busy + this.#owed < this.#executor.size && this.#queued === this.#owed) {
        call.alone = true;
        // Promised the thread that is free or starting for it: it goes out before any call queued after it, as it would have at once.
        call.priority = Infinity;
        this.#owed++;
      }
      this.#queue.push(call);
      this.#queued++;
      this.#pump();
    });
  }

  /** From the first call with a key: key affinity. */
  #useKeys(): void {
    const threads = this.#executor.threads;
    if (this.#keys !== undefined || threads === undefined) return;
    this.#keys = new KeySlots(threads);
  }

  /** A queued call leaves the queue (it starts, or ends before starting): no longer owed a thread. */
  #unowe(call: Call): void {
    if (!call.alone) return;
    call.alone = false;
    this.#owed--;
  }

  /** Rejects every queued call with `error` (the pool is being destroyed), and every call queued from now on. */
  dropQueued(error: () => Error): void {
    this.#dropped = error;
    const queued = this.#queue.drain();
    for (const waiting of this.#waitingFor.values()) queued.push(...waiting.drain());
    this.#waitingFor.clear();
    this.#queued = 0;
    this.#owed = 0;
    for (const call of queued) {
      call.state = 'done';
      this.#answer(call, undefined, error());
    }
    this.#notify();
  }

  stats(threads: number): PoolStats {
    const elapsed = performance.now() - this.#started;
    const lived = this.#executor.threadStats?.();
    const threadMs = lived?.threadMs ?? threads * elapsed;
    return {
      threads,
      started: lived?.started ?? 0,
      reaped: lived?.reaped ?? 0,
      idle: Math.max(0, threads - this.#busy),
      queued: this.#queued,
      running: this.#running,
      completed: this.#completed,
      failed: this.#failed,
      messages: this.#messages,
      utilization: threadMs <= 0 ? 0 : Math.min(1, this.#busyMs / threadMs),
      runTime: this.#runTimes.percentiles(),
      waitTime: this.#waitTimes.percentiles(),
    };
  }

  /**
   * Hands queued calls to the executor while it has a free thread (ready, context built): the
   * executor keeps no queue of its own. A call goes out alone when there was no backlog (no latency
   * added); a backlog goes out in batches, spread over the threads.
   */
  #pump(): void {
    while (this.#busy < this.#executor.capacity && this.#queued > 0) {
      if (this.#keys !== undefined) {
        if (!this.#sendKeyed()) break;
        continue;
      }
      const first = this.#take(this.#queue);
      if (first === undefined) break;
      // Spread the backlog over all the threads (not only the free ones, or the first thread to free
      // up would take it all), in at least two batches each, so that uneven calls even out.
      const size = first.alone ? 1 : this.#batchSize();
      if (size === 1 || !this.#batchable(first)) {
        this.#dispatch(first, undefined);
        continue;
      }
      const batch = [first];
      while (batch.length < size && this.#queued > 0) {
        const call = this.#queue.peek();
        if (call === undefined || call.alone || !this.#batchable(call)) break;
        batch.push(call);
        this.#take(this.#queue);
      }
      if (batch.length === 1) this.#dispatch(first, undefined);
      else this.#dispatchBatch(batch, undefined);
    }
    this.#notify();
  }

  #batchSize(): number {
    return Math.min(MAX_BATCH, Math.ceil((this.#queued + 1) / (this.#executor.size * 2)));
  }

  /** Takes the first call of `queue` (one of the scheduler's). */
  #take(queue: CallQueue<Call>): Call | undefined {
    const call = queue.shift();
    if (call !== undefined) this.#queued--;
    return call;
  }

  /**
   * The pump once keys are in use: the next run goes to the idle thread whose next call goes first,
   * that call being the first of its own calls (those with a key it runs) or the first call any
   * thread may run, whichever is ahead in line (priority, then order). So a thread's keyed calls and
   * the calls without a key share it in line order: neither starves the other; and a keyed call whose
   * thread is busy waits for it without holding up the calls behind it. A call any thread may run
   * goes preferably to a thread with no calls of its own waiting.
   */
  #sendKeyed(): boolean {
    const threads = this.#executor.threads;
    if (threads === undefined) return false;
    this.#rehome(threads);
    const shared = this.#sharedHead();
    let best = shared;
    let target: number | undefined;
    let spare: number | undefined;
    const idle = threads.idle();
    for (const thread of idle) {
      const own = this.#waitingFor.get(thread)?.peek();
      if (own === undefined) spare ??= thread;
      else if (best === undefined || before(own, best)) {
        best = own;
        target = thread;
      }
    }
    if (best === undefined) return false;
    // A call any thread may run: to an idle thread with nothing of its own waiting if there is one.
    if (target === undefined) target = spare ?? idle[0];
    const first = this.#take(this.#sourceFor(target) ?? this.#queue);
    if (first === undefined) return false;
    const size = first.alone ? 1 : this.#batchSize();
    const batch = [first];
    while (size > 1 && this.#batchable(first) && batch.length < size && this.#queued > 0) {
      const source = this.#sourceFor(target);
      const call = source?.peek();
      if (source === undefined || call === undefined || call.alone || !this.#batchable(call)) break;
      batch.push(call);
      this.#take(source);
    }
    if (batch.length === 1) this.#dispatch(first, target);
    else this.#dispatchBatch(batch, target);
    return true;
  }

  /** The queue whose first call goes next on `thread` (any thread if undefined): that thread's own, or the shared one. */
  #sourceFor(thread: number | undefined): CallQueue<Call> | undefined {
    const shared = this.#sharedHead();
    const ownQueue = thread === undefined ? undefined : this.#waitingFor.get(thread);
    const own = ownQueue?.peek();
    if (own !== undefined && (shared === undefined || before(own, shared))) return ownQueue;
    return shared === undefined ? undefined : this.#queue;
  }

  /**
   * The first call of the shared queue that any thread may run: calls with a key met on the way go
   * to the queue of their key's thread. Undefined if the shared queue holds none, or its first call
   * has a key and no thread lives to take it yet.
   */
  #sharedHead(): Call | undefined {
    const keys = this.#keys;
    for (;;) {
      const head = this.#queue.peek();
      if (head?.key === undefined || keys === undefined) return head;
      const thread = keys.threadOf(head.key);
      if (thread === undefined) return undefined;
      this.#queue.shift();
      let queue = this.#waitingFor.get(thread);
      if (queue === undefined) this.#waitingFor.set(thread, (queue = new CallQueue<Call>()));
      queue.insert([head]);
    }
  }

  /** The calls waiting for a thread that no longer takes calls go back in line, to be given a live thread. */
  #rehome(threads: NonNullable<Executor['threads']>): void {
    for (const [thread, queue] of this.#waitingFor) {
      if (threads.isLive(thread)) continue;
      this.#waitingFor.delete(thread);
      this.#queue.insert(queue.drain());
    }
  }

  /** A call can share a message with others when nothing about it needs a run of its own. */
  #batchable(call: Call): boolean {
    return (
      this.#executor.runBatch !== undefined && call.request.call === undefined && call.request.barrier === undefined && call.transfer.length === 0
    );
  }

  #start(call: Call, now: number): void {
    this.#unowe(call);
    call.state = 'running';
    call.dispatched = now;
    this.#running++;
  }

  #dispatch(call: Call, thread: number | undefined): void {
    this.#start(call, performance.now());
    const barrier = call.request.barrier;
    if (barrier !== undefined && call.priority !== Infinity) this.#promoteParts(barrier);
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
    this.#executor.run(call.request, call.transfer, call.stop?.signal, thread, call.onEvent, threadSetter(call.trace)).then(
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

  #dispatchBatch(calls: Call[], thread: number | undefined): void {
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
      thread,
      (index, message) => {
        calls[index]?.onEvent?.(message);
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
    this.#queue.insert(calls);
    this.#queued += calls.length;
  }

  /**
   * The first part of a broadcast has gone to a thread, which holds it until every thread has taken
   * a part: its other parts (queued right behind it, since they were queued together) go ahead of
   * every other call, whatever its priority, so that the threads holding parts are not kept waiting
   * behind calls that came later.
   */
  #promoteParts(barrier: NonNullable<TaskRequest['barrier']>): void {
    const parts: Call[] = [];
    for (let next = this.#queue.peek(); next?.request.barrier === barrier; next = this.#queue.peek()) {
      this.#queue.shift();
      parts.push(next);
    }
    for (const part of parts) {
      part.priority = Infinity;
      this.#queue.push(part);
    }
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

  /** What a running call sent before its result: to the caller while the call is not answered. */
  #onEvent(
    call: Call,
    message: CallEventMessage,
    onProgress: ((value: unknown) => void) | undefined,
    onItems: ((items: readonly unknown[]) => void) | undefined,
  ): void {
    if (call.answered) return;
    if (message.type === 'items') {
      onItems?.(message.items);
      return;
    }
    try {
      onProgress?.(message.value);
    } catch (thrown) {
      // The caller's own callback failed: the call fails with what it threw, and the task is aborted.
      this.#abort(call, thrown instanceof Error ? thrown : Object.assign(new Error(`onProgress threw ${String(thrown)}`), { cause: thrown }));
    }
  }

  /** Settles the caller's promise, once. */
  #answer(call: Call, response: TaskResponse | undefined, error: unknown): void {
    call.unlisten?.();
    if (call.answered) return;
    call.answered = true;
    if (call.onEvent !== undefined && call.request.call !== undefined) this.#streams.delete(call.request.call);
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
  #abort(call: Call, error: AsyncThreadPoolError | Error): void {
    if (call.answered) return;
    if (call.state === 'queued') {
      // Still waiting: it leaves the queue and never runs.
      call.state = 'done';
      this.#queued--;
      this.#unowe(call);
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
    const waiting = this.#queued > 0;
    if (waiting !== this.#waiting) {
      this.#waiting = waiting;
      this.#executor.demand?.(waiting);
    }
    if (this.#roomWaiters.length > 0 && this.hasRoom()) for (const wake of this.#roomWaiters.splice(0)) wake();
    if (this.#idleWaiters.length > 0 && this.#queued === 0 && this.#busy === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
  }
}
