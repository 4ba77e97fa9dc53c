/**
 * The worker side. A pool thread (started and replaced by Piscina, as its handler module) builds its
 * one context, announces a control port to the main thread, then runs the calls the main thread
 * posts on that port; a temporary thread runs its single request from `workerData`, answers it on
 * its private port exactly as a pool thread answers a call (`answer`), and is ended by the main thread.
 *
 * Never imports the main-thread modules (`pool.ts`, `spawn.ts`): the two sides share only the
 * protocol types, the manifest and the error helpers.
 */
import { MessageChannel, parentPort, receiveMessageOnPort, threadId, workerData } from 'node:worker_threads';
import type { MessagePort, Transferable } from 'node:worker_threads';
import { fail, messageOf, reviveBuiltin, serializeThrown } from '../shared/errors';
import { bundleCodeCache } from '../shared/bundle-code-cache';
import type { ControlRequest, ControlResponse, HelloMessage, PoolWorkerData, TaskRequest, TaskResponse, TemporaryWorkerData } from '../shared/protocol';
import { abortCall, type CallEventPosts, controlStream, createContext, disposeSafely, type Outcome, runTask, type ThreadContextState } from './runtime';

/** Piscina's handler: never given a call (calls come on the control port), but Piscina needs one. */
type Handler = () => Promise<never>;

const data = workerData as PoolWorkerData | TemporaryWorkerData;

/** Piscina's handler (its `name` option is `handler`): awaited by Piscina before the thread takes tasks. */
export const handler: Promise<Handler> | undefined = data.kind === 'asyncthreadpool:pool' ? startPoolThread(data) : undefined;

if (data.kind === 'asyncthreadpool:temporary') {
  const { port } = data;
  Reflect.deleteProperty(data, 'port');
  void runTemporary(data, port);
}

async function startPoolThread(config: PoolWorkerData): Promise<Handler> {
  // Taken out before any task module loads: `workerData` is the same object for them.
  const nonce = config.nonce ?? '';
  delete (config as { nonce?: string }).nonce;
  const { port1: control, port2 } = new MessageChannel();
  const hello: HelloMessage = { type: 'asyncthreadpool:hello', nonce, threadId, port: port2 };
  parentPort?.postMessage(hello, [port2]);
  const ready = buildState(config).then((state) => {
    const status: ControlResponse =
      state.initError === undefined ? { type: 'ready' } : { type: 'init-failed', error: serializeThrown(state.initError) };
    control.postMessage(status);
    return state;
  });
  const handle = (message: ControlRequest): void => {
    switch (message.type) {
      case 'run':
        // The main thread sends a run only after `ready`, and the next only once this one answered.
        void ready.then(async (state) => {
          await serve(message.requests, state, control);
          saveCodeCache();
          pollFor(control, config.spinWait, handle);
        });
        return;
      case 'abort':
        abortCall(message.call, reviveBuiltin(message.reason));
        return;
      case 'wake':
      case 'cancel':
        controlStream(message);
        return;
      case 'dispose':
        void ready
          .then((state) => disposeSafely(state.context))
          .then((error) => {
            const reply: ControlResponse = { type: 'disposed', error };
            control.postMessage(reply);
          });
        return;
    }
  };
  control.on('message', (message: ControlRequest) => {
    // Delivered by a turn of the event loop.
    pollingSince = -1;
    handle(message);
  });
  // Piscina's own port keeps this thread alive; the control port must not.
  control.unref();
  await ready;
  return () => Promise.reject(new Error('asyncthreadpool threads take their calls on their control port'));
}

/**
 * Runs a run's calls one after the other, as separate messages would run on this thread. Each
 * response goes out as soon as it exists: if the thread dies, the main thread has the results made
 * before (its port closes after them), and knows which call was running and which never started.
 */
async function serve(requests: readonly TaskRequest[], state: ThreadContextState, control: MessagePort): Promise<void> {
  for (let index = 0; index < requests.length; index++) {
    const request = requests[index];
    if (request === undefined) continue;
    const posts = request.progress === true || request.stream !== undefined ? eventPosts(control, index) : undefined;
    answer(control, index, request, await runTask(request, state, posts));
  }
}

/** Posts the progress and items of the `index`-th call of a run on `port`, ahead of its result. */
function eventPosts(port: MessagePort, index: number): CallEventPosts {
  return {
    progress: (value) => {
      const message: ControlResponse = { type: 'progress', index, value };
      port.postMessage(message);
    },
    items: (items, transfer) => {
      const message: ControlResponse = { type: 'items', index, items };
      port.postMessage(message, transfer);
    },
  };
}

