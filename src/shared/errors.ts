import type { SerializedError, SerializedThrown } from './protocol';

/**
 * Every error code the library raises. Codes are stable; messages are for people and may change.
 */
export type ErrorCode =
  /** The pool is closing, closed or destroyed: `spawn` after `close()`, or a task dropped by `destroy()`. */
  | 'ERR_POOL_CLOSED'
  /** The function or method is not a `@task`, or the worker could not find it in its module. */
  | 'ERR_TASK_NOT_REGISTERED'
  /** Two tasks claim one name. */
  | 'ERR_DUPLICATE_TASK'
  /** `@task` on something that is not a static method. */
  | 'ERR_INVALID_TASK'
  /** Two `@ThreadContext()` on one method. */
  | 'ERR_DUPLICATE_CONTEXT_PARAMETER'
  /** `@ThreadContext()` on a parameter of a method that is not a `@task`. */
  | 'ERR_CONTEXT_WITHOUT_TASK'
  /** Two `@TaskSignal()` on one method. */
  | 'ERR_DUPLICATE_SIGNAL_PARAMETER'
  /** `@TaskSignal()` on a parameter of a method that is not a `@task`. */
  | 'ERR_SIGNAL_WITHOUT_TASK'
  /** Two `@TaskProgress()` on one method. */
  | 'ERR_DUPLICATE_PROGRESS_PARAMETER'
  /** `@TaskProgress()` on a parameter of a method that is not a `@task`. */
  | 'ERR_PROGRESS_WITHOUT_TASK'
  /** A streaming task called where streams cannot go (a broadcast, a `RemotePool`). */
  | 'ERR_STREAM_NOT_SUPPORTED'
  /** The call's `signal` aborted; the error's `name` is `AbortError` and its `cause` the signal's reason. */
  | 'ERR_TASK_ABORTED'
  /** The call's `timeout` passed before it finished. */
  | 'ERR_TASK_TIMEOUT'
  /** The pool's queue holds `maxQueue` calls already. */
  | 'ERR_QUEUE_FULL'
  /** A task wants a context the pool does not have, or one of another class. */
  | 'ERR_CONTEXT_MISMATCH'
  /** The workers cannot find the context class (see the README, "Contexts"). */
  | 'ERR_CONTEXT_NOT_FOUND'
  /** The context's constructor or `init()` threw; the original error is the `cause`. */
  | 'ERR_CONTEXT_INIT_FAILED'
  /** A context's `[Symbol.asyncDispose]()` or `dispose()` threw while the pool closed; the error is the `cause`. */
  | 'ERR_CONTEXT_DISPOSE_FAILED'
  /** A pool or spawn option has an invalid value. */
  | 'ERR_INVALID_OPTION'
  /** An argument or result cannot be structured-cloned across threads. */
  | 'ERR_UNCLONEABLE'
  /** A task module could not be loaded in the worker; the original error is the `cause`. */
  | 'ERR_MODULE_LOAD_FAILED'
  /** The thread running the task exited before the task settled. */
  | 'ERR_WORKER_EXITED'
  /** `asyncthreadpool/bullmq`: a job or result is not in this library's wire encoding (or of another format version). */
  | 'ERR_INVALID_PAYLOAD'
  /** `asyncthreadpool/bullmq`: the call's job disappeared from Redis (removed by someone, Redis flushed) or failed outside its task. */
  | 'ERR_JOB_LOST'
  /** `asyncthreadpool/bullmq`: Redis could not be reached within the remote pool's `unavailableTimeout`. */
  | 'ERR_REMOTE_UNAVAILABLE'
  /** `asyncthreadpool/bullmq` was imported without its optional peer dependencies `bullmq` and `ioredis` installed. */
  | 'ERR_MISSING_DEPENDENCY';

const BRAND = Symbol.for('asyncthreadpool.error');

/**
 * The one error class of the library. Check it with {@link AsyncThreadPoolError.is} rather than
 * `instanceof`: errors cross threads and jest realms, and a process may hold two copies of the library.
 *
 * @example
 * ```ts
 * import { AsyncThreadPoolError, ThreadPool } from 'asyncthreadpool';
 * import { MathTasks } from './tasks/math';
 *
 * const pool = new ThreadPool({ threads: 1 });
 * await pool.close();
 * try {
 *   await pool.spawn(MathTasks).add(1, 2);
 * } catch (e) {
 *   if (AsyncThreadPoolError.is(e, 'ERR_POOL_CLOSED')) console.log('closed');
 * }
 * ```
 */
