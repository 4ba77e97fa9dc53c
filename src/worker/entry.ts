/**
 * The worker side. A pool thread (Piscina's handler module) builds its one context, announces a
 * control port to the main thread, then serves task requests; a temporary thread runs its single
 * request from `workerData`, posts the response and is ended by the main thread.
 *
 * Never imports the main-thread modules (`pool.ts`, `spawn.ts`): the two sides share only the
 * protocol types, the manifest and the error helpers.
 */
import { MessageChannel, parentPort, threadId, workerData } from 'node:worker_threads';
import { serializeThrown } from '../errors';
import type { ControlResponse, HelloMessage, PoolWorkerData, TaskRequest, TaskResponse, TemporaryWorkerData } from '../protocol';
import { createContext, disposeSafely, runTask, type ThreadContextState } from './runtime';

type Handler = (request: TaskRequest) => Promise<TaskResponse>;

const data = workerData as PoolWorkerData | TemporaryWorkerData;

/** Piscina's handler (its `name` option is `handler`): awaited by Piscina before the thread takes tasks. */
export const handler: Promise<Handler> | undefined = data.kind === 'asyncthreadpool:pool' ? startPoolThread(data) : undefined;

if (data.kind === 'asyncthreadpool:temporary') void runTemporary(data);

async function startPoolThread(config: PoolWorkerData): Promise<Handler> {
  const { port1: control, port2 } = new MessageChannel();
  const hello: HelloMessage = { type: 'asyncthreadpool:hello', threadId, port: port2 };
  parentPort?.postMessage(hello, [port2]);
  const ready = buildState(config).then((state) => {
    const status: ControlResponse =
      state.initError === undefined ? { type: 'ready' } : { type: 'init-failed', error: serializeThrown(state.initError) };
    control.postMessage(status);
    return state;
  });
  // The one control request there is: `{ type: 'dispose' }` (ControlRequest).
  control.on('message', () => {
    void ready
      .then((state) => disposeSafely(state.context))
      .then((error) => {
        const reply: ControlResponse = { type: 'disposed', error };
        control.postMessage(reply);
      });
  });
  // Piscina's own port keeps this thread alive; the control port must not.
  control.unref();
  const state = await ready;
  return (request) => runTask(request, state);
}

/** The context is built before the first task; a failure is kept and reported to every task. */
async function buildState(config: PoolWorkerData): Promise<ThreadContextState & { kind: 'pool' }> {
  const { modules } = config;
  if (config.context === null) return { kind: 'pool', modules, context: undefined, initError: undefined };
  try {
    return { kind: 'pool', modules, context: await createContext(config.context, modules), initError: undefined };
  } catch (error) {
    return { kind: 'pool', modules, context: undefined, initError: error ?? new Error(String(error)) };
  }
}

async function runTemporary(config: TemporaryWorkerData): Promise<void> {
  const response = await runTask(config.request, { kind: 'temporary', modules: config.modules });
  try {
    parentPort?.postMessage(response);
  } catch (error) {
    const failed: TaskResponse = { ok: false, error: serializeThrown(error) };
    parentPort?.postMessage(failed);
  }
}
