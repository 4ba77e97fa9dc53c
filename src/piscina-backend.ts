import type { Piscina } from 'piscina';
import type * as PiscinaModule from 'piscina';
import type { Transferable } from 'node:worker_threads';
import { WORKER_BOOTSTRAP } from './call';
import type { AsyncThreadPoolError } from './errors';
import { optionalExecArgv } from './exec-argv';
import { moduleRegistry } from './manifest';
import type { ResolvedPoolOptions } from './options';
import type { ContextSpec, PoolWorkerData, SerializedThrown, TaskBatch, TaskRequest, TaskResponse } from './protocol';
import type { Backend } from './scheduler';
import { PoolThreads } from './threads';

/**
 * Runs calls on worker threads through Piscina. Piscina starts, feeds and replaces the threads;
 * `PoolThreads` follows them (control ports, start-up failures). A failure of a thread, not of the
 * task, is handed to `translate` so that the pool can name it for its state.
 */
let nextBatchId = 1;

export class PiscinaBackend implements Backend {
  readonly capacity: number;
  readonly #piscina: Piscina;
  readonly #members: PoolThreads;
  readonly #translate: (error: unknown, taskName: string) => Error;
  #ending: Promise<void> | undefined;

  constructor(
    options: ResolvedPoolOptions<unknown>,
    context: ContextSpec | null,
    onBroken: (error: AsyncThreadPoolError) => void,
    translate: (error: unknown, taskName: string) => Error,
  ) {
    this.capacity = options.threads;
    this.#translate = translate;
    const workerData: PoolWorkerData = { kind: 'asyncthreadpool:pool', context, modules: moduleRegistry() };
    // Loaded here rather than at import: every worker thread imports this library (task modules do)
    // and never needs Piscina's main-thread side, which costs each thread ~8 ms to load.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Piscina } = require('piscina') as typeof PiscinaModule;
    this.#piscina = new Piscina({
      filename: WORKER_BOOTSTRAP,
      name: 'handler',
      minThreads: options.threads,
      maxThreads: options.threads,
      // Threads own contexts: they must never be reaped for being idle.
      idleTimeout: Infinity,
      // 'sync' would freeze each thread's event loop between tasks, stopping contexts' timers and sockets.
      atomics: 'disabled',
      concurrentTasksPerWorker: 1,
      recordTiming: false,
      workerData,
      ...optionalExecArgv(),
      ...(options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits }),
    });
    this.#members = new PoolThreads(this.#piscina, context !== null, onBroken);
  }

  run(request: TaskRequest, transfer: readonly Transferable[], stop: AbortSignal | undefined): Promise<TaskResponse> {
    stop?.addEventListener(
      'abort',
      () => {
        this.#members.expectExit();
      },
      { once: true },
    );
    const options =
      transfer.length === 0 && stop === undefined
        ? undefined
        : { transferList: transfer as Transferable[], ...(stop === undefined ? {} : { signal: stop }) };
    return (this.#piscina.run(request, options) as Promise<TaskResponse>).then(
      (response) => response,
      (error: unknown) => {
        throw this.#translate(error, request.task);
      },
    );
  }

  /**
   * Runs a batch on one thread. Responses arrive one by one on the thread's control port and go to
   * `onResponse`. Resolves once every response arrived; if the thread dies, waits for the responses
   * it posted before dying (they are already on their way), then rejects with the thread's failure.
   */
  runBatch(requests: readonly TaskRequest[], onResponse: (index: number, response: TaskResponse) => void): Promise<void> {
    const id = nextBatchId++;
    const progress = new Int32Array(new SharedArrayBuffer(4));
    let received = 0;
    let waiting: { target: number; wake: () => void } | undefined;
    const arrived = (target: number): Promise<void> =>
      received >= target
        ? Promise.resolve()
        : new Promise((wake) => {
            waiting = { target, wake };
          });
    this.#members.route(id, (index, response) => {
      received++;
      onResponse(index, response);
      if (waiting !== undefined && received >= waiting.target) waiting.wake();
    });
    const batch: TaskBatch = { batch: requests, id, progress: progress.buffer };
    return this.#piscina.run(batch).then(
      async () => {
        await arrived(requests.length);
        this.#members.unroute(id);
      },
      async (error: unknown) => {
        await arrived(Atomics.load(progress, 0));
        this.#members.unroute(id);
        throw this.#translate(error, requests[received]?.task ?? 'a batch');
      },
    );
  }

  abortRunning(call: number, reason: SerializedThrown): void {
    this.#members.abort(call, reason);
  }

  disposeContexts(): Promise<unknown[]> {
    return this.#members.disposeAll();
  }

  end(): Promise<void> {
    this.#ending ??= this.#piscina.destroy().then(() => {
      this.#members.release();
      // Piscina is an async resource that otherwise lives until garbage collection, so a pool kept
      // in a variable after close() would read as an open handle to `jest --detectOpenHandles`.
      this.#piscina.emitDestroy();
    });
    return this.#ending;
  }
}
