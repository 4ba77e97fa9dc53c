import { MessageChannel, receiveMessageOnPort, type SHARE_ENV, Worker } from 'node:worker_threads';
import { optionalExecArgv } from './exec-argv';
import { buildRequest, entryModuleRefusal, settle, streams, threadExited, threadFailure, WORKER_BOOTSTRAP } from './call';
import { abortError, describe, fail } from '../shared/errors';
import { resolveEnv, temporarySpinWait, type ThreadEnv } from './options';
import { type CallOptions, validateCallOptions } from './options';
import { moduleRegistry, type TaskRecord } from '../shared/manifest';
import { unwrapMoved } from '../shared/transfer';
import { prepareThreadSource, threadTypeScript } from './ts-prefill';
import { threadStart } from './thread-start';
import type { ControlResponse, StreamControlRequest, TaskRequest, TaskResponse, TemporaryWorkerData } from '../shared/protocol';
import { DEFAULT_HIGH_WATER_MARK } from './options';
import type { StreamCall } from './scheduler';
import { type CallTrace, newTrace, traceCall, traceStream, tracing } from './tracing';
import { dispatch, type CallerArgs, type Remote, type TaskClass, type TaskFunction, type TaskResult, type UnknownContext } from './proxy';

/**
 * Runs a task on a temporary background thread, with no pool: the thread starts, runs the one
 * task and is ended before the returned promise settles. A task that takes a context gets a fresh
 * instance of its `@ThreadContext()` parameter's declared class (built, `init()`-ed, then disposed).
 *
 * With a class, returns a typed proxy. Types cannot tell which parameter is the context here, so
 * the proxy accepts the parameters with or without one object parameter; a pool types it exactly.
 *
 * @example
 * ```ts
 * import { spawn } from 'asyncthreadpool';
 * import { MathTasks } from './tasks/math';
 *
 * const five = await spawn(MathTasks).add(2, 3);
 * const alsoFive = await spawn(MathTasks.add, 2, 3);
 * const quick = await spawn.with({ timeout: 5_000 }).spawn(MathTasks).add(1, 1);
 * ```
 */
export interface Spawn {
  <C extends TaskClass>(taskClass: C): Remote<C, UnknownContext>;
  <F extends TaskFunction>(task: F, ...args: CallerArgs<Parameters<F>, UnknownContext>): TaskResult<F>;
  /**
   * Pool-less spawning with per-call options. `signal` and `timeout` (counted from the call: the
   * thread's start is part of it) end the call's thread at once (nothing else runs there, so there
   * is no grace period, and the task's context, if any, is not disposed), and the call rejects with
   * `AbortError` (`ERR_TASK_ABORTED`) or `ERR_TASK_TIMEOUT` as soon as the thread is gone: within
   * milliseconds, unless the thread is blocked in a system call, which it must return from first.
   * `env` is the thread's `process.env`, as a pool's `env` option; by default each call's thread
   * gets a copy of the calling code's `process.env` at the call (under jest, the test file's).
   */
  with(options: SpawnOptions): SpawnWithOptions;
}

/**
 * Options of `spawn.with(options)`: the per-call options, and the temporary thread's environment.
 * `priority` is accepted and changes nothing (no call waits: each starts its own thread at once);
 * `key` is refused (`ERR_INVALID_OPTION`): there is no thread to keep a key on.
 */
export interface SpawnOptions extends Omit<CallOptions, 'key'> {
  /** The thread's `process.env`: an object of strings, or `SHARE_ENV` (see `ThreadPoolOptions#env`). @default a copy of `process.env` at the call */
  readonly env?: ThreadEnv;
}

/** What `spawn.with(options)` returns. */
export interface SpawnWithOptions {
  /** As {@link spawn}, each call with the options given to `spawn.with`. */
  readonly spawn: Spawn;
}

/** See {@link Spawn}: `spawn(Cls).method(...)`, `spawn(Cls.method, ...)`, `spawn.with(options).spawn(...)`. */
export const spawn: Spawn = spawner(undefined);

