import { buildRequest, entryModuleRefusal, streams, threadFailure } from './call';
import type * as ContextModule from './context';
import type * as InlineBackendModule from './inline-backend';
import { watchUnclosed } from './exit';
import { type AsyncThreadPoolError, fail } from '../shared/errors';
import { allowModule, type TaskRecord } from '../shared/manifest';
import { resolvePoolOptions, type ThreadPoolOptions } from './options';
import type * as PiscinaBackendModule from './piscina-backend';
import {
  dispatch,
  type BroadcastRemote,
  type CallerArgs,
  type CallTask,
  type Remote,
  type TaskClass,
  type TaskFunction,
  type TaskResult,
  type TryRemote,
} from './proxy';
import type { Backend } from './executor';
import { type CallOptions, DEFAULT_HIGH_WATER_MARK, validateCallOptions } from './options';
import type { TaskStream } from './stream';
import { type BroadcastPart, Scheduler } from './scheduler';
import type { PoolStats } from './stats';
import { callOff, createBarrier } from '../shared/barrier';
import { type CallTrace, newPoolId, newTrace, traceCall, traceStream, type TracedStart, tracing } from './tracing';
import { contextMismatch } from '../shared/context-mismatch';
import { unwrapMoved } from '../shared/transfer';

type State = 'open' | 'closing' | 'closed' | 'destroyed';

/**
 * Set by `ThreadPool.inline` for the one construction it makes, and taken by that constructor
 * before it reads any option: how the factory tells the constructor to run inline, without a
 * hidden key in the options object the constructor is given.
 */
let constructingInline = false;

/**
 * A pool of worker threads, each with one persistent context of class `Ctx` (none by default).
 * A thin facade over Piscina: Piscina starts, feeds and replaces the threads; the pool adds the
 * contexts, the typed proxies and the lifecycle.
 *
 * Arguments and results cross threads by structured clone: plain data, arrays, maps, sets, dates,
 * typed arrays and errors arrive as copies; functions, symbols and promises are refused with
 * `ERR_UNCLONEABLE`; class instances arrive as plain objects.
 *
 * @example
 * ```ts
 * import { ThreadPool } from 'asyncthreadpool';
 * import { Counter, MathTasks } from './tasks/math';
 *
 * await using pool = new ThreadPool({ context: Counter, threads: 1 });
 * await pool.spawn(MathTasks).add(3, 2);      // 5
 * await pool.spawn(MathTasks.add, 3, 2);      // 5
 * await pool.spawn(MathTasks).incr(1);        // 1: the context is this thread's Counter
 * await pool.spawn(MathTasks).incr(2);        // 3
 * ```
 */
export class ThreadPool<Ctx = never> implements AsyncDisposable {
  readonly #backend: Backend;
  /** Runs calls on the calling thread (`ThreadPool.inline`). */
  readonly #inline: boolean;
  readonly #context: Function | undefined;
  readonly #scheduler: Scheduler;
  readonly #plain: PoolView<Ctx>;
  /** Per task: the coded error that stops every call on this pool (context mismatch), or null. */
  readonly #verdicts = new WeakMap<TaskRecord, Error | null>();
  #state: State = 'open';
  /** Why the pool is broken (a thread could not start): every call is refused with it. */
  #broken: AsyncThreadPoolError | undefined;
  #closing: Promise<void> | undefined;
  #ending: Promise<void> | undefined;
  /** Stops closing this pool at exit (or reporting it at the end of a jest test file). */
  readonly #unwatch: () => void;
  /** The pool's id in its calls' traces. */
  readonly #id = newPoolId();

