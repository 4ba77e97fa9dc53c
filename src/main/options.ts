import { availableParallelism } from 'node:os';
import { SHARE_ENV, type ResourceLimits } from 'node:worker_threads';
import { findUncloneable } from '../shared/cloneable';
import { describe, fail } from '../shared/errors';

/** The longest delay a Node timer takes (2^31 - 1 ms); longer ones fire after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A context class: the pool makes one instance per thread with `new Context(...contextArgs)`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- constructor arguments are checked at run time
export type ContextClass<Ctx> = new (...args: any[]) => Ctx;

/** Per-call options, given with `pool.with(options)` or `spawn.with(options)`. */
export interface CallOptions {
  /**
   * Cancels the call. Queued, it leaves the queue; running, its `@TaskSignal()` parameter is aborted
   * and, if it has not finished within the pool's `abortGracePeriod`, its thread is ended and
   * replaced (with a new context). Either way the call rejects at once with an error named
   * `AbortError` (code `ERR_TASK_ABORTED`) whose `cause` is the signal's reason.
   */
  readonly signal?: AbortSignal;
  /**
   * Milliseconds the call may run, counted from when it is handed to a thread. Past it, the call
   * rejects with `ERR_TASK_TIMEOUT` and is aborted as with `signal`.
   */
  readonly timeout?: number;
  /**
   * Among the calls waiting for a thread, higher priorities go first; calls of one priority go in
   * the order they were made. Any finite number. A call that is running is never preempted.
   * @default 0
   */
  readonly priority?: number;
  /**
   * Calls with the same key run on the same thread, while that thread lives: a cache kept in the
   * thread's context for the key (a tenant, a file) hits. Keys spread evenly over the threads; the
   * keys of a thread that ends move to the others. A call with a key waits for its thread (calls
   * without one, and with other keys, go on around it). A string or a finite number. Not for
   * `broadcast` (it runs on every thread) nor a pool-less `spawn` (each call has a thread of its
   * own): both refuse it with `ERR_INVALID_OPTION`. On the inline pool (one thread), it changes nothing.
   * @default undefined (any thread)
   */
  readonly key?: string | number;
  /**
   * Receives the task's `@TaskProgress()` reports, in order, on this thread. Reports are coalesced
   * (the latest value at most every 10 ms or so; values in between are dropped), and the last report
   * a task makes before it settles is delivered before the call's result. A throw from it fails the
   * call with what it threw (and aborts the task, as `signal` would).
   */
  readonly onProgress?: (value: unknown) => void;
  /**
   * For a streaming task: how many items may wait unconsumed (sent, or on their way) before the
   * task pauses at its `yield` (credit-based backpressure: the thread sends no more until the
   * caller takes some). A small primitive (a number, a boolean, `null`, `undefined`, a string of at
   * most 64 characters) counts as 1/64 of an item, so 64 times as many of them go ahead.
   * @default 16
   */
  readonly highWaterMark?: number;
}

/** The default {@link CallOptions.highWaterMark}. */
export const DEFAULT_HIGH_WATER_MARK = 16;

/** The call options' names. */
const CALL_OPTIONS = new Set(['signal', 'timeout', 'priority', 'key', 'onProgress', 'highWaterMark']);

