import type { Transferable } from 'node:worker_threads';
import { findUncloneable } from './cloneable';
import { fail } from './errors';
import type { TaskRecord } from './manifest';
import { isMoved } from './transfer';

/**
 * Calling a task, shared by the worker threads and the inline pool: the caller's arguments with the
 * context and the abort signal put back where the method declares them, the method looked up on its
 * class at call time (so `jest.spyOn(Tasks, 'method')` is honoured), and the result checked before
 * it is sent anywhere.
 */

/** Awaits a context's `init()`, if it has one. */
export async function initContext(context: object): Promise<void> {
  const init = (context as { init?: unknown }).init;
  if (typeof init === 'function') await (init as () => unknown).call(context);
}

/** Calls `[Symbol.asyncDispose]()` or else `dispose()` on a context, if it has either. */
export async function disposeContext(context: object): Promise<void> {
  const c = context as { [Symbol.asyncDispose]?: () => unknown; dispose?: () => unknown };
  if (typeof c[Symbol.asyncDispose] === 'function') await c[Symbol.asyncDispose]?.();
  else if (typeof c.dispose === 'function') await c.dispose();
}

/**
 * `signal` is the call's, when it can be aborted. A task that takes a signal on a call that cannot
 * be aborted gets a fresh one that never aborts, collected with the call: one signal shared by such
 * calls would keep every `abort` listener a task adds to it (and what the listener holds) for good.
 * Only tasks that declare a `@TaskSignal()` parameter pay for it.
 */
export function invokeTask(
  record: TaskRecord,
  callerArgs: readonly unknown[],
  context: object | undefined,
  signal: AbortSignal | undefined,
  progress?: (value: unknown) => void,
): unknown {
  const injected = signal ?? (record.signalIndex === undefined ? undefined : new AbortController().signal);
  const args = withInjected(callerArgs, record, context, injected, progress ?? ignoreProgress);
  const method = (record.owner as unknown as Record<string, unknown>)[record.method];
  const fn = typeof method === 'function' ? (method as (...a: unknown[]) => unknown) : record.fn;
  return fn.apply(record.owner, args);
}

/** The `@TaskProgress()` function of a call whose caller does not listen: reporting does nothing. */
function ignoreProgress(): void {
  // Nobody listens.
}

/** The caller's arguments with the injected ones inserted at their parameters' positions. */
function withInjected(
  callerArgs: readonly unknown[],
  record: TaskRecord,
  context: object | undefined,
  signal: AbortSignal | undefined,
  progress: (value: unknown) => void,
): unknown[] {
  const { contextIndex, signalIndex, progressIndex } = record;
  if (contextIndex === undefined && signalIndex === undefined && progressIndex === undefined) return callerArgs as unknown[];
  const full: unknown[] = [];
  let next = 0;
  const last = Math.max(contextIndex ?? -1, signalIndex ?? -1, progressIndex ?? -1);
  for (let position = 0; position <= last || next < callerArgs.length; position++) {
    if (position === contextIndex) full.push(context);
    else if (position === signalIndex) full.push(signal);
    else if (position === progressIndex) full.push(progress);
    else full.push(callerArgs[next++]);
  }
  return full;
}

/** A result ready to be sent: `move()` opened, and refused with `ERR_UNCLONEABLE` if it cannot be cloned. */
export function sendableResult(record: TaskRecord, result: unknown): { value: unknown; transfer: readonly Transferable[] } {
  const { value, transfer } = isMoved(result) ? result : { value: result, transfer: [] };
  const bad = findUncloneable(value);
  if (bad !== undefined) throw fail('ERR_UNCLONEABLE', `The result of ${record.name} cannot be sent back: ${bad}`);
  return { value, transfer };
}
