import * as path from 'node:path';
import { checkCloneable } from '../shared/cloneable';
import { AsyncThreadPoolError, type ErrorClass, fail, reviveThrown } from '../shared/errors';
import { entryModuleAdvice, isUnguardedEntryModule } from '../shared/locate';
import { registeredErrorClass, type TaskRecord } from '../shared/manifest';
import type { SerializedThrown, TaskRequest, TaskResponse } from '../shared/protocol';
import { saveCodeCacheAfterFirstResult } from './code-cache';
import type * as StreamModule from './stream';

/**
 * What the main-thread runners (the pool and the temporary thread) share: building a request from
 * a call, and turning a response or a thread failure into the caller's result or error.
 */

/** The file every thread starts from (see `worker/bootstrap.cjs`). */
export const WORKER_BOOTSTRAP = path.join(__dirname, '..', 'worker', 'bootstrap.cjs');

/**
 * The streams' module (`createTaskStream`), loaded at the first streaming call rather than with the
 * package index: a program that streams nothing never loads it.
 */
export function streams(): typeof StreamModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./stream') as typeof StreamModule;
}

/** A request for a call, or the coded error that stops it at the call site. */
export function buildRequest(record: TaskRecord, args: unknown[]): TaskRequest | AsyncThreadPoolError {
  if (record.module === undefined) {
    return fail('ERR_TASK_NOT_REGISTERED', `The module that defines ${record.name} is unknown (declared outside a module file?)`);
  }

  for (let i = 0; i < args.length; i++) {
    const bad = checkCloneable(args[i]);
    if (bad !== undefined) {
      return fail('ERR_UNCLONEABLE', `Argument ${String(i)} of ${record.name} cannot be sent to a thread: ${bad.reason}`, bad.cause);
    }
  }
  return { task: record.name, module: record.module, args };
}

/**
 * The error of a task declared in the program's entry module when that module runs the program
 * unguarded, so that a thread loading it would run the program again; else null.
 */
export function entryModuleRefusal(record: TaskRecord): AsyncThreadPoolError | null {
  if (!isUnguardedEntryModule(record.module)) return null;
  return fail(
    'ERR_INVALID_TASK',
    `${record.name} is declared in the file the process started from (${String(record.module)}: the program's entry, or the test file jest runs), which a thread must load to run it and which would then run the program again: ${entryModuleAdvice(String(record.module), 'task class')}`,
  );
}

/** The value of a successful response; the revived error of a failed one, thrown. */
export function settle(record: TaskRecord, response: TaskResponse): unknown {
  saveCodeCacheAfterFirstResult();
  if (response.ok) return response.value;
  throw reviveTaskError(record, response.error);
}

/**
 * Revives what a task threw. Built-in errors come back as this realm's classes; an `Error` subclass
 * comes back as its class when it is registered with `registerErrorClass` or exported (under its
 * own name) by the module that defines the task; anything else comes back as a plain `Error` with
 * the same name, message, stack, cause and properties.
 */
export function reviveTaskError(record: TaskRecord, error: SerializedThrown): unknown {
  return reviveThrown(error, (ctor) => registeredErrorClass(ctor) ?? exportedErrorClass(record.module, ctor));
}

function exportedErrorClass(module: string | undefined, name: string): ErrorClass | undefined {
  if (module === undefined) return undefined;
  let exports: unknown;
  try {
    // The module defined the task on this thread, so it is already loaded: this reads the cache.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the registry holds CommonJS paths
    exports = require(module);
  } catch {
    return undefined;
  }
  const value = (exports as Record<string, unknown> | null)?.[name];
  return typeof value === 'function' && value.name === name && value.prototype instanceof Object ? (value as ErrorClass) : undefined;
}

/** A failure of the thread machinery (not of the task) as a coded error. */
export function threadFailure(error: unknown, taskName: string): AsyncThreadPoolError {
  if (AsyncThreadPoolError.is(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  // By name: a DataCloneError is a DOMException of Node's realm, not `instanceof` this realm's Error (under jest).
  if (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'DataCloneError') {
    return fail('ERR_UNCLONEABLE', `${taskName}: ${message}`, error);
  }
  const coded = fail('ERR_WORKER_EXITED', `The thread running ${taskName} exited before it finished: ${message}`, error);
  const exitCode = typeof error === 'object' && error !== null ? exitCodes.get(error) : undefined;
  if (exitCode !== undefined) Object.assign(coded, { exitCode });
  return coded;
}

/** The exit codes of the errors made by {@link threadExited}, which carry them to {@link threadFailure}. */
const exitCodes = new WeakMap<object, number>();

/** The cause of a call's failure when its thread exited with `code` (and no error of its own). */
export function threadExited(code: number): Error {
  const error = new Error(`worker exited with code: ${String(code)}`);
  exitCodes.set(error, code);
  return error;
}
