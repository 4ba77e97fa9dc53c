import workerThreads from 'node:worker_threads';
import { AsyncThreadPoolError, type ErrorCode } from '../src';

/** Awaits a promise expected to reject, and returns what it rejected with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, got a fulfilment');
}

/** Asserts a library error with that code (brand check, not instanceof). */
export function expectCode(error: unknown, code: ErrorCode): void {
  expect(AsyncThreadPoolError.is(error)).toBe(true);
  expect((error as AsyncThreadPoolError).code).toBe(code);
  expect((error as Error).name).toBe('AsyncThreadPoolError');
}

/** Runs `fn` and returns what it threw synchronously. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/**
 * Watches every `Worker` this process starts, until `stop()`: `exited` holds the `threadId` of
 * each one whose `exit` event has fired (Node emits it once it has joined the OS thread). The real
 * Worker runs; a subclass only listens. The pool-less `spawn` looks `Worker` up at each call.
 */
export function watchWorkerExits(): { readonly started: Set<number>; readonly exited: Set<number>; stop(): void } {
  const started = new Set<number>();
  const exited = new Set<number>();
  const Real = workerThreads.Worker;
  class Watched extends Real {
    constructor(...args: ConstructorParameters<typeof Real>) {
      super(...args);
      const id = this.threadId;
      started.add(id);
      this.once('exit', () => exited.add(id));
    }
  }
  workerThreads.Worker = Watched;
  return {
    started,
    exited,
    stop: () => {
      workerThreads.Worker = Real;
    },
  };
}

/** Resolves once slot `index` of `shared` reaches at least `target`, waiting on Atomics (no polling timers). */
export async function untilAtLeast(shared: Int32Array, index: number, target: number): Promise<void> {
  for (let seen = Atomics.load(shared, index); seen < target; seen = Atomics.load(shared, index)) {
    const waiter = Atomics.waitAsync(shared, index, seen);
    if (waiter.async) await waiter.value;
  }
}

/** A fresh shared Int32Array of `slots` zeros. */
export function sharedCounter(slots = 2): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * slots));
}
