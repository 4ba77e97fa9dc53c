import type { Piscina } from 'piscina';
import { MessagePort, type Transferable, type Worker } from 'node:worker_threads';
import { type AsyncThreadPoolError, fail, messageOf, reviveBuiltin } from '../shared/errors';
import type {
  CallEventMessage,
  ControlRequest,
  ControlResponse,
  HelloMessage,
  SerializedThrown,
  StreamControlRequest,
  TaskRequest,
  TaskResponse,
} from '../shared/protocol';
import { threadExited } from './call';

/**
 * Calls for one thread, run in order (one call, or a backlog's batch), and where their responses go.
 * `done` once every response arrived; `failed` with the thread's failure if it died first (the
 * responses it posted before dying have arrived by then).
 */
export interface Run {
  readonly requests: readonly TaskRequest[];
  readonly transfer: readonly Transferable[];
  readonly onResponse: (index: number, response: TaskResponse) => void;
  /** What the `index`-th call sends before its result (progress, streamed items). */
  readonly onEvent?: (index: number, message: CallEventMessage) => void;
  readonly done: () => void;
  readonly failed: (error: unknown) => void;
  /**
   * Posting the run threw (structured clone refused something in it): nothing of it reached the
   * thread, which is free again. Without it, `failed` is called.
   */
  readonly refused?: (error: unknown) => void;
  /** Told the id of the thread the run is sent to (tracing). */
  readonly onThread?: ((threadId: number) => void) | undefined;
}

/**
 * Internal, for this package's tests only (not exported from the package): told of every run handed
 * to a thread, with the thread's id and the requests it carried, so that a test can check the
 * dispatch decisions themselves instead of timing outcomes. One property read per run when unset.
 */
export const dispatchProbe: { onSend: ((threadId: number, requests: readonly TaskRequest[]) => void) | undefined } = { onSend: undefined };

/** How an elastic pool grows: up to `max` threads, one Piscina of one thread each above `min`. */
export interface Elastic {
  readonly max: number;
  /** Ms a thread above `min` may stay idle before it is reaped. */
  readonly idleTimeout: number;
  /** Starts one more thread: a Piscina of one thread, with the pool's options. */
  readonly start: () => Piscina;
}

/** How long a dead thread's port may take to close before its run fails anyway. */
const PORT_CLOSE_LIMIT_MS = 1000;

interface ActiveRun {
  readonly run: Run;
  received: number;
}

/** What the pool knows of one of its threads. */
interface ThreadEntry {
  readonly worker: Worker;
  /** The Piscina that started it: the pool's (`min` threads), or an elastic thread's own. */
  readonly group: Piscina;
  /** An elastic thread's idle timer, re-armed each time it frees up. */
  reapTimer: NodeJS.Timeout | undefined;
  /** An elastic thread being reaped: resolves with what its context's disposal threw, once its thread ended. */
  reaping: Promise<unknown> | undefined;
  /** Kept apart: `worker.threadId` reads -1 once the thread has exited. */
  readonly threadId: number;
  /** The thread's control port, once its hello arrived. */
  port: MessagePort | undefined;
  /** The port closed: every message the thread posted has arrived. */
  closed: boolean;
  /** `ready` once its context is up (it takes calls from then on); a thread that exits while `starting` failed to start. */
  status: 'starting' | 'ready';
  /** Counted in `ready`: its context is up and it takes calls. */
  counted: boolean;
  /** What it is running. */
  active: ActiveRun | undefined;
  /** The pool ended it on purpose (an aborted call's grace period ran out). */
  ending: boolean;
  /** Its worker is referenced for calls: it runs some, or some wait for it to start. */
  held: boolean;
  /** Its worker is referenced until its context's disposal answers. */
  disposing: boolean;
  /** The last error the thread raised (an uncaught throw), kept as the cause of its exit. */
  error: unknown;
  readonly portWaiters: ((port: MessagePort | undefined) => void)[];
  onDisposed: ((reply: ControlResponse | undefined) => void) | undefined;
  /** Wakes the exit handler once the port has closed. */
  onClosed: (() => void) | undefined;
  /** Breaks the pool if the context is not up within `contextTimeout`. */
  initTimer: NodeJS.Timeout | undefined;
}

