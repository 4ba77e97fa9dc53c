import { Worker } from 'node:worker_threads';
import { optionalExecArgv } from './exec-argv';
import { buildRequest, entryModuleRefusal, settle, threadFailure, WORKER_BOOTSTRAP } from './call';
import { moduleRegistry, type TaskRecord } from './manifest';
import { unwrapMoved } from './transfer';
import type { TaskResponse, TemporaryWorkerData } from './protocol';
import { dispatch, type CallerArgs, type Remote, type TaskClass, type TaskFunction, type TaskResult, type UnknownContext } from './proxy';

const proxies = new WeakMap<object, object>();

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
 * ```
 */
export function spawn<C extends TaskClass>(taskClass: C): Remote<C, UnknownContext>;
export function spawn<F extends TaskFunction>(task: F, ...args: CallerArgs<Parameters<F>, UnknownContext>): TaskResult<F>;
export function spawn(target: unknown, ...args: unknown[]): unknown {
  return dispatch(runOnTemporaryThread, proxies, target, args);
}

function runOnTemporaryThread(record: TaskRecord, args: unknown[]): Promise<unknown> {
  const { args: plain, transfer } = unwrapMoved(args);
  const request = entryModuleRefusal(record) ?? buildRequest(record, plain as unknown[]);
  if (request instanceof Error) return Promise.reject(request);
  const workerData: TemporaryWorkerData = { kind: 'asyncthreadpool:temporary', request, modules: moduleRegistry() };
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_BOOTSTRAP, { workerData, transferList: transfer, ...optionalExecArgv() });
    let outcome: { response: TaskResponse } | { error: Error } | undefined;
    worker.once('message', (response: TaskResponse) => {
      outcome ??= { response };
      // The task has settled: end the thread (its context's timers would keep it alive).
      void worker.terminate();
    });
    worker.once('error', (error) => {
      outcome ??= { error: threadFailure(error, record.name) };
    });
    // Settle only once the thread is gone, so that no thread outlives the call.
    worker.once('exit', (code) => {
      if (outcome === undefined) {
        reject(threadFailure(new Error(`worker exited with code: ${String(code)}`), record.name));
      } else if ('error' in outcome) {
        reject(outcome.error);
      } else {
        try {
          resolve(settle(record, outcome.response));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      }
    });
  });
}