/** Options of `new ThreadPool(options)`. */
export interface ThreadPoolOptions<Ctx = never> {
  /**
   * How many threads the pool keeps. A number: that many start with the pool and live until it
   * closes, never reaped when idle, since each one holds a context. An object makes the pool
   * elastic (see {@link ElasticThreads}): `min` threads live as a fixed pool's do, and up to
   * `max - min` more start, one at a time, while calls wait and every thread is busy; each of those
   * ends once it has been idle for `idleTimeout` ms, after its context is disposed. The inline pool
   * takes the object form too and runs on the calling thread as ever (one context).
   * @default os.availableParallelism()
   */
  readonly threads?: number | ElasticThreads;
  /**
   * The thread context class. Each thread builds one instance before its first task, awaits its
   * `init()` if it has one, and calls `[Symbol.asyncDispose]()` or `dispose()` when the pool closes.
   * @default undefined (no context)
   */
  readonly context?: ContextClass<Ctx>;
  /**
   * Arguments for the context's constructor, structured-cloned to every thread.
   * @default []
   */
  readonly contextArgs?: readonly unknown[];
  /**
   * Memory and stack limits of each thread (Node's `ResourceLimits`, passed to Piscina). A thread
   * that exceeds them is ended: its task rejects with `ERR_WORKER_EXITED` (the `cause` has the code
   * `ERR_WORKER_OUT_OF_MEMORY`) and the thread is replaced, with a new context.
   * @default undefined (Node's defaults)
   */
  readonly resourceLimits?: ResourceLimits;
  /**
   * At most this many calls wait for a thread; past it `spawn` rejects with `ERR_QUEUE_FULL` and
   * `trySpawn` returns `undefined`. The default is the Nim original's unbounded queue.
   * @default Infinity
   */
  readonly maxQueue?: number;
  /**
   * Milliseconds an aborted or timed-out running call has to finish once its `@TaskSignal()` is
   * aborted; past it, its thread is ended and replaced (with a new context). `Infinity` never ends
   * the thread.
   * @default 1000
   */
  readonly abortGracePeriod?: number;
  /**
   * Milliseconds a thread's context may take to build (from the thread's start of it: loading its
   * module, the constructor and `init()`) and to dispose. A build past it breaks the pool, as a
   * failed `init()` does (`ERR_CONTEXT_INIT_FAILED`); a dispose past it lets `close()` end the
   * threads anyway and reject with `ERR_CONTEXT_DISPOSE_FAILED`. Pool threads only (not the inline
   * pool, nor the fresh context of a pool-less `spawn`).
   * @default Infinity (no bound)
   */
  readonly contextTimeout?: number;
  /**
   * Microseconds a thread keeps polling for its next call after answering, before it goes to sleep;
   * and a streaming task out of credit (its caller holds `highWaterMark` items) polls for as long
   * for the caller to take some. A call, or credit, that comes within that time is taken at once,
   * without the wake-up of a sleeping thread (tens of µs, more on virtual machines); the price is up
   * to this much CPU, and event-loop delay, on that thread each time. `0` turns it off. The default
   * polls only when every thread can have a core of its own: a thread polling on a shared core
   * would take it from one with work.
   * @default 50 when `threads` ≤ `os.availableParallelism()`, else 0
   */
  readonly spinWait?: number;
  /**
   * The threads' `process.env`, as Node's `Worker` option: an object of strings (the threads get a
   * copy; keys whose value is `undefined` are left out), or `SHARE_ENV` from `node:worker_threads`
   * (the threads and the process share one environment: writes on either side are seen by the
   * other; under jest that is the process's real environment, not the test file's copy). Not for
   * the inline pool, which runs on the calling thread.
   * @default a copy of the creating code's `process.env`, taken when the pool is created (so a
   * replacement thread sees the same environment as the first ones; under jest, the test file's)
   */
  readonly env?: ThreadEnv;
}

/** The `threads` option of an elastic pool: from `min` to `max` threads, grown while calls wait. */
export interface ElasticThreads {
  /**
   * Threads that start with the pool and live until it closes (replaced if one dies). An integer
   * from 1 to 1024.
   * @default 1
   */
  readonly min?: number;
  /**
   * The most threads at once, an integer from `min` to 1024. Threads above `min` start one at a
   * time while calls wait in the pool's queue and every thread is busy; a new one takes calls once
   * its context is built (its `init()` included).
   * @default the larger of `min` and `os.availableParallelism()`
   */
  readonly max?: number;
  /**
   * Milliseconds (a positive integer up to 2^31 - 1) a thread above `min` may stay idle; then it
   * stops taking calls, its context is disposed (bounded by `contextTimeout`) and the thread ends.
   * @default 10000
   */
  readonly idleTimeout?: number;
}

/** `threads.idleTimeout` of an elastic pool unless given. */
export const DEFAULT_IDLE_TIMEOUT_MS = 10_000;

/** A thread's environment: variables to copy into its `process.env`, or `SHARE_ENV` (see `ThreadPoolOptions#env`). */
export type ThreadEnv = Readonly<Record<string, string | undefined>> | typeof SHARE_ENV;

/** The options after defaults and validation. */
export interface ResolvedPoolOptions<Ctx> {
  /** The most threads the pool runs at once (a fixed pool's count, an elastic pool's `max`). */
  readonly threads: number;
  /** The threads that live as long as the pool (a fixed pool's count, an elastic pool's `min`). */
  readonly minThreads: number;
  /** Ms a thread above `minThreads` may stay idle before it ends (`Infinity` for a fixed pool). */
  readonly idleTimeout: number;
  readonly context: ContextClass<Ctx> | undefined;
  readonly contextArgs: readonly unknown[];
  readonly resourceLimits: ResourceLimits | undefined;
  readonly maxQueue: number;
  readonly abortGracePeriod: number;
  readonly contextTimeout: number;
  readonly spinWait: number;
  /** What the threads' `env` is: the option, or the creator's `process.env` when the pool was created. */
  readonly env: Record<string, string> | typeof SHARE_ENV;
}

/** `spinWait` when every thread can have a core. */
export const DEFAULT_SPIN_WAIT_US = 50;

/**
 * The `spinWait` of a pool-less spawn's temporary thread (which polls only for a stream's credit):
 * the default when that thread and its caller can each have a core, else 0.
 */
