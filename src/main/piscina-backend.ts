import type { Piscina } from 'piscina';
import type * as PiscinaModule from 'piscina';
import type * as Crypto from 'node:crypto';
// Default import: `import * as` compiles to a copy of every export.
import fs from 'node:fs';
import type { Transferable } from 'node:worker_threads';
import { WORKER_BOOTSTRAP } from './call';
import { poolStart } from './thread-start';
import { postFailure, postRefusal } from '../shared/cloneable';
import type { AsyncThreadPoolError } from '../shared/errors';
import { optionalExecArgv } from './exec-argv';
import { allowedModules, moduleRegistry } from '../shared/manifest';
import type { ResolvedPoolOptions } from './options';
import type { CallEventMessage, ContextSpec, PoolWorkerData, SerializedThrown, StreamControlRequest, TaskRequest, TaskResponse } from '../shared/protocol';
import type { Backend, OnCallEvent, Threads, ThreadStats } from './executor';
import { PoolThreads, type Run } from './threads';
import { prepareThreadSource, prepareThreadSources, threadTypeScript } from './ts-prefill';

/**
 * 16 random bytes in hex: a pool's `nonce` (see `PoolWorkerData.nonce`). Read from the kernel's
 * random device where there is one (`device`, a character device: what `node:crypto` itself draws
 * from), which costs microseconds; else from `node:crypto`, which costs a process ~2.5 ms to load
 * (a thread that imports the package index, ~3-6 ms), on the way to a cold start's first result.
 * @internal exported for its test
 */
