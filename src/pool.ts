import { Piscina } from 'piscina';
import { buildRequest, settle, threadFailure, WORKER_BOOTSTRAP } from './call';
import { contextSpec } from './context';
import { optionalExecArgv } from './exec-argv';
import { type AsyncThreadPoolError, fail } from './errors';
import { allowModule, moduleRegistry, type TaskRecord } from './manifest';
import { resolvePoolOptions, type ThreadPoolOptions } from './options';
import type { PoolWorkerData, TaskResponse } from './protocol';
import { dispatch, type CallerArgs, type Remote, type TaskClass, type TaskFunction, type TaskResult } from './proxy';
import { PoolThreads } from './threads';

type State = 'open' | 'closing' | 'closed' | 'destroyed';

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
  readonly #piscina: Piscina;
  readonly #threads: number;
  readonly #context: Function | undefined;
  readonly #proxies = new WeakMap<object, object>();
  readonly #members: PoolThreads;
  /** Per task: the coded error that stops every call on this pool (context mismatch), or null. */
  readonly #verdicts = new WeakMap<TaskRecord, Error | null>();
  #state: State = 'open';
  /** Why the pool is broken (a thread could not start): every call is refused with it. */
  #broken: AsyncThreadPoolError | undefined;
  #inFlight = 0;
  #drained: (() => void) | undefined;
  #closing: Promise<void> | undefined;
  #ending: Promise<void> | undefined;

  constructor(options?: ThreadPoolOptions<Ctx>) {
    const resolved = resolvePoolOptions(options);
    this.#threads = resolved.threads;
    this.#context = resolved.context;
    const context = resolved.context === undefined ? null : contextSpec(resolved.context, resolved.contextArgs);
    if (context !== null) allowModule(context.source.module);
    const workerData: PoolWorkerData = { kind: 'asyncthreadpool:pool', context, modules: moduleRegistry() };
    this.#piscina = new Piscina({
      filename: WORKER_BOOTSTRAP,
      name: 'handler',
      minThreads: resolved.threads,
      maxThreads: resolved.threads,
      // Threads own contexts: they must never be reaped for being idle.
      idleTimeout: Infinity,
      // 'sync' would freeze each thread's event loop between tasks, stopping contexts' timers and sockets.
      atomics: 'disabled',
      concurrentTasksPerWorker: 1,
      recordTiming: false,
      workerData,
      ...optionalExecArgv(),
      ...(resolved.resourceLimits === undefined ? {} : { resourceLimits: resolved.resourceLimits }),
    });
    this.#members = new PoolThreads(this.#piscina, resolved.context !== undefined, (error) => {
      this.#break(error);
    });
  }

  /** The number of threads. */
  get threads(): number {
    return this.#threads;
  }

  /**
   * Runs tasks on the pool. With a class, returns its typed proxy: every `@task` static method,
   * minus its `@ThreadContext()` parameter, returning a promise. With a task method and its
   * arguments, runs it at once.
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
    return dispatch(this.#call, this.#proxies, target, args);
  }

  readonly #call = (record: TaskRecord, args: unknown[]): Promise<unknown> => {
    if (this.#broken !== undefined) return Promise.reject(this.#brokenError(record.name));
    if (this.#state !== 'open') {
      return Promise.reject(fail('ERR_POOL_CLOSED', `Cannot run ${record.name}: the pool is ${this.#state}`));
    }
    const verdict = this.#verdict(record);
    if (verdict !== null) return Promise.reject(verdict);
    const request = buildRequest(record, args);
    if (request instanceof Error) return Promise.reject(request);
    this.#inFlight++;
    return (this.#piscina.run(request) as Promise<TaskResponse>).then(
      (response) => {
        this.#settled();
        return settle(record, response);
      },
      (error: unknown) => {
        this.#settled();
        // A call dropped because the pool broke fails for the reason it broke.
        if (this.#broken !== undefined) throw this.#brokenError(record.name);
        throw this.#state === 'destroyed'
          ? fail('ERR_POOL_CLOSED', `${record.name} was dropped: the pool was destroyed`, error)
          : threadFailure(error, record.name);
      },
    );
  };

  /** Checks once per task what the main thread can know about its context; the worker checks the rest. */
  #verdict(record: TaskRecord): Error | null {
    let verdict = this.#verdicts.get(record);
    if (verdict !== undefined) return verdict;
    verdict = null;
    if (record.contextIndex !== undefined) {
      const wanted = record.contextType?.name ?? 'context';
      if (this.#context === undefined) {
        verdict = fail(
          'ERR_CONTEXT_MISMATCH',
          `${record.name} takes a ${wanted} context, but the pool has no context; create it with new ThreadPool({ context: ${record.contextType?.name ?? 'YourContext'} })`,
        );
      } else if (record.contextType !== undefined && !isSameOrSubclass(this.#context, record.contextType)) {
        verdict = fail(
          'ERR_CONTEXT_MISMATCH',
          `${record.name} takes a ${record.contextType.name} context, but the pool's context is ${this.#context.name}`,
        );
      }
    }
    this.#verdicts.set(record, verdict);
    return verdict;
  }

  #settled(): void {
    this.#inFlight--;
    if (this.#inFlight === 0) this.#drained?.();
  }

  /**
   * A thread could not start: refuse every call from now on, end the threads (they would only be
   * restarted to fail again) and let what was queued reject with the same reason.
   */
  #break(error: AsyncThreadPoolError): void {
    if (this.#broken !== undefined || this.#state === 'closed' || this.#state === 'destroyed') return;
    this.#broken = error;
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
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  /**
   * Ends the threads at once: queued and running tasks reject with `ERR_POOL_CLOSED`, contexts are
   * not disposed. Resolves when the threads are gone. Idempotent.
   */
  async destroy(): Promise<void> {
    if (this.#state === 'open' || this.#state === 'closing') this.#state = 'destroyed';
    await this.#end();
    this.#drained?.();
  }

  /** `await using pool = new ThreadPool()` closes the pool at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #shutDown(): Promise<void> {
    if (this.#state === 'open') this.#state = 'closing';
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
    }
    let disposeErrors: unknown[] = [];
    if (this.#state === 'closing' && this.#broken === undefined && this.#context !== undefined) {
      disposeErrors = await this.#members.disposeAll();
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

  /** Ends the threads, once, and lets go of everything the pool holds. */
  #end(): Promise<void> {
    this.#ending ??= this.#piscina.destroy().then(() => {
      this.#members.release();
      // Piscina is an async resource that otherwise lives until garbage collection, so a pool kept
      // in a variable after close() would read as an open handle to `jest --detectOpenHandles`.
      this.#piscina.emitDestroy();
    });
    return this.#ending;
  }
}

function isSameOrSubclass(cls: Function, base: Function): boolean {
  return cls === base || cls.prototype instanceof base;
}