export function temporarySpinWait(): number {
  return availableParallelism() >= 2 ? DEFAULT_SPIN_WAIT_US : 0;
}

/** The longest `spinWait`: 10 ms. */
export const MAX_SPIN_WAIT_US = 10_000;

/** More threads than this is a mistake, not a configuration (each thread is an isolate). */
export const MAX_THREADS = 1024;

const KNOWN = new Set(['threads', 'context', 'contextArgs', 'resourceLimits', 'maxQueue', 'abortGracePeriod', 'contextTimeout', 'spinWait', 'env']);
const LIMITS = new Set(['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb']);

/** Applies defaults once and rejects invalid values at once, with one message pattern. */
export function resolvePoolOptions<Ctx>(options: ThreadPoolOptions<Ctx> | undefined): ResolvedPoolOptions<Ctx> {
  if (options !== undefined && (typeof options !== 'object' || (options as unknown) === null || Array.isArray(options))) {
    throw invalid('options', 'an object', options);
  }
  for (const key of Object.keys(options ?? {})) {
    if (!KNOWN.has(key)) throw fail('ERR_INVALID_OPTION', `Unknown option \`${key}\`; expected one of ${[...KNOWN].join(', ')}`);
  }
  const { threads = availableParallelism(), context, contextArgs = [], resourceLimits, maxQueue = Infinity, abortGracePeriod = 1000, contextTimeout = Infinity, spinWait = DEFAULT_SPIN_WAIT_US } = options ?? {};
  const { min, max, idleTimeout } = resolveThreads(threads);
  if (context !== undefined && (typeof context !== 'function' || !Object.prototype.hasOwnProperty.call(context, 'prototype'))) {
    throw invalid('context', 'a class', context);
  }
  if (!Array.isArray(contextArgs)) throw invalid('contextArgs', 'an array', contextArgs);
  if (contextArgs.length > 0 && context === undefined) {
    throw fail('ERR_INVALID_OPTION', 'Expected `contextArgs` to come with `context`, got no `context`');
  }
  // No check of `contextArgs` against `context.length`: compiled TypeScript counts an optional
  // parameter (`size?: number`) there as required, so the count cannot tell. The constructor decides.
  const bad = findUncloneable(contextArgs, 'contextArgs');
  if (bad !== undefined) throw fail('ERR_UNCLONEABLE', `\`contextArgs\` cannot be sent to the threads: ${bad}`);
  if (resourceLimits !== undefined) validateLimits(resourceLimits);
  if (typeof maxQueue !== 'number' || Number.isNaN(maxQueue) || maxQueue < 0 || (maxQueue !== Infinity && !Number.isInteger(maxQueue))) {
    throw invalid('maxQueue', 'a non-negative integer or Infinity', maxQueue);
  }
  if (
    typeof abortGracePeriod !== 'number' ||
    Number.isNaN(abortGracePeriod) ||
    abortGracePeriod < 0 ||
    (abortGracePeriod !== Infinity && abortGracePeriod > MAX_TIMER_MS)
  ) {
    throw invalid('abortGracePeriod', `a number of milliseconds from 0 to ${String(MAX_TIMER_MS)}, or Infinity`, abortGracePeriod);
  }
  if (
    typeof contextTimeout !== 'number' ||
    Number.isNaN(contextTimeout) ||
    contextTimeout <= 0 ||
    (contextTimeout !== Infinity && contextTimeout > MAX_TIMER_MS)
  ) {
    throw invalid('contextTimeout', `a positive number of milliseconds up to ${String(MAX_TIMER_MS)}, or Infinity`, contextTimeout);
  }
  if (typeof spinWait !== 'number' || !Number.isFinite(spinWait) || spinWait < 0 || spinWait > MAX_SPIN_WAIT_US) {
    throw invalid('spinWait', `a number of microseconds from 0 to ${String(MAX_SPIN_WAIT_US)}`, spinWait);
  }
  const env = resolveEnv(options?.env);
  return {
    threads: max,
    minThreads: min,
    idleTimeout,
    context,
    contextArgs,
    resourceLimits,
    maxQueue,
    abortGracePeriod,
    contextTimeout,
    spinWait: options?.spinWait === undefined && max > availableParallelism() ? 0 : spinWait,
    env,
  };
}

const THREAD_KEYS = new Set(['min', 'max', 'idleTimeout']);