export class AsyncThreadPoolError extends Error {
  /** The stable code; see {@link ErrorCode}. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** Always `'AsyncThreadPoolError'` (an aborted call's error is named `AbortError`, code `ERR_TASK_ABORTED`). */
  override get name(): string {
    return 'AsyncThreadPoolError';
  }

  /** True for an error raised by any copy of this library, in any realm; optionally with that `code`. */
  static is(value: unknown, code?: ErrorCode): value is AsyncThreadPoolError {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[BRAND] === true &&
      (code === undefined || (value as { code?: unknown }).code === code)
    );
  }
}

/** Shorthand used throughout the library. */
export function fail(code: ErrorCode, message: string, cause?: unknown): AsyncThreadPoolError {
  return cause === undefined
    ? new AsyncThreadPoolError(code, message)
    : new AsyncThreadPoolError(code, message, { cause });
}

/** `Name` for a class, `"x" (string)` for anything else: for messages that name a value. */
export function describe(value: unknown): string {
  if (typeof value === 'function') return value.name === '' ? 'an anonymous function' : value.name;
  if (typeof value === 'string') return `\`${value}\` (string)`;
  if (typeof value === 'object') {
    const ctor = (value as { constructor?: { name?: unknown } } | null)?.constructor;
    return value === null ? '`null`' : `an object (${typeof ctor?.name === 'string' ? ctor.name : 'null prototype'})`;
  }
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- only primitives are left here
  return `\`${String(value)}\` (${typeof value})`;
}

/** An `Error` subclass, as `registerErrorClass` takes it. */
export type ErrorClass = abstract new (...args: never[]) => Error;

const STANDARD_KEYS = new Set(['name', 'message', 'stack', 'cause', 'errors']);

/** What a thrown value's parts become when reading them throws (a getter, a Proxy trap, a revoked Proxy). */
const UNREADABLE = {
  value: '<unreadable value>',
  message: '<unreadable message>',
  stack: '<unreadable stack>',
  property: '<unreadable property>',
  cause: '<unreadable cause>',
} as const;

/** Errors can form cycles through `cause`; ten levels is more than any real chain. */
const MAX_DEPTH = 10;

/** The most `AggregateError#errors` entries kept (a Proxy can claim any length). */
const MAX_ERRORS = 10_000;

/**
 * Flattens anything a task threw into cloneable data (own properties such as `code` included).
 * Never throws, whatever it is given: a part that cannot be read (a getter that throws, a Proxy, a
 * revoked Proxy) is described by a placeholder such as `<unreadable message>`, and the rest kept.
 */
export function serializeThrown(thrown: unknown, depth = 0): SerializedThrown {
  try {
    return serializeReadable(thrown, depth);
  } catch {
    // Unreachable by design (every read below is guarded); the last line of defence of the thread.
    return { kind: 'value', value: UNREADABLE.value };
  }
}

function serializeReadable(thrown: unknown, depth: number): SerializedThrown {
  if (!attempt(() => thrown instanceof Error || isErrorLike(thrown), false)) {
    return { kind: 'value', value: cloneOrText(thrown) };
  }
  const error = thrown as Error & Record<string, unknown>;
  const ours = attempt(() => AsyncThreadPoolError.is(error), false);
  const props: Record<string, unknown> = {};
  for (const key of attempt(() => Object.keys(error), [])) {
    if (STANDARD_KEYS.has(key)) continue;
    props[key] = attempt(() => cloneOrText(error[key]), UNREADABLE.property);
  }
  if (ours) props.code = attempt(() => cloneOrText(error.code), UNREADABLE.property);
  const ctor = ours ? 'AsyncThreadPoolError' : attempt(() => constructorName(error), 'Error');
  const name = textOf(() => error.name, ctor, ctor);
  const message = textOf(() => error.message, UNREADABLE.message, '');
  let stack: string | undefined;
  try {
    const read: unknown = error.stack;
    stack = typeof read === 'string' ? read : undefined;
  } catch {
    stack = `${name}: ${message}\n    ${UNREADABLE.stack}`;
  }
  const out: { -readonly [K in keyof SerializedError]: SerializedError[K] } = {
    kind: 'error',
    ctor,
    name,
    message,
    stack,
    props,
  };
  if (depth < MAX_DEPTH && attempt(() => 'cause' in error, false)) {
    out.cause = attempt(() => serializeThrown(error.cause, depth + 1), { kind: 'value', value: UNREADABLE.cause });
  }
  const errors = attempt(() => {
    const list = error.errors;
    return Array.isArray(list) ? (list as unknown[]) : undefined;
  }, undefined);
  if (errors !== undefined && depth < MAX_DEPTH) {
    const length = Math.min(MAX_ERRORS, attempt(() => errors.length, 0));
    out.errors = Array.from({ length }, (_, i) => attempt(() => serializeThrown(errors[i], depth + 1), { kind: 'value', value: UNREADABLE.value }));
  }
  return out;
}