function spawner(options: CallOptions | undefined, env?: Record<string, string> | typeof SHARE_ENV): Spawn {
  const proxies = new WeakMap<object, object>();
  const run = (record: TaskRecord, args: unknown[]): unknown => runOnTemporaryThread(record, args, options, env);
  const spawnFn = (target: unknown, ...args: unknown[]): unknown => dispatch(run, proxies, target, args);
  return Object.assign(spawnFn, {
    with: (next: SpawnOptions) => {
      if (typeof next !== 'object' || (next as unknown) === null) {
        throw fail('ERR_INVALID_OPTION', `Expected spawn options to be an object, got ${describe(next)}`);
      }
      const { env: given, ...rest } = next;
      validateCallOptions(rest);
      if ((rest as CallOptions).key !== undefined) {
        throw fail('ERR_INVALID_OPTION', 'A pool-less spawn takes no `key`: each call runs on a thread of its own; key affinity needs a pool');
      }
      return { spawn: spawner(rest, given === undefined ? undefined : resolveEnv(given)) };
    },
  }) as Spawn;
}

function runOnTemporaryThread(
  record: TaskRecord,
  args: unknown[],
  options: CallOptions | undefined,
  env: Record<string, string> | typeof SHARE_ENV | undefined,
): unknown {
  if (record.stream === true) {
    // A stream starts its thread at its first `next()`.
    const highWaterMark = options?.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    const start = (onItems: (items: readonly unknown[]) => void, credit: SharedArrayBuffer, trace?: CallTrace): StreamCall =>
      startTemporary(record, args, options, env, { highWaterMark, credit, onItems }, trace);
    const { createTaskStream } = streams();
    if (!tracing()) return createTaskStream(start, highWaterMark);
    return createTaskStream(traceStream(() => newTrace(record, args, 'spawn', undefined, false, options), start), highWaterMark);
  }
  if (!tracing()) return startTemporary(record, args, options, env, undefined, undefined).result;
  const trace = newTrace(record, args, 'spawn', undefined, false, options);
  return traceCall(trace, () => startTemporary(record, args, options, env, undefined, trace).result);
}

const REFUSED = { wake: () => undefined, cancel: () => undefined };

/** The same call id on every temporary thread: each runs one call. */
const TEMPORARY_CALL = 0;

