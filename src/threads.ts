import type { Piscina } from 'piscina';
import type { MessagePort, Worker } from 'node:worker_threads';
import { type AsyncThreadPoolError, fail, reviveThrown } from './errors';
import type { ControlRequest, ControlResponse, HelloMessage, SerializedThrown, TaskResponse } from './protocol';

/** What the pool knows of one of its threads. */
interface ThreadEntry {
  readonly worker: Worker;
  /** Kept apart: `worker.threadId` reads -1 once the thread has exited. */
  readonly threadId: number;
  /** The thread's control port, once its hello arrived. */
  port: MessagePort | undefined;
  /** `ready` once its context is up; a thread that exits while `starting` failed to start. */
  status: 'starting' | 'ready';
  /** The last error the thread raised (an uncaught throw), kept as the cause of its exit. */
  error: unknown;
  readonly portWaiters: ((port: MessagePort | undefined) => void)[];
  /** Control requests for a thread whose port has not arrived yet, sent when it does. */
  readonly early: ControlRequest[];
  onDisposed: ((reply: ControlResponse | undefined) => void) | undefined;
}

/**
 * The pool's view of its threads, beside Piscina's: each thread's control port (for disposing its
 * context), whether its context came up, and how it ended. Piscina starts and replaces the threads;
 * this notices a thread that cannot start (its context's `init()` threw, or it died before being
 * ready) and reports it once through `onBroken`, so that the pool stops rather than letting threads
 * be restarted over and over.
 */
export class PoolThreads {
  readonly #piscina: Piscina;
  readonly #hasContext: boolean;
  readonly #onBroken: (error: AsyncThreadPoolError) => void;
  readonly #entries = new Map<number, ThreadEntry>();
  /** Where the streamed responses of each batch in flight go, by batch id. */
  readonly #batches = new Map<number, (index: number, response: TaskResponse) => void>();
  /** Threads the pool is ending on purpose (an aborted call's grace period ran out). */
  #expectedExits = 0;

  constructor(piscina: Piscina, hasContext: boolean, onBroken: (error: AsyncThreadPoolError) => void) {
    this.#piscina = piscina;
    this.#hasContext = hasContext;
    this.#onBroken = onBroken;
    piscina.on('message', (message: unknown) => {
      if (isHello(message)) this.#onHello(message);
    });
    // A thread's uncaught error also reaches its tasks (as their rejection) and its exit listener
    // below; Piscina re-emits it here when no task was running, where it must not crash the process.
    piscina.on('error', () => undefined);
    this.#trackNewThreads();
  }

  /** Asks every live thread to dispose its context; resolves with what the disposals threw. */
  async disposeAll(): Promise<unknown[]> {
    const results = await Promise.all([...this.#entries.values()].map((entry) => this.#dispose(entry)));
    return results.filter((error) => error !== undefined);
  }

  /** Asks every thread to abort the running call `call`; the one running it aborts its signal. */
  abort(call: number, reason: SerializedThrown): void {
    const request: ControlRequest = { type: 'abort', call, reason };
    for (const entry of this.#entries.values()) {
      // A thread still starting may already hold the call in its port: tell it as soon as it can hear.
      if (entry.port === undefined) entry.early.push(request);
      else entry.port.postMessage(request);
    }
  }

  /** Routes the responses a thread streams for batch `id` (until `unroute`). */
  route(id: number, onResponse: (index: number, response: TaskResponse) => void): void {
    this.#batches.set(id, onResponse);
  }

  unroute(id: number): void {
    this.#batches.delete(id);
  }

  /** The pool is about to end a thread on purpose: its exit, even while starting, is no failure. */
  expectExit(): void {
    this.#expectedExits++;
  }

  /** Closes the control ports (the threads are ending). */
  release(): void {
    for (const entry of this.#entries.values()) {
      entry.port?.close();
      for (const wake of entry.portWaiters.splice(0)) wake(undefined);
      entry.onDisposed?.(undefined);
    }
    this.#entries.clear();
  }

  /** Piscina adds a thread at start and after one exits: follow every thread it has. */
  #trackNewThreads(): void {
    for (const worker of this.#piscina.threads) {
      if (this.#entries.has(worker.threadId)) continue;
      const entry: ThreadEntry = { worker, threadId: worker.threadId, port: undefined, status: 'starting', error: undefined, portWaiters: [], early: [], onDisposed: undefined };
      this.#entries.set(worker.threadId, entry);
      worker.on('error', (error) => {
        entry.error = error;
      });
      // Registered after Piscina's own exit listener, so by now Piscina has replaced the thread.
      worker.once('exit', (code) => {
        this.#onExit(entry, code);
      });
    }
  }

  #onExit(entry: ThreadEntry, code: number): void {
    this.#entries.delete(entry.threadId);
    for (const wake of entry.portWaiters.splice(0)) wake(undefined);
    entry.onDisposed?.(undefined);
    const expected = this.#expectedExits > 0;
    if (expected) this.#expectedExits--;
    if (entry.status === 'starting' && !expected) {
      // Piscina does not replace a thread that fails while starting (and stops replacing any
      // thread after that), so the pool cannot go on: report it broken.
      const cause = entry.error ?? new Error(`worker exited with code: ${String(code)}`);
      this.#onBroken(
        this.#hasContext
          ? fail('ERR_CONTEXT_INIT_FAILED', `A thread exited while building its context: ${messageOf(cause)}`, cause)
          : fail('ERR_WORKER_EXITED', `A thread exited while starting: ${messageOf(cause)}`, cause),
      );
      return;
    }
    this.#trackNewThreads();
  }

  #onHello(message: HelloMessage): void {
    this.#trackNewThreads();
    const entry = this.#entries.get(message.threadId);
    if (entry === undefined) {
      message.port.close();
      return;
    }
    entry.port = message.port;
    message.port.on('message', (reply: ControlResponse) => {
      this.#onControl(entry, reply);
    });
    // The main thread must not be kept alive by a control port (and `on('message')` refs it).
    message.port.unref();
    for (const request of entry.early.splice(0)) message.port.postMessage(request);
    for (const wake of entry.portWaiters.splice(0)) wake(message.port);
  }

  #onControl(entry: ThreadEntry, reply: ControlResponse): void {
    switch (reply.type) {
      case 'result':
        this.#batches.get(reply.batch)?.(reply.index, reply.response);
        return;
      case 'ready':
        entry.status = 'ready';
        return;
      case 'init-failed': {
        const cause = reviveThrown(reply.error, () => undefined);
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
    entry.worker.ref();
    try {
      const port =
        entry.port ?? (await new Promise<MessagePort | undefined>((resolve) => entry.portWaiters.push(resolve)));
      if (port === undefined) return undefined;
      const reply = await new Promise<ControlResponse | undefined>((resolve) => {
        entry.onDisposed = resolve;
        const request: ControlRequest = { type: 'dispose' };
        port.postMessage(request);
      });
      return reply?.type === 'disposed' && reply.error !== null ? reviveThrown(reply.error, () => undefined) : undefined;
    } finally {
      entry.worker.unref();
    }
  }
}

function isHello(message: unknown): message is HelloMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'asyncthreadpool:hello';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