/** `read()`, or `fallback` if reading throws. */
function attempt<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/** A part that should be a string: itself, `absent` if undefined, its `String()`, or `unreadable` when reading throws. */
function textOf(read: () => unknown, unreadable: string, absent: string): string {
  return attempt(() => {
    const value = read();
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a non-string name or message: its text is all there is
    return typeof value === 'string' ? value : value === undefined ? absent : String(value);
  }, unreadable);
}

/** An error's message (a non-error's text), for messages that quote it; never throws, as {@link serializeThrown}. */
export function messageOf(error: unknown): string {
  return attempt(
    () => (error instanceof Error ? textOf(() => error.message, UNREADABLE.message, '') : String(error)),
    UNREADABLE.value,
  );
}

/**
 * Rebuilds a thrown value in the caller's realm. Built-in error classes come back as this realm's
 * classes; `findClass` supplies user classes (by constructor name) and the library's own error.
 */
export function reviveThrown(data: SerializedThrown, findClass: (ctor: string) => ErrorClass | undefined): unknown {
  if (data.kind === 'value') return data.value;
  const ctor: ErrorClass =
    data.ctor === 'AsyncThreadPoolError'
      ? AsyncThreadPoolError
      : (findClass(data.ctor) ?? builtinErrorClass(data.ctor) ?? builtinErrorClass(data.name) ?? Error);
  const error = Object.create(ctor.prototype as object) as Error;
  const hidden = (key: string, value: unknown): void => {
    Object.defineProperty(error, key, { value, writable: true, configurable: true, enumerable: false });
  };
  hidden('message', data.message);
  hidden('stack', data.stack ?? `${data.name}: ${data.message}`);
  if (data.name !== error.name) hidden('name', data.name);
  if (data.cause !== undefined) hidden('cause', reviveThrown(data.cause, findClass));
  if (data.errors !== undefined) hidden('errors', data.errors.map((e) => reviveThrown(e, findClass)));
  if (ctor === AsyncThreadPoolError) Object.defineProperty(error, BRAND, { value: true });
  Object.assign(error, data.props);
  return error;
}

/** Revives with the built-in classes only (and the library's own): for abort reasons and the library's messages. */
export function reviveBuiltin(data: SerializedThrown): unknown {
  return reviveThrown(data, () => undefined);
}

const BUILTIN_ERRORS = ['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError'];

/** This realm's class for a built-in error name (under jest, the test realm's, so `toThrow(TypeError)` works). */
function builtinErrorClass(name: string): ErrorClass | undefined {
  if (!BUILTIN_ERRORS.includes(name)) return undefined;
  return (globalThis as unknown as Record<string, ErrorClass>)[name];
}

function isErrorLike(value: unknown): boolean {
  // An Error from another realm (a vm context, jest) fails `instanceof Error` but is still an error.
  return Object.prototype.toString.call(value) === '[object Error]';
}

function constructorName(error: Error): string {
  const ctor = (Object.getPrototypeOf(error) as { constructor?: { name?: unknown } } | null)?.constructor;
  return typeof ctor?.name === 'string' ? ctor.name : 'Error';
}

/** The value itself when it survives structured clone, its text otherwise. */
function cloneOrText(value: unknown): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')) {
    return value;
  }
  try {
    return structuredClone(value);
  } catch {
    return attempt(() => Object.prototype.toString.call(value), UNREADABLE.value);
  }
}

/** The error of an aborted call: code `ERR_TASK_ABORTED`, name `AbortError`, cause the signal's reason. */
export function abortError(taskName: string, reason: unknown): AsyncThreadPoolError {
  const error = fail('ERR_TASK_ABORTED', `${taskName} was aborted`, reason);
  Object.defineProperty(error, 'name', { value: 'AbortError', configurable: true, writable: true, enumerable: false });
  return error;
}