/**
 * The pool's threads and its dispatch. Piscina starts the threads and replaces one that dies; this
 * follows each thread through its control port, and hands it calls there, one run at a time, once
 * its context is up: one message each way per call, a backlog's batch in one message. It notices a
 * thread that cannot start (its context's `init()` threw, or it died before being ready) and reports
 * it once through `onBroken`, so that the pool stops rather than letting threads be restarted over
 * and over.
 *
 * An elastic pool (`elastic` set) starts one more thread, as a Piscina of one thread, while calls
 * wait (`demand`), no thread is idle or starting, and it has fewer than `max`: one at a time. A
 * thread above `min` idle for `idleTimeout` stops taking calls at once, disposes its context, and
 * its Piscina is destroyed (`end` waits for that).
 *
 * It keeps no queue: calls wait only in the scheduler's. It counts the threads that are ready
 * (`ready`), the scheduler hands out no more runs than that, and `onIdle` tells it when a thread
 * that finished starting (a new one, or a replacement) can take one.
 *
 * What this relies on of Piscina: its documented surface (`threads`, its `message` and `error`
 * events, `destroy`), and two behaviours it does not document, marked where used: it has replaced
 * a dead thread (in `threads`) by the time a listener registered after its own sees `exit`, and it
 * stops replacing threads once one failed while starting.
 */
export class PoolThreads {
  readonly #piscina: Piscina;
  /** How many threads the pool's Piscina keeps (an elastic pool's `min`). */
  readonly #threads: number;
  readonly #elastic: Elastic | undefined;
  /** The elastic threads' Piscinas counted as threads: from their start until their reaping starts (or their thread is gone). */
  readonly #extras = new Set<Piscina>();
  /**
   * Every elastic Piscina not yet destroyed, with its destruction once under way: `end` waits for
   * each, those a reap is destroying included.
   */
  readonly #groups = new Map<Piscina, Promise<void> | undefined>();
  /** Elastic threads started, and reaped (their context disposed, their thread ended), since the pool started. */
  #started = 0;
  #reaped = 0;
  /** Thread-ms lived up to `#livedSince`, and the thread count since then. */
  #livedMs = 0;
  #livedSince = performance.now();
  /** What reaped threads' disposals threw, reported by the next `disposeAll`. */
  readonly #reapErrors: unknown[] = [];
  /** `disposeAll` is under way (the pool closes): no thread is reaped from then on. */
  #closing = false;
  readonly #hasContext: boolean;
  readonly #onBroken: (error: AsyncThreadPoolError) => void;
  /** How long a context may take to build, and to dispose (ms; `Infinity`: no bound). */
  readonly #contextTimeout: number;
  readonly #entries = new Map<number, ThreadEntry>();
  /** Ready threads with nothing to run; the last freed is reused first (it is the warmest). */
  readonly #idle: ThreadEntry[] = [];
  /** Threads counted as ready (context up, taking calls): the most runs the scheduler hands out at once. */
  #ready = 0;
  /** Calls wait in the scheduler's queue for a thread (see `demand`). */
  #demand = false;
  #released = false;
  /** Told when a thread that finished starting is idle (key affinity: calls may wait for that thread). */
  #onIdle: (() => void) | undefined;
  /** What a hello from one of this pool's threads carries (see `PoolWorkerData.nonce`). */
  readonly #nonce: string;

  constructor(
    piscina: Piscina,
    threads: number,
    hasContext: boolean,
    onBroken: (error: AsyncThreadPoolError) => void,
    contextTimeout: number,
    nonce: string,
    elastic?: Elastic,
  ) {
    this.#elastic = elastic;
    this.#nonce = nonce;
    this.#piscina = piscina;
    this.#threads = threads;
    this.#hasContext = hasContext;
    this.#onBroken = onBroken;
    this.#contextTimeout = contextTimeout;
    this.#listen(piscina);
    this.#trackNewThreads();
  }