/**
 * Posts the answer to the `index`-th call of a run: how every thread answers, pool or temporary. A
 * result that structured clone refuses (a Proxy, a function deep inside…) fails its call with
 * `ERR_UNCLONEABLE`, not the thread; a thrown value is already cloneable data (`serializeThrown`).
 */
function answer(port: MessagePort, index: number, request: TaskRequest, outcome: Outcome): void {
  const post = (response: TaskResponse, transfer: readonly Transferable[]): void => {
    const result: ControlResponse = { type: 'result', index, response };
    port.postMessage(result, transfer as Transferable[]);
  };
  try {
    post(outcome.response, outcome.transfer);
  } catch (error) {
    const refused = outcome.response.ok
      ? fail('ERR_UNCLONEABLE', `The result of ${request.task} cannot be sent back: ${messageOf(error)}`, error)
      : error;
    post({ ok: false, error: serializeThrown(refused) }, []);
  }
}

/** When the current run of calls taken by polling, without a turn of the event loop, began (ms), or -1. */
let pollingSince = -1;

/** The longest a thread takes calls by polling before it lets its event loop turn (ms). */
const MAX_POLLING_MS = 1;

/**
 * Keeps polling `port` for up to `micros` µs after a run, for the next message. A call that follows
 * closely is taken at once instead of waking a sleeping thread, which costs tens of µs (more on a
 * virtual machine). Blocks this thread's event loop for that long at most, and at most every
 * millisecond hands what it caught to the next turn of the loop instead (`setImmediate`): calls
 * back to back must not starve the context's timers and sockets.
 */
function pollFor(port: MessagePort, micros: number, handle: (message: ControlRequest) => void): void {
  if (micros <= 0) return;
  const until = performance.now() + micros / 1000;
  do {
    const received = receiveMessageOnPort(port);
    if (received === undefined) continue;
    const message = received.message as ControlRequest;
    const now = performance.now();
    if (pollingSince < 0) pollingSince = now;
    if (now - pollingSince < MAX_POLLING_MS) {
      handle(message);
    } else {
      pollingSince = -1;
      setImmediate(handle, message);
    }
    return;
  } while (performance.now() < until);
  // Nothing came: the thread sleeps in its event loop.
  pollingSince = -1;
}

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return stream.writableLength === 0 ? Promise.resolve() : new Promise((resolve) => stream.write('', () => { resolve(); }));
}

/** The context is built before the first task; a failure is kept and reported to every task. */
async function buildState(config: PoolWorkerData): Promise<ThreadContextState & { kind: 'pool' }> {
  const { modules, spinWait } = config;
  if (config.context === null) return { kind: 'pool', modules, spinWait, context: undefined, initError: undefined };
  try {
    return { kind: 'pool', modules, spinWait, context: await createContext(config.context, modules), initError: undefined };
  } catch (error) {
    return { kind: 'pool', modules, spinWait, context: undefined, initError: error ?? new Error(String(error)) };
  }
}

/**
 * Runs a temporary thread's one call and answers it as a pool thread answers a run of one call, on
 * its private port (taken out of `workerData` before any task module loads, so that no task can
 * reach it: what a task posts on `parentPort` is never taken for the answer).
 */
async function runTemporary(config: TemporaryWorkerData, port: MessagePort): Promise<void> {
  const { request } = config;
  const posts = request.progress === true || request.stream !== undefined ? eventPosts(port, 0) : undefined;
  if (request.stream !== undefined) {
    // The caller's wakes and cancellation come on the same private port, which keeps the thread
    // alive while the task waits for credit (the main thread ends the thread on the answer).
    port.on('message', (message: ControlRequest) => {
      if (message.type === 'wake' || message.type === 'cancel') controlStream(message);
    });
  }
  const outcome = await runTask(request, { kind: 'temporary', modules: config.modules, spinWait: config.spinWait }, posts);
  // The main thread ends this thread on the answer: let what the task and its context's dispose()
  // wrote to stdout/stderr reach the main thread first.
  await flush(process.stdout);
  await flush(process.stderr);
  // Before the answer: the main thread ends this thread on it.
  saveCodeCache();
  answer(port, 0, config.request, outcome);
}

/**
 * Saves the bundle's V8 code cache where the thread found none for this build and Node version
 * (see src/shared/run-bundle.cjs, which put it on this module when it ran the bundle): once, after
 * the thread's first call, so that the cache holds the functions a thread runs up to its first
 * answer. Nothing to do on later calls, on threads that found a cache, or without the bundle.
 */
function saveCodeCache(): void {
  if (codeCacheSaved) return;
  codeCacheSaved = true;
  bundleCodeCache(module)?.save();
}

let codeCacheSaved = false;
