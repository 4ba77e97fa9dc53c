import { readFileSync } from 'node:fs';
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

/** The number of OS threads of this process (Linux), which counts worker threads. */
export function osThreadCount(): number {
  const match = /^Threads:\s+(\d+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  if (match?.[1] === undefined) throw new Error('cannot read the thread count');
  return Number(match[1]);
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