function startTemporary(
  record: TaskRecord,
  args: unknown[],
  options: CallOptions | undefined,
  env: Record<string, string> | typeof SHARE_ENV | undefined,
  stream: { readonly highWaterMark: number; readonly credit: SharedArrayBuffer; readonly onItems: (items: readonly unknown[]) => void } | undefined,
  trace: CallTrace | undefined,
): StreamCall {
  const { args: plain, transfer } = unwrapMoved(args);
  const built = entryModuleRefusal(record) ?? buildRequest(record, plain as unknown[]);
  if (built instanceof Error) return { result: Promise.reject(built), ...REFUSED };
  const signal = options?.signal;
  if (signal?.aborted === true) return { result: Promise.reject(abortError(record.name, signal.reason)), ...REFUSED };
  const onProgress = options?.onProgress;
  let request: TaskRequest = built;
  if (onProgress !== undefined) request = { ...request, progress: true };
  if (stream !== undefined) request = { ...request, call: TEMPORARY_CALL, stream: stream.highWaterMark, credit: stream.credit };
  // The thread answers on a private channel, never on `parentPort`, where a task may post anything.
  const { port1: answers, port2 } = new MessageChannel();
  prepareThreadSource(request.module);
  const typescript = threadTypeScript();
  const workerData: TemporaryWorkerData = {
    kind: 'asyncthreadpool:temporary',
    start: threadStart(),
    request,
    modules: moduleRegistry(),
    port: port2,
    spinWait: temporarySpinWait(),
    ...(typescript === undefined ? {} : { typescript }),
  };
  let worker: Worker;
  try {
    // `process.env` here is the calling code's (under jest, the test file's copy); Node's Worker
    // would otherwise copy the process's real environment.
    worker = new Worker(WORKER_BOOTSTRAP, { workerData, transferList: [port2, ...transfer], env: env ?? process.env, ...optionalExecArgv() });
  } catch (error) {
    answers.close();
    port2.close();
    // Structured clone refused an argument the call-site check let through (a Proxy, say).
    return { result: Promise.reject(threadFailure(error, record.name)), ...REFUSED };
  }
  if (trace !== undefined) {
    // No queue: the call runs from the thread's start.
    trace.threadId = worker.threadId;
    trace.queueWait = 0;
  }
  let gone = false;
  const control = (message: StreamControlRequest): void => {
    if (!gone) answers.postMessage(message);
  };
  const result = new Promise((resolve, reject) => {
    let outcome: { response: TaskResponse } | { error: Error } | undefined;
    /** An uncaught error of the thread: its failure, unless it answered first. */
    let crash: unknown;
    // An abort or a timeout decides the outcome and ends the thread; the call settles on its exit.
    const stop = (error: Error): void => {
      outcome ??= { error };
      void worker.terminate();
    };
    const onAbort = (): void => {
      stop(abortError(record.name, signal?.reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const timeout = options?.timeout;
    const timer =
      timeout === undefined
        ? undefined
        : setTimeout(() => {
            stop(fail('ERR_TASK_TIMEOUT', `${record.name} did not finish within ${String(timeout)} ms`));
          }, timeout);
    // The running thread keeps the process alive, not the timer.
    timer?.unref();
    const onAnswer = (message: unknown): void => {
      if (outcome === undefined && isEvent(message)) {
        if (message.type === 'items') {
          stream?.onItems(message.items);
          return;
        }
        try {
          onProgress?.(message.value);
        } catch (thrown) {
          stop(thrown instanceof Error ? thrown : Object.assign(new Error(`onProgress threw ${String(thrown)}`), { cause: thrown }));
        }
        return;
      }
      if (!isAnswer(message)) return;
      outcome ??= { response: message.response };
      // The task has settled: end the thread (its context's timers would keep it alive).
      void worker.terminate();
    };
    answers.on('message', onAnswer);
    // The thread keeps the process alive while it runs, not this port.
    answers.unref();
    worker.once('error', (error) => {
      crash = error;
    });
    // Settle only once the thread is gone, so that no thread outlives the call.
    worker.once('exit', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (timer !== undefined) clearTimeout(timer);
      // What the thread posted just before it died may not have been delivered yet: it is queued.
      while (outcome === undefined) {
        const queued = receiveMessageOnPort(answers);
        if (queued === undefined) break;
        onAnswer(queued.message);
      }
      gone = true;
      answers.close();
      if (outcome === undefined) {
        reject(threadFailure(crash ?? threadExited(code), record.name));
      } else if ('error' in outcome) {
        reject(outcome.error);
      } else {
        // As the pool settles a call: the value, or what the task threw, revived and as thrown.
        try {
          resolve(settle(record, outcome.response));
        } catch (thrown) {
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- `throw 'text'` comes back as thrown, as from a pool
          reject(thrown);
        }
      }
    });
  });
  return {
    result,
    wake: () => {
      control({ type: 'wake', call: TEMPORARY_CALL });
    },
    cancel: () => {
      control({ type: 'cancel', call: TEMPORARY_CALL });
    },
  };
}

/** Progress or items the temporary thread posts before its answer. */
function isEvent(message: unknown): message is ControlResponse & { type: 'progress' | 'items' } {
  if (typeof message !== 'object' || message === null) return false;
  const { type } = message as { type?: unknown };
  return (type === 'progress' && 'value' in message) || (type === 'items' && Array.isArray((message as { items?: unknown }).items));
}

/** The temporary thread's answer: a `result` control response (index 0). */
function isAnswer(message: unknown): message is ControlResponse & { type: 'result' } {
  if (typeof message !== 'object' || message === null) return false;
  const { type, response } = message as { type?: unknown; response?: unknown };
  return type === 'result' && typeof response === 'object' && response !== null;
}