  constructor(options?: ThreadPoolOptions<Ctx>) {
    const inline = constructingInline;
    constructingInline = false;
    if (inline && options?.env !== undefined) {
      throw fail('ERR_INVALID_OPTION', 'The inline pool runs on this thread, with its process.env: it takes no `env` option');
    }
    const resolved = resolvePoolOptions(options);
    this.#inline = inline;
    this.#context = resolved.context;
    const onBroken = (error: AsyncThreadPoolError): void => {
      this.#break(error);
    };
    // The modules only some pools use (the inline backend, a context's checks, streams) are loaded
    // when one does, not with the package index: a pool that never uses them never loads them.
    if (inline) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { InlineBackend } = require('./inline-backend') as typeof InlineBackendModule;
      this.#backend = new InlineBackend(resolved, onBroken);
    } else {
      const context =
        resolved.context === undefined
          ? null
          : // eslint-disable-next-line @typescript-eslint/no-require-imports
            (require('./context') as typeof ContextModule).contextSpec(resolved.context, resolved.contextArgs);
      if (context !== null) allowModule(context.source.module);
      // Loaded here rather than at import, with what it imports (the thread layer, the TypeScript
      // prefill): a thread whose task module imports the package index never constructs a pool.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { PiscinaBackend } = require('./piscina-backend') as typeof PiscinaBackendModule;
      this.#backend = new PiscinaBackend(resolved, context, onBroken, (error, taskName) =>
        this.#threadFailure(error, taskName),
      );
    }
    this.#scheduler = new Scheduler(this.#backend, resolved.maxQueue, resolved.abortGracePeriod);
    this.#plain = this.#view(undefined);
    // Where the pool was made, for the report of a pool left open: captured now, formatted only then.
    const site: { stack?: string } = {};
    Error.captureStackTrace(site, ThreadPool);
    this.#unwatch = watchUnclosed(() => this.close(), site);
  }

  /**
   * A pool that runs tasks on the calling thread, for testing services that use a pool: the same
   * API, one context (`threads` is 1), and the same structured clone of arguments and results, so
   * a test catches uncloneable data as a real pool would. Tasks are looked up on their class at
   * each call, so `jest.spyOn(Tasks, 'method')` and mocks apply. It cannot end a task that ignores
   * its abort signal, nor survive a task that crashes the process. A `threads` option given anyway
   * (from untyped code: a number or `{ min, max, idleTimeout }`) is validated, then the pool runs
   * inline all the same.
   *
   * @example
   * ```ts
   * import { ThreadPool } from 'asyncthreadpool';
   * import { Counter, MathTasks } from './tasks/math';
   *
   * const pool = ThreadPool.inline({ context: Counter });
   * console.log(await pool.spawn(MathTasks).incr(2)); // 2, computed on this thread
   * await pool.close();
   * ```
   */
  static inline<Ctx = never>(options?: Omit<ThreadPoolOptions<Ctx>, 'threads' | 'resourceLimits' | 'env'>): ThreadPool<Ctx> {
    constructingInline = true;
    try {
      return new ThreadPool<Ctx>(options === undefined ? undefined : { ...options });
    } finally {
      constructingInline = false;
    }
  }

  /** The number of threads now (an elastic pool: from `min` to `max`, counting threads starting). */
  get threads(): number {
    return this.#inline ? 1 : this.#backend.size;
  }

  /** Calls waiting for a thread (not yet running). */
  get queueSize(): number {
    return this.#scheduler.queueSize;
  }

  /**
   * A snapshot of the pool's activity: threads, idle, queued, running, completed, failed,
   * utilization, and run and wait time percentiles. Cheap to read.
   */
  get stats(): PoolStats {
    return this.#scheduler.stats(this.threads);
  }

  /**
   * Runs tasks on the pool. With a class, returns its typed proxy: every `@task` static method,
   * minus its `@ThreadContext()` (and `@TaskSignal()`) parameter, returning a promise. With a task
   * method and its arguments, runs it at once. With `maxQueue` set and the queue full, the call
   * rejects with `ERR_QUEUE_FULL`.
   *
   * @example
   * ```ts
   * import { ThreadPool } from 'asyncthreadpool';
   * import { MathTasks } from './tasks/math';
   *
   * const pool = new ThreadPool({ threads: 2 });
   * const a = await pool.spawn(MathTasks).add(3, 2);   // proxy form
   * const b = await pool.spawn(MathTasks.add, 3, 2);   // function-reference form
   * await pool.close();
   * ```
   */
  spawn<C extends TaskClass>(taskClass: C): Remote<C, Ctx>;
  spawn<F extends TaskFunction>(task: F, ...args: CallerArgs<Parameters<F>, Ctx>): TaskResult<F>;
  spawn(target: unknown, ...args: unknown[]): unknown {
    return this.#plain.forward('spawn', target, args);
  }

  /**
   * Like `spawn`, but when the queue is full (`maxQueue`) a call returns `undefined` instead of a
   * promise: nothing was queued and nothing was thrown. Wait for room with `whenRoom()`.
   *
   * @example
   * ```ts
   * import { ThreadPool } from 'asyncthreadpool';
   * import { MathTasks } from './tasks/math';
   *
   * const pool = new ThreadPool({ threads: 1, maxQueue: 100 });
   * let pending = pool.trySpawn(MathTasks).add(1, 2);
   * while (pending === undefined) {
   *   await pool.whenRoom();
   *   pending = pool.trySpawn(MathTasks).add(1, 2);
   * }
   * console.log(await pending);
   * await pool.close();
   * ```
   */
  trySpawn<C extends TaskClass>(taskClass: C): TryRemote<C, Ctx>;
  trySpawn<F extends TaskFunction>(task: F, ...args: CallerArgs<Parameters<F>, Ctx>): TaskResult<F> | undefined;
  trySpawn(target: unknown, ...args: unknown[]): unknown {
    return this.#plain.forward('trySpawn', target, args);
  }

  /**
   * Runs a task once on every thread, with that thread's context, and resolves to the results in
   * thread order (by thread id). Each part waits its turn behind the calls queued before it, and no
   * thread runs two parts: a thread holds its part until every thread has taken one. For warm-up,
   * per-thread stats, or reconfiguring every context. On an elastic pool it runs on the threads the
   * pool has when it is called (`threads`, starting ones included): a thread started later does not
   * run it, and a part whose thread is reaped first runs on another thread.
   *
   * @example
   * ```ts
   * import { ThreadPool } from 'asyncthreadpool';
   * import { Counter, MathTasks } from './tasks/math';
   *
   * const pool = new ThreadPool({ context: Counter, threads: 2 });
   * const counts = await pool.broadcast(MathTasks).incr(1); // [1, 1]: one per thread
   * console.log(counts);
   * await pool.close();
   * ```
   */
  broadcast<C extends TaskClass>(taskClass: C): BroadcastRemote<C, Ctx> {
    return this.#plain.broadcast(taskClass);
  }

  /**
   * The same API with per-call options: `signal` (cancellation), `timeout` (ms from when the call
   * is handed to a thread), `priority` (higher leaves the queue first) and `key` (calls with one key run on
   * one thread). Views are cheap; keep one per set of options.
   *
   * @example
   * ```ts
   * import { ThreadPool } from 'asyncthreadpool';
   * import { MathTasks } from './tasks/math';
   *
   * const pool = new ThreadPool({ threads: 1 });
   * const controller = new AbortController();
   * const guarded = pool.with({ signal: controller.signal, timeout: 5_000 });
   * const sum = await guarded.spawn(MathTasks).add(1, 2);
   * const alsoSum = await guarded.spawn(MathTasks.add, 1, 2);
   * console.log(sum, alsoSum);
   * await pool.close();
   * ```
   */
  with(options: CallOptions): PoolView<Ctx> {
    validateCallOptions(options);
    return this.#view(options);
  }

  /** Resolves when the queue can take another call (at once if it can); see `maxQueue`. */
  whenRoom(): Promise<void> {
    return this.#scheduler.whenRoom();
  }

  #view(options: CallOptions | undefined): PoolView<Ctx> {
    return new PoolView<Ctx>(
      (record, args) => this.#submit(record, args, options, 'reject'),
      (record, args) => this.#submit(record, args, options, 'undefined'),
      (record, args) => this.#broadcastCall(record, args, options),
    );
  }

  #submit(record: TaskRecord, args: unknown[], options: CallOptions | undefined, whenFull: 'reject' | 'undefined'): Promise<unknown> | TaskStream<unknown> | undefined {
    if (record.stream === true) return this.#stream(record, args, options, whenFull);
    if (!tracing()) return this.#enqueue(record, args, options, whenFull, undefined);
    // A trySpawn that finds the queue full made no call: there is nothing to trace.
    if (whenFull === 'undefined' && this.#refusal(record) === null && !this.#scheduler.hasRoom()) return undefined;
    const trace = newTrace(record, args, this.#inline ? 'inline' : 'pool', this.#id, false, options);
    return traceCall(trace, () => this.#enqueue(record, args, options, 'reject', trace) as Promise<unknown>);
  }

  #enqueue(record: TaskRecord, args: unknown[], options: CallOptions | undefined, whenFull: 'reject' | 'undefined', trace: CallTrace | undefined): Promise<unknown> | undefined {
    const refused = this.#refusal(record);
    if (refused !== null) return Promise.reject(refused);
    if (!this.#scheduler.hasRoom()) {
      if (whenFull === 'undefined') return undefined;
      return Promise.reject(fail('ERR_QUEUE_FULL', `Cannot queue ${record.name}: the queue holds maxQueue (${String(this.#scheduler.queueSize)}) calls`));
    }
    const { args: plain, transfer } = unwrapMoved(args);
    const request = buildRequest(record, plain as unknown[]);
    if (request instanceof Error) return Promise.reject(request);
    return this.#scheduler.submit(record, request, transfer, options, undefined, trace);
  }

  /**
   * A streaming call: its stream, which queues the call at its first `next()`. What stops a call at
   * the call site makes that `next()` reject; a full queue (`maxQueue`) is told at the call, as for
   * any call (`trySpawn` returns `undefined`).
   */
  #stream(record: TaskRecord, args: unknown[], options: CallOptions | undefined, whenFull: 'reject' | 'undefined'): TaskStream<unknown> | undefined {
    const highWaterMark = options?.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    const newStream = tracing() ? this.#tracedStreams(record, args, options) : streams().createTaskStream;
    const refused = this.#refusal(record);
    if (refused !== null) return newStream(refused, highWaterMark);
    if (!this.#scheduler.hasRoom()) {
      if (whenFull === 'undefined') return undefined;
      return newStream(
        fail('ERR_QUEUE_FULL', `Cannot queue ${record.name}: the queue holds maxQueue (${String(this.#scheduler.queueSize)}) calls`),
        highWaterMark,
      );
    }
    const { args: plain, transfer } = unwrapMoved(args);
    const request = buildRequest(record, plain as unknown[]);
    if (request instanceof Error) return newStream(request, highWaterMark);
    return newStream((onItems: (items: readonly unknown[]) => void, credit: SharedArrayBuffer, trace?: CallTrace) => {
      // The pool may have closed since the call.
      const late = this.#refusal(record);
      if (late !== null) return { result: Promise.reject(late), wake: () => undefined, cancel: () => undefined };
      return this.#scheduler.submitStream(record, { ...request, stream: highWaterMark, credit }, transfer, options, onItems, trace);
    }, highWaterMark);
  }

  /** Makes the streams of a call traced (from their first `next()`, see `CallTrace`). */
  #tracedStreams(record: TaskRecord, args: unknown[], options: CallOptions | undefined): (start: TracedStart | Error, highWaterMark: number) => TaskStream<unknown> {
    const describe = (): CallTrace => newTrace(record, args, this.#inline ? 'inline' : 'pool', this.#id, false, options);
    const { createTaskStream } = streams();
    return (start, highWaterMark) => createTaskStream(traceStream(describe, start), highWaterMark);
  }

  /** Why a call cannot be queued at all, or null. */
  #refusal(record: TaskRecord): Error | null {
    if (this.#broken !== undefined) return this.#brokenError(record.name);
    if (this.#state !== 'open') return fail('ERR_POOL_CLOSED', `Cannot run ${record.name}: the pool is ${this.#state}`);
    return this.#verdict(record);
  }

  #broadcastCall(record: TaskRecord, args: unknown[], options: CallOptions | undefined): Promise<unknown[]> {
    if (!tracing()) return this.#broadcastParts(record, args, options);
    const trace = newTrace(record, args, this.#inline ? 'inline' : 'pool', this.#id, true, options);
    return traceCall(trace, () => this.#broadcastParts(record, args, options));
  }

  async #broadcastParts(record: TaskRecord, args: unknown[], options: CallOptions | undefined): Promise<unknown[]> {
    const refused = this.#refusal(record);
    if (refused !== null) throw refused;
    if (options?.key !== undefined) {
      throw fail('ERR_INVALID_OPTION', `Cannot broadcast ${record.name} with a \`key\`: a broadcast runs on every thread; leave the key out`);
    }
    if (record.stream === true) {
      throw fail('ERR_STREAM_NOT_SUPPORTED', `${record.name} is a streaming task: it cannot be broadcast (spawn it once per stream instead)`);
    }
    const request = buildRequest(record, args);
    if (request instanceof Error) throw request;
    // An elastic pool: the threads it has now (starting ones included); a thread started later does
    // not run the broadcast, and a part whose thread is reaped or dies first runs on another.
    const parties = this.threads;
    const barrier = createBarrier(parties);
    const parts = Array.from({ length: parties }, () =>
      this.#scheduler.submit(record, { ...request, barrier }, [], options).then(
        (value) => value,
        (error: unknown) => {
          // A part that cannot reach a thread calls the broadcast off, releasing the threads that wait.
          callOff(barrier);
          throw error;
        },
      ),
    );
    const results = (await Promise.all(parts)) as BroadcastPart[];
    return results.sort((a, b) => a.thread - b.thread).map((part) => part.value);
  }

  /** A failure of the thread running a call (not of its task), as a coded error for the pool's state. */
  #threadFailure(error: unknown, taskName: string): Error {
    // A call dropped because the pool broke fails for the reason it broke.
    if (this.#broken !== undefined) return this.#brokenError(taskName);
    if (this.#state === 'destroyed') return fail('ERR_POOL_CLOSED', `${taskName} was dropped: the pool was destroyed`, error);
    return threadFailure(error, taskName);
  }

  /** Checks once per task what the main thread can know about its context; the worker checks the rest. */
  #verdict(record: TaskRecord): Error | null {
    let verdict = this.#verdicts.get(record);
    if (verdict !== undefined) return verdict;
    verdict = this.#inline ? null : entryModuleRefusal(record);
    if (verdict === null && record.contextIndex !== undefined) {
      if (this.#context === undefined) {
        verdict = contextMismatch(record, undefined);
      } else if (record.contextType !== undefined && !isSameOrSubclass(this.#context, record.contextType)) {
        verdict = contextMismatch(record, this.#context.name);
      }
    }
    this.#verdicts.set(record, verdict);
    return verdict;
  }

  /**
   * A thread could not start: refuse every call from now on, end the threads (they would only be
   * restarted to fail again) and let what was queued reject with the same reason.
   */
  #break(error: AsyncThreadPoolError): void {
    if (this.#broken !== undefined || this.#state === 'closed' || this.#state === 'destroyed') return;
    this.#broken = error;
    this.#scheduler.dropQueued(() => this.#brokenError('a queued call'));
    void this.#end();
  }

  #brokenError(taskName: string): AsyncThreadPoolError {
    const broken = this.#broken ?? fail('ERR_POOL_CLOSED', 'The pool is broken');
    return fail(broken.code, `Cannot run ${taskName}: the pool is broken. ${broken.message}`, broken.cause);
  }

  /**
   * Closes the pool gracefully: new calls reject with `ERR_POOL_CLOSED`, queued and running tasks
   * finish, every thread disposes its context, then the threads end. Idempotent: every call returns
   * the same promise. Rejects with `ERR_CONTEXT_DISPOSE_FAILED` (after ending the threads) if a
   * context's dispose threw.
   */
  close(): Promise<void> {
    this.#unwatch();
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  /**
   * Ends the threads at once: queued and running tasks reject with `ERR_POOL_CLOSED`, contexts are
   * not disposed. Resolves when the threads are gone. Idempotent.
   */
  async destroy(): Promise<void> {
    this.#unwatch();
    if (this.#state === 'open' || this.#state === 'closing') this.#state = 'destroyed';
    this.#scheduler.dropQueued(() => fail('ERR_POOL_CLOSED', 'A queued call was dropped: the pool was destroyed'));
    await this.#end();
  }

  /** `await using pool = new ThreadPool()` closes the pool at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #shutDown(): Promise<void> {
    if (this.#state === 'open') this.#state = 'closing';
    // Also ends when destroy() or a break ends the threads: their calls are rejected, the queue dropped.
    await this.#scheduler.whenIdle();
    let disposeErrors: unknown[] = [];
    if (this.#state === 'closing' && this.#broken === undefined && this.#context !== undefined) {
      disposeErrors = await this.#backend.disposeContexts();
    }
    if (this.#state === 'closing') this.#state = 'closed';
    await this.#end();
    if (disposeErrors.length > 0) {
      throw fail(
        'ERR_CONTEXT_DISPOSE_FAILED',
        `Disposing ${String(disposeErrors.length)} thread context(s) failed`,
        disposeErrors.length === 1 ? disposeErrors[0] : new AggregateError(disposeErrors),
      );
    }
  }

  /** Ends the threads, once. */
  #end(): Promise<void> {
    this.#ending ??= this.#backend.end();
    return this.#ending;
  }
}

/**
 * The spawning API of a pool, optionally with per-call options (`pool.with(options)`); the pool
 * itself offers the same methods without options.
 */
export class PoolView<Ctx> {
  readonly #spawn: CallTask;
  readonly #trySpawn: CallTask;
  readonly #broadcast: CallTask;
  readonly #proxies = new WeakMap<object, object>();
  readonly #tryProxies = new WeakMap<object, object>();
  readonly #broadcastProxies = new WeakMap<object, object>();

  /** Made by `ThreadPool`; use `pool.with(options)`. */
  constructor(spawn: CallTask, trySpawn: CallTask, broadcast: CallTask) {
    this.#spawn = spawn;
    this.#trySpawn = trySpawn;
    this.#broadcast = broadcast;
  }

  /** As `ThreadPool#spawn`, with this view's options. */
  spawn<C extends TaskClass>(taskClass: C): Remote<C, Ctx>;
  spawn<F extends TaskFunction>(task: F, ...args: CallerArgs<Parameters<F>, Ctx>): TaskResult<F>;
  spawn(target: unknown, ...args: unknown[]): unknown {
    return this.forward('spawn', target, args);
  }

  /** @internal The untyped body of `spawn` and `trySpawn`, which `ThreadPool` forwards to; not part of the API. */
  forward(kind: 'spawn' | 'trySpawn', target: unknown, args: unknown[]): unknown {
    return kind === 'spawn' ? dispatch(this.#spawn, this.#proxies, target, args) : dispatch(this.#trySpawn, this.#tryProxies, target, args);
  }

  /** As `ThreadPool#trySpawn`, with this view's options. */
  trySpawn<C extends TaskClass>(taskClass: C): TryRemote<C, Ctx>;
  trySpawn<F extends TaskFunction>(task: F, ...args: CallerArgs<Parameters<F>, Ctx>): TaskResult<F> | undefined;
  trySpawn(target: unknown, ...args: unknown[]): unknown {
    return this.forward('trySpawn', target, args);
  }

  /** As `ThreadPool#broadcast`, with this view's options. */
  broadcast<C extends TaskClass>(taskClass: C): BroadcastRemote<C, Ctx> {
    return dispatch(this.#broadcast, this.#broadcastProxies, taskClass, []) as BroadcastRemote<C, Ctx>;
  }
}

function isSameOrSubclass(cls: Function, base: Function): boolean {
  return cls === base || cls.prototype instanceof base;
}