export function randomNonce(device = '/dev/urandom'): string {
  const bytes = Buffer.alloc(16);
  try {
    const fd = fs.openSync(device, 'r');
    try {
      if (fs.fstatSync(fd).isCharacterDevice() && fs.readSync(fd, bytes, 0, bytes.length, null) === bytes.length) return bytes.toString('hex');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // No such device (Windows), or not readable: node:crypto below.
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only where needed, see above
  const { randomBytes } = require('node:crypto') as typeof Crypto;
  return randomBytes(16).toString('hex');
}

/**
 * Runs calls on worker threads that Piscina starts and replaces. The calls themselves go to the
 * threads on their control ports (`PoolThreads`): one message each way per call, a batch per message
 * for a backlog, and no wake-up protocol on top (Piscina's `atomics: 'sync'` would freeze the threads'
 * event loops between calls, and its message per task is what batching saves). A failure of a
 * thread, not of the task, is handed to `translate` so that the pool can name it for its state.
 */
export class PiscinaBackend implements Backend {
  readonly threads: Threads;
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
    this.#translate = translate;
    const nonce = randomNonce();
    // Loaded here rather than at import: every worker thread imports this library (task modules do)
    // and never needs Piscina's main-thread side, which costs each thread ~8 ms to load.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Piscina } = require('piscina') as typeof PiscinaModule;
    // TypeScript the threads will load is transpiled here, where the compiler is loaded already:
    // what a thread loads (the worker entry, from the sources; the context's module; the task
    // modules known now), before the threads start, which are handed the result (`typescript`).
    prepareThreadSources([...(context === null ? [] : [context.source.module]), ...allowedModules()]);
    const typescript = threadTypeScript();
    const workerData: PoolWorkerData = {
      kind: 'asyncthreadpool:pool',
      context,
      modules: moduleRegistry(),
      spinWait: options.spinWait,
      nonce,
      ...(typescript === undefined ? {} : { typescript }),
    };
    // One Piscina for the threads that live as long as the pool (an elastic pool's `min`), one of
    // one thread for each elastic thread above it: Piscina's own scaling follows its task queue,
    // which no call goes through, and it would end an idle thread without disposing its context.
    const start = (threads: number): Piscina =>
      new Piscina({
        filename: WORKER_BOOTSTRAP,
        name: 'handler',
        minThreads: threads,
        maxThreads: threads,
        // Threads own contexts: Piscina must never reap one for being idle (an elastic pool does, after disposing it).
        idleTimeout: Infinity,
        // 'sync' would freeze each thread's event loop between tasks, stopping contexts' timers and sockets.
        atomics: 'disabled',
        // Piscina runs no calls (they go on the control ports): nothing of its own to time.
        recordTiming: false,
        workerData: { ...workerData, start: poolStart() },
        env: options.env,
        ...optionalExecArgv(),
        ...(options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits }),
      });
    this.#piscina = start(options.minThreads);
    const elastic =
      options.threads > options.minThreads ? { max: options.threads, idleTimeout: options.idleTimeout, start: () => start(1) } : undefined;
    this.#members = new PoolThreads(this.#piscina, options.minThreads, context !== null, onBroken, options.contextTimeout, nonce, elastic);
    this.threads = this.#members;
    prepareThreadSources(allowedModules());
  }

  /** The threads now, ready or starting (an elastic pool: from `min` to `max`). */
  get size(): number {
    return this.#members.threads;
  }

  threadStats(): ThreadStats {
    return this.#members.threadStats();
  }

  /** The threads ready to take a run now (see `Executor.capacity`). */
  get capacity(): number {
    return this.#members.ready;
  }

  demand(waiting: boolean): void {
    this.#members.demand(waiting);
  }

  run(
    request: TaskRequest,
    transfer: readonly Transferable[],
    stop: AbortSignal | undefined,
    thread?: number,
    onEvent?: OnCallEvent,
    onThread?: (threadId: number) => void,
  ): Promise<TaskResponse> {
    prepareThreadSource(request.module);
    return new Promise((resolve, reject) => {
      let answer: TaskResponse | undefined;
      const run: Run = {
        requests: [request],
        transfer,
        onResponse: (_index, response) => {
          answer = response;
        },
        ...(onEvent === undefined
          ? {}
          : {
              onEvent: (_index: number, message: CallEventMessage) => {
                onEvent(message);
              },
            }),
        done: () => {
          if (answer !== undefined) resolve(answer);
        },
        failed: (error) => {
          reject(this.#translate(error, request.task));
        },
        refused: (error) => {
          reject(postFailure(request.task, request.args, error));
        },
        onThread,
      };
      stop?.addEventListener(
        'abort',
        () => {
          this.#members.stop(run);
        },
        { once: true },
      );
      this.#members.start(run, thread);
    });
  }

  /**
   * Runs a batch on one thread, in one message. Responses arrive one by one and go to `onResponse`.
   * Resolves once every call has its response or its refusal; if the thread dies, rejects with its
   * failure once the responses it posted before dying have arrived.
   *
   * A batch whose post fails (structured clone refused a value that passed the call-site check: one
   * that changed since, or that the check does not look into) fails only the calls that cannot be
   * cloned on their own, through `onRefused`; the others are posted again, as a batch.
   */
  runBatch(
    requests: readonly TaskRequest[],
    onResponse: (index: number, response: TaskResponse) => void,
    onRefused: (index: number, error: Error) => void,
    thread?: number,
    onEvent?: (index: number, message: CallEventMessage) => void,
    onThread?: (threadId: number) => void,
  ): Promise<void> {
    for (const request of requests) prepareThreadSource(request.module);
    return new Promise((resolve, reject) => {
      /** Posts the requests at `indices` (positions in `requests`), as one batch. */
      const post = (indices: readonly number[]): void => {
        let received = 0;
        this.#members.start({
          requests: indices.map((i) => requests[i] as TaskRequest),
          transfer: [],
          onThread,
          onResponse: (index, response) => {
            received++;
            onResponse(indices[index] ?? index, response);
          },
          ...(onEvent === undefined
            ? {}
            : {
                onEvent: (index: number, message: CallEventMessage) => {
                  onEvent(indices[index] ?? index, message);
                },
              }),
          done: resolve,
          failed: (error) => {
            reject(this.#translate(error, requests[indices[received] ?? 0]?.task ?? 'a batch'));
          },
          refused: (error) => {
            const sendable: number[] = [];
            for (const i of indices) {
              const request = requests[i] as TaskRequest;
              const refusal = postRefusal(request.task, request.args);
              if (refusal === undefined) sendable.push(i);
              else onRefused(i, refusal);
            }
            if (sendable.length === indices.length) {
              // Each call clones on its own, yet not together: fail them all rather than loop.
              for (const i of indices) onRefused(i, postFailure((requests[i] as TaskRequest).task, [], error));
              resolve();
            } else if (sendable.length === 0) {
              resolve();
            } else {
              post(sendable);
            }
          },
        }, thread);
      };
      post(requests.map((_, i) => i));
    });
  }

  abortRunning(call: number, reason: SerializedThrown): void {
    this.#members.abort(call, reason);
  }

  controlStream(request: StreamControlRequest): void {
    this.#members.controlStream(request);
  }

  disposeContexts(): Promise<unknown[]> {
    return this.#members.disposeAll();
  }

  end(): Promise<void> {
    this.#ending ??= Promise.all([this.#piscina.destroy(), this.#members.endExtras()]).then(() => {
      this.#members.release();
      // Piscina is an async resource that otherwise lives until garbage collection, so a pool kept
      // in a variable after close() would read as an open handle to `jest --detectOpenHandles`.
      this.#piscina.emitDestroy();
    });
    return this.#ending;
  }
}