/** Checks the `threads` option: a fixed count, or an elastic pool's `{ min, max, idleTimeout }`. */
function resolveThreads(threads: unknown): { min: number; max: number; idleTimeout: number } {
  const count = `a positive integer up to ${String(MAX_THREADS)}`;
  const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_THREADS;
  if (typeof threads !== 'object' || threads === null || Array.isArray(threads)) {
    if (!isCount(threads)) throw invalid('threads', `${count}, or { min, max, idleTimeout }`, threads);
    return { min: threads, max: threads, idleTimeout: Infinity };
  }
  for (const key of Object.keys(threads)) {
    if (!THREAD_KEYS.has(key)) throw fail('ERR_INVALID_OPTION', `Unknown option \`threads.${key}\`; expected one of ${[...THREAD_KEYS].join(', ')}`);
  }
  const { min = 1, max, idleTimeout = DEFAULT_IDLE_TIMEOUT_MS } = threads as ElasticThreads;
  if (!isCount(min)) throw invalid('threads.min', count, min);
  if (max !== undefined && (!isCount(max) || max < min)) throw invalid('threads.max', `${count}, at least \`threads.min\` (${String(min)})`, max);
  if (typeof idleTimeout !== 'number' || !Number.isInteger(idleTimeout) || idleTimeout < 1 || idleTimeout > MAX_TIMER_MS) {
    throw invalid('threads.idleTimeout', `a positive integer of milliseconds up to ${String(MAX_TIMER_MS)}`, idleTimeout);
  }
  return { min, max: max ?? Math.min(MAX_THREADS, Math.max(min, availableParallelism())), idleTimeout };
}

/**
 * Checks an `env` option (a pool's or a pool-less spawn's) and returns what the threads get: a copy
 * of it, `SHARE_ENV`, or, when it is left out, a copy of this code's `process.env` now. Under jest
 * that is the test file's own `process.env`, which Node's `Worker` would not see by itself (it
 * copies the process's real one).
 */
export function resolveEnv(env: unknown): Record<string, string> | typeof SHARE_ENV {
  if (env === SHARE_ENV) return SHARE_ENV;
  if (env === undefined) return copyEnv(process.env);
  if (typeof env !== 'object' || env === null || Array.isArray(env)) {
    throw invalid('env', 'an object of strings, or SHARE_ENV from node:worker_threads', env);
  }
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && typeof value !== 'string') throw invalid(`env.${key}`, 'a string (or undefined, to leave it out)', value);
  }
  return copyEnv(env as Record<string, string | undefined>);
}

function copyEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) copy[key] = value;
  return copy;
}

function validateLimits(limits: unknown): void {
  if (typeof limits !== 'object' || limits === null) throw invalid('resourceLimits', 'an object', limits);
  for (const [key, value] of Object.entries(limits)) {
    if (!LIMITS.has(key)) {
      throw fail('ERR_INVALID_OPTION', `Unknown resource limit \`${key}\`; expected one of ${[...LIMITS].join(', ')}`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw invalid(`resourceLimits.${key}`, 'a positive number', value);
    }
  }
}

/** Checks per-call options at once, with the library's one message pattern (see `invalid`). */
export function validateCallOptions(options: unknown): CallOptions {
  if (typeof options !== 'object' || options === null) throw invalid('call options', 'an object', options);
  for (const name of Object.keys(options)) {
    if (!CALL_OPTIONS.has(name)) throw fail('ERR_INVALID_OPTION', `Unknown call option \`${name}\`; expected ${[...CALL_OPTIONS].join(', ')}`);
  }
  const { signal, timeout, priority, key, onProgress, highWaterMark } = options as {
    signal?: unknown;
    timeout?: unknown;
    priority?: unknown;
    key?: unknown;
    onProgress?: unknown;
    highWaterMark?: unknown;
  };
  if (onProgress !== undefined && typeof onProgress !== 'function') throw invalid('onProgress', 'a function', onProgress);
  if (highWaterMark !== undefined && (typeof highWaterMark !== 'number' || !Number.isInteger(highWaterMark) || highWaterMark < 1 || highWaterMark > 2 ** 30)) {
    throw invalid('highWaterMark', 'a positive integer number of items', highWaterMark);
  }
  // Duck-typed: a signal from another realm (jest's) is not `instanceof` this realm's AbortSignal.
  if (signal !== undefined && (typeof (signal as AbortSignal).aborted !== 'boolean' || typeof (signal as AbortSignal).addEventListener !== 'function')) {
    throw invalid('signal', 'an AbortSignal', signal);
  }
  if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0 || timeout > MAX_TIMER_MS)) {
    throw invalid('timeout', `a positive number of milliseconds up to ${String(MAX_TIMER_MS)} (leave it out for none)`, timeout);
  }
  if (priority !== undefined && (typeof priority !== 'number' || !Number.isFinite(priority))) {
    throw invalid('priority', 'a finite number (higher runs first; leave it out for 0)', priority);
  }
  if (key !== undefined && typeof key !== 'string' && (typeof key !== 'number' || !Number.isFinite(key))) {
    throw invalid('key', 'a string or a finite number', key);
  }
  return options;
}

function invalid(name: string, expected: string, got: unknown): Error {
  return fail('ERR_INVALID_OPTION', `Expected \`${name}\` to be ${expected}, got ${describe(got)}`);
}