  /** Threads now, ready or starting: the pool's Piscina's, and the elastic threads not being reaped. */
  get threads(): number {
    return this.#threads + this.#extras.size;
  }

  /** Elastic threads started and reaped, and thread-ms lived, since the pool started. */
  threadStats(): { started: number; reaped: number; threadMs: number } {
    return { started: this.#started, reaped: this.#reaped, threadMs: this.#livedMs + this.threads * (performance.now() - this.#livedSince) };
  }

  /** Threads ready (context up), not ending nor dying: each runs a run or is idle. */
  get ready(): number {
    return this.#ready;
  }

  /**
   * Calls wait in the scheduler's queue for a thread (or no longer): while they do, the threads
   * starting keep the process alive (they will take them once ready).
   */
  demand(waiting: boolean): void {
    this.#demand = waiting;
    for (const entry of this.#entries.values()) if (entry.status === 'starting') this.#hold(entry, waiting);
    if (waiting) this.#grow();
  }

  /**
   * Runs `run` on a ready thread with nothing to do; with `thread` (key affinity), on that thread if
   * it is idle. The scheduler hands out no more runs than `ready`, so there is one: calls wait in its
   * queue, nowhere else. Should there be none, the run fails rather than wait.
   */
  start(run: Run, thread?: number): void {
    if (this.#released) {
      run.failed(fail('ERR_POOL_CLOSED', 'The pool has ended its threads'));
      return;
    }
    const entry = (thread === undefined ? undefined : this.#takeIdle(thread)) ?? this.#idle.pop();
    if (entry === undefined) {
      run.failed(fail('ERR_WORKER_EXITED', 'No thread was ready to take the call'));
      return;
    }
    this.#send(entry, run);
  }

  /**
   * Ends the thread running `run` (its call was aborted and ignored the signal past the grace
   * period); Piscina replaces it, with a new context.
   */
  stop(run: Run): void {
    for (const entry of this.#entries.values()) {
      if (entry.active?.run !== run) continue;
      entry.ending = true;
      this.#uncount(entry);
      void entry.worker.terminate();
    }
  }

  /** Asks the thread running the call `call` to abort it. */
  abort(call: number, reason: SerializedThrown): void {
    const request: ControlRequest = { type: 'abort', call, reason };
    for (const entry of this.#entries.values()) {
      if (entry.active?.run.requests.some((one) => one.call === call) === true) entry.port?.postMessage(request);
    }
  }

  // Key affinity (the scheduler runs a key's calls on one thread): which threads live and idle, by id.

  /** Threads that take calls, or will once started: not those dying or being ended. In start order. */
  live(): number[] {
    const live: number[] = [];
    for (const entry of this.#entries.values()) if (this.#takesCalls(entry)) live.push(entry.threadId);
    return live;
  }

  isLive(thread: number): boolean {
    const entry = this.#entries.get(thread);
    return entry !== undefined && this.#takesCalls(entry);
  }

  /** Ready threads with nothing to run. */
  idle(): number[] {
    return this.#idle.map((entry) => entry.threadId);
  }

  /** `listener` is called when a thread that finished starting becomes idle. */
  onIdle(listener: () => void): void {
    this.#onIdle = listener;
  }

  #takesCalls(entry: ThreadEntry): boolean {
    return !entry.ending && entry.error === undefined && !this.#released;
  }

  /** Takes the thread `thread` off the idle list, if it is there. */
  #takeIdle(thread: number): ThreadEntry | undefined {
    const index = this.#idle.findIndex((entry) => entry.threadId === thread);
    return index === -1 ? undefined : this.#idle.splice(index, 1)[0];
  }

  /** Passes the caller's wake or cancellation to the thread running the streaming call. */
  controlStream(request: StreamControlRequest): void {
    const call = request.call;
    for (const entry of this.#entries.values()) {
      if (entry.active?.run.requests.some((one) => one.call === call) === true) entry.port?.postMessage(request);
    }
  }

  /**
   * Asks every live thread to dispose its context, and waits for the reaps under way; resolves with
   * what the disposals threw, those of threads reaped earlier included. No thread is reaped after.
   */
  async disposeAll(): Promise<unknown[]> {
    this.#closing = true;
    for (const entry of this.#entries.values()) clearTimeout(entry.reapTimer);
    const results = await Promise.all([...this.#entries.values()].map((entry) => entry.reaping ?? this.#dispose(entry)));
    return [...this.#reapErrors.splice(0), ...results.filter((error) => error !== undefined)];
  }

  /** Destroys the elastic threads' Piscinas (the pool's own is the backend's), waiting for those a reap is destroying. */
  async endExtras(): Promise<void> {
    this.#released = true;
    await Promise.all([...this.#groups.keys()].map((group) => this.#destroyGroup(group)));
  }

  /** The threads are ending: closes the control ports. */
  release(): void {
    this.#released = true;
    for (const entry of this.#entries.values()) {
      clearTimeout(entry.reapTimer);
      entry.port?.close();
      for (const wake of entry.portWaiters.splice(0)) wake(undefined);
      entry.onDisposed?.(undefined);
    }
    this.#entries.clear();
    this.#idle.length = 0;
    this.#ready = 0;
  }

  /** Follows a Piscina's threads: their hellos, and their errors. */
  #listen(group: Piscina): void {
    // Also what tasks post on `parentPort`: only a hello with the nonce is the library's, and
    // nothing a task posts can throw here (it would crash the caller's process).
    group.on('message', (message: unknown) => {
      if (isHello(message, this.#nonce)) this.#onHello(message);
    });
    // A thread's uncaught error reaches its run (as its failure) through the exit listener below;
    // Piscina re-emits it here, where it must not crash the process.
    group.on('error', () => undefined);
  }

  /** The thread count is about to change: the time lived so far is added up first. */
  #recount(): void {
    const now = performance.now();
    this.#livedMs += this.threads * (now - this.#livedSince);
    this.#livedSince = now;
  }

  /**
   * Starts one more elastic thread if calls wait, every thread is busy (none idle, none starting:
   * those take the waiting calls) and the pool has fewer than `max`: one at a time, each new one
   * taking calls once its context is built.
   */
  #grow(): void {
    const elastic = this.#elastic;
    if (elastic === undefined || this.#released || this.#closing || !this.#demand || this.threads >= elastic.max) return;
    if (this.#idle.length > 0) return;
    for (const entry of this.#entries.values()) if (entry.status === 'starting' && this.#takesCalls(entry)) return;
    this.#recount();
    this.#started++;
    const group = elastic.start();
    this.#extras.add(group);
    this.#groups.set(group, undefined);
    this.#listen(group);
    this.#trackNewThreads();
  }

  /**
   * An elastic thread was idle for `idleTimeout`: it stops taking calls now (synchronously, so no
   * run handed out after this goes to it: the scheduler sees one ready thread fewer and a call that
   * arrives waits in its queue for another thread, or a new one), then its context is disposed
   * (bounded by `contextTimeout`) and its Piscina destroyed. Its keys move to live threads as a
   * dead thread's do (it is no longer live).
   */
  #reap(entry: ThreadEntry): void {
    if (this.#released || this.#closing || entry.active !== undefined || entry.ending || entry.error !== undefined || entry.reaping !== undefined) return;
    const at = this.#idle.indexOf(entry);
    if (at === -1) return;
    this.#idle.splice(at, 1);
    this.#uncount(entry);
    entry.ending = true;
    this.#recount();
    this.#extras.delete(entry.group);
    entry.reaping = (async () => {
      const error = this.#hasContext ? await this.#dispose(entry) : undefined;
      await this.#destroyGroup(entry.group);
      this.#reaped++;
      return error;
    })();
    void entry.reaping.then((error) => {
      // Reported by close(), unless close() is under way and reports it itself.
      if (error !== undefined && !this.#closing) this.#reapErrors.push(error);
    });
  }

  /** Destroys an elastic Piscina, once: a second caller gets the same destruction. */
  #destroyGroup(group: Piscina): Promise<void> {
    const under = this.#groups.get(group);
    if (under !== undefined) return under;
    if (!this.#groups.has(group)) return Promise.resolve();
    const destroying = group.destroy().then(() => {
      // As the backend does for the pool's Piscina: an async resource until garbage collection otherwise.
      group.emitDestroy();
    });
    this.#groups.set(group, destroying);
    return destroying;
  }

  /** No longer counted as ready (being ended, dying or exited). */
  #uncount(entry: ThreadEntry): void {
    if (!entry.counted) return;
    entry.counted = false;
    this.#ready--;
  }

  /**
   * What keeps the process alive for a thread's calls: its worker, referenced while it runs calls or
   * calls wait for it to start. Not its control port: that port closes as the thread dies, before the
   * worker's `exit` is reported, and with nothing else referenced the process would exit in between
   * with the run (and the calls to re-queue after it) never settled. A dead worker holds nothing.
   */
  #hold(entry: ThreadEntry, on: boolean): void {
    if (entry.held === on) return;
    entry.held = on;
    if (on) entry.worker.ref();
    else if (!entry.disposing) entry.worker.unref();
  }

  #send(entry: ThreadEntry, run: Run): void {
    entry.active = { run, received: 0 };
    dispatchProbe.onSend?.(entry.threadId, run.requests);
    run.onThread?.(entry.threadId);
    const message: ControlRequest = { type: 'run', requests: run.requests };
    try {
      // A thread is ready only with its port. While it runs calls, it keeps the process alive.
      this.#hold(entry, true);
      entry.port?.postMessage(message, run.transfer as Transferable[]);
      // Calls still wait and this was the last idle thread: an elastic pool starts one more.
      if (this.#demand) this.#grow();
    } catch (error) {
      // Structured clone refused an argument: that run fails, the thread is free again.
      entry.active = undefined;
      this.#free(entry);
      (run.refused ?? run.failed)(error);
    }
  }

  /** A ready thread has nothing to run: it is idle, for the scheduler's next run. */
  #free(entry: ThreadEntry): void {
    // Being ended (an abort's grace period ran out), or dying of an uncaught error: its exit is near.
    if (entry.ending || entry.error !== undefined) return;
    this.#idle.push(entry);
    // An idle pool must not keep the process alive.
    this.#hold(entry, false);
    // An elastic thread's idle time starts now (its timer fired harmlessly while it was busy).
    entry.reapTimer?.refresh();
  }

  /** Piscina adds a thread at start and after one exits: follow every thread it has. */
  #trackNewThreads(): void {
    this.#trackThreads(this.#piscina);
    for (const group of this.#extras) this.#trackThreads(group);
  }

  #trackThreads(group: Piscina): void {
    for (const worker of group.threads) {
      if (this.#entries.has(worker.threadId)) continue;
      if (this.#released) {
        // Started by Piscina after the pool ended its threads (a late replacement): end it too.
        void worker.terminate();
        continue;
      }
      const entry: ThreadEntry = {
        worker,
        group,
        reapTimer: undefined,
        reaping: undefined,
        threadId: worker.threadId,
        port: undefined,
        closed: false,
        status: 'starting',
        counted: false,
        active: undefined,
        ending: false,
        held: false,
        disposing: false,
        error: undefined,
        portWaiters: [],
        onDisposed: undefined,
        onClosed: undefined,
        initTimer: undefined,
      };
      this.#entries.set(worker.threadId, entry);
      // A replacement started while calls wait for one: it keeps the process alive until it takes them.
      if (this.#demand) this.#hold(entry, true);
      worker.on('error', (error) => {
        entry.error = error;
        // Dying: it takes no more calls.
        this.#uncount(entry);
        const idle = this.#idle.indexOf(entry);
        if (idle !== -1) this.#idle.splice(idle, 1);
      });
      // Registered after Piscina's own exit listener, so by now Piscina has replaced the thread (a
      // behaviour Piscina does not document).
      worker.once('exit', (code) => {
        this.#onExit(entry, code);
      });
    }
  }

  #onExit(entry: ThreadEntry, code: number): void {
    clearTimeout(entry.initTimer);
    clearTimeout(entry.reapTimer);
    this.#uncount(entry);
    this.#entries.delete(entry.threadId);
    const idle = this.#idle.indexOf(entry);
    if (idle !== -1) this.#idle.splice(idle, 1);
    for (const wake of entry.portWaiters.splice(0)) wake(undefined);
    entry.onDisposed?.(undefined);
    const cause = entry.error ?? threadExited(code);
    if (entry.active !== undefined) void this.#failActive(entry, cause);
    // Reaped: its Piscina is being destroyed, nothing replaces it.
    if (entry.reaping !== undefined) return;
    if (entry.status === 'starting' && !entry.ending && !this.#released) {
      // Piscina does not replace a thread that fails while starting (and stops replacing any
      // thread after that; neither is documented), so the pool cannot go on: report it broken.
      this.#onBroken(
        this.#hasContext
          ? fail('ERR_CONTEXT_INIT_FAILED', `A thread exited while building its context: ${messageOf(cause)}`, cause)
          : fail('ERR_WORKER_EXITED', `A thread exited while starting: ${messageOf(cause)}`, cause),
      );
      return;
    }
    this.#trackNewThreads();
    if (entry.group !== this.#piscina) {
      // An elastic thread died (crashed, or ended after an abort): Piscina replaces it in its own
      // group. If it did not, the group goes (it still counts as started, never as reaped), and the
      // pool grows again while calls wait.
      if (!this.#released && entry.group.threads.length === 0 && this.#extras.has(entry.group)) {
        this.#recount();
        this.#extras.delete(entry.group);
        void this.#destroyGroup(entry.group);
        this.#grow();
      }
      return;
    }
    if (!this.#released && this.#piscina.threads.length < this.#threads) {
      // Piscina did not replace it: it stops replacing threads for good once one failed before
      // Piscina counted it as started. The pool would shrink to nothing and its calls wait forever.
      this.#onBroken(fail('ERR_WORKER_EXITED', `A thread exited and was not replaced: ${messageOf(cause)}`, cause));
    }
  }

  /**
   * The thread died running `entry.active`: wait for the results it posted before dying (its port
   * closes after the last of them), then fail the run, which tells the first call without a result
   * (running) from those after it (never started).
   */
  async #failActive(entry: ThreadEntry, cause: unknown): Promise<void> {
    if (!entry.closed && entry.port !== undefined) {
      await new Promise<void>((resolve) => {
        // Referenced: the worker that kept the process alive for the run is gone, and the run's calls
        // have yet to settle (or to be re-queued). A bound, should the port somehow never close: the
        // run fails rather than hang.
        const limit = setTimeout(resolve, PORT_CLOSE_LIMIT_MS);
        entry.onClosed = () => {
          clearTimeout(limit);
          resolve();
        };
      });
    }
    const active = entry.active;
    if (active === undefined) return;
    entry.active = undefined;
    active.run.failed(cause);
  }

  #onHello(message: HelloMessage): void {
    this.#trackNewThreads();
    const entry = this.#entries.get(message.threadId);
    if (entry === undefined || entry.port !== undefined) {
      // Not a thread of the pool, or not its first hello: a thread says hello once, as it starts.
      message.port.close();
      return;
    }
    entry.port = message.port;
    message.port.once('close', () => {
      entry.closed = true;
      entry.onClosed?.();
    });
    if (this.#hasContext && this.#contextTimeout !== Infinity) {
      // The thread builds its context right after its hello.
      const limit = this.#contextTimeout;
      entry.initTimer = setTimeout(() => {
        if (entry.status !== 'starting' || this.#released) return;
        const cause = new Error(`The context was not ready within contextTimeout (${String(limit)} ms)`);
        this.#onBroken(fail('ERR_CONTEXT_INIT_FAILED', `A thread's context did not finish initialising within ${String(limit)} ms`, cause));
      }, limit);
      entry.initTimer.unref();
    }
    message.port.on('message', (reply: ControlResponse) => {
      this.#onControl(entry, reply);
    });
    // Never keeps the process alive (`on('message')` refs it): the worker does, while it has calls (`#hold`).
    message.port.unref();
    for (const wake of entry.portWaiters.splice(0)) wake(message.port);
  }

  #onControl(entry: ThreadEntry, reply: ControlResponse): void {
    switch (reply.type) {
      case 'result': {
        const active = entry.active;
        if (active !== undefined) {
          active.received++;
          active.run.onResponse(reply.index, reply.response);
          if (active.received === active.run.requests.length) {
            entry.active = undefined;
            if (this.#entries.has(entry.threadId) && !this.#released) this.#free(entry);
            active.run.done();
          }
        }
        return;
      }
      case 'progress':
      case 'items':
        entry.active?.run.onEvent?.(reply.index, reply);
        return;
      case 'ready':
        clearTimeout(entry.initTimer);
        entry.status = 'ready';
        if (this.#entries.has(entry.threadId) && !this.#released && !entry.ending && entry.error === undefined) {
          const elastic = this.#elastic;
          if (elastic !== undefined && entry.group !== this.#piscina && !this.#closing) {
            const timer = setTimeout(() => {
              this.#reap(entry);
            }, elastic.idleTimeout);
            timer.unref();
            entry.reapTimer = timer;
          }
          entry.counted = true;
          this.#ready++;
          this.#free(entry);
          if (entry.active === undefined) this.#onIdle?.();
          // If calls still wait with every thread busy: one more thread.
          this.#grow();
        }
        return;
      case 'init-failed': {
        clearTimeout(entry.initTimer);
        const cause = reviveBuiltin(reply.error);
        this.#onBroken(fail('ERR_CONTEXT_INIT_FAILED', `A thread's context failed to initialise: ${messageOf(cause)}`, cause));
        return;
      }
      case 'disposed':
        entry.onDisposed?.(reply);
        return;
    }
  }

  async #dispose(entry: ThreadEntry): Promise<unknown> {
    // Keep the process alive until the answer comes: `await pool.close()` may be the last thing
    // a program does, and idle threads and control ports are unreferenced.
    entry.disposing = true;
    entry.worker.ref();
    try {
      const port =
        entry.port ?? (await new Promise<MessagePort | undefined>((resolve) => entry.portWaiters.push(resolve)));
      if (port === undefined) return undefined;
      let timer: NodeJS.Timeout | undefined;
      const reply = await new Promise<ControlResponse | 'timeout' | undefined>((resolve) => {
        entry.onDisposed = resolve;
        if (this.#contextTimeout !== Infinity) {
          timer = setTimeout(() => {
            resolve('timeout');
          }, this.#contextTimeout);
        }
        const request: ControlRequest = { type: 'dispose' };
        port.postMessage(request);
      });
      clearTimeout(timer);
      if (reply === 'timeout') return new Error(`dispose() did not finish within contextTimeout (${String(this.#contextTimeout)} ms)`);
      return reply?.type === 'disposed' && reply.error !== null ? reviveBuiltin(reply.error) : undefined;
    } finally {
      entry.disposing = false;
      // Unless it has calls to keep the process alive for.
      if (!entry.held) entry.worker.unref();
    }
  }
}

function isHello(message: unknown, nonce: string): message is HelloMessage {
  if (typeof message !== 'object' || message === null) return false;
  const hello = message as Partial<Record<keyof HelloMessage, unknown>>;
  return hello.type === 'asyncthreadpool:hello' && hello.nonce === nonce && typeof hello.threadId === 'number' && hello.port instanceof MessagePort;
}
