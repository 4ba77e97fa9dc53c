/**
 * The worker side. A pool thread (Piscina's handler module) builds its one context, announces a
 * control port to the main thread, then serves task requests; a temporary thread runs its single
 * request from `workerData`, posts the response and is ended by the main thread.
 *
 * Never imports the main-thread modules (`pool.ts`, `spawn.ts`): the two sides share only the
 * protocol types, the manifest and the error helpers.
 */
import { MessageChannel, parentPort, threadId, workerData } from 'node:worker_threads';
import type { Transferable } from 'node:worker_threads';
import type * as PiscinaModule from 'piscina';
import { reviveThrown, serializeThrown } from '../errors';
import type { ControlRequest, ControlResponse, TaskBatch, HelloMessage, PoolWorkerData, TaskRequest, TaskResponse, TemporaryWorkerData } from '../protocol';
import { abortCall, createContext, disposeSafely, runTask, type ThreadContextState } from './runtime';

type Handler = (request: TaskRequest | TaskBatch) => Promise<TaskResponse | MovedResponse | null>;

/** Piscina's form for a result to transfer rather than copy (see its `move()`). */
interface MovedResponse {
  readonly [key: symbol]: unknown;
}

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
  control.on('message', (message: ControlRequest) => {
    if (message.type === 'abort') {
      abortCall(message.call, reviveThrown(message.reason, () => undefined));
      return;
    }
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
  return async (message) => {
    if ('batch' in message) {
      // One after the other, as separate messages would run on this thread; each response goes out
      // as soon as it exists, then the progress slot says so.
      const progress = new Int32Array(message.progress);
      for (let index = 0; index < message.batch.length; index++) {
        const request = message.batch[index];
        if (request === undefined) continue;
        const { response, transfer } = await runTask(request, state);
        const result: ControlResponse = { type: 'result', batch: message.id, index, response };
        control.postMessage(result, transfer as Transferable[]);
        Atomics.store(progress, 0, index + 1);
      }
      return null;
    }
    const { response, transfer } = await runTask(message, state);
    return transfer.length === 0 ? response : movable(response, transfer);
  };
}

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return stream.writableLength === 0 ? Promise.resolve() : new Promise((resolve) => stream.write('', () => { resolve(); }));
}

/** Wraps a response so that Piscina transfers `transfer` with it (Piscina's own `move()` protocol). */
function movable(response: TaskResponse, transfer: readonly Transferable[]): MovedResponse {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a result is moved
  const { Piscina } = require('piscina') as typeof PiscinaModule;
  return Piscina.move({
    [Piscina.transferableSymbol]: transfer,
    [Piscina.valueSymbol]: response,
  } as never) as unknown as MovedResponse;
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
  const { response, transfer } = await runTask(config.request, { kind: 'temporary', modules: config.modules });
  // The main thread ends this thread on the response: let what the task and its context's dispose()
  // wrote to stdout/stderr reach the main thread first.
  await flush(process.stdout);
  await flush(process.stderr);
  try {
    parentPort?.postMessage(response, transfer);
  } catch (error) {
    const failed: TaskResponse = { ok: false, error: serializeThrown(error) };
    parentPort?.postMessage(failed);
  }
}
