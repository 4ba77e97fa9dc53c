import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Queue, QueueEvents, type JobsOptions } from 'bullmq';
import type { Redis, RedisOptions } from 'ioredis';
import { abortError, type AsyncThreadPoolError, describe, fail } from '../shared/errors';
import type { TaskRecord } from '../shared/manifest';
import { dispatch, type CallerArgs, type CallTask, type Remote, type TaskClass, type TaskFunction, type TaskResult } from '../main/proxy';
import { type CallOptions, validateCallOptions } from '../main/options';
import { createTaskStream, type TaskStream } from '../main/stream';
import { unwrapMoved } from '../shared/transfer';
import { decode, encode } from './codec';
import {
  CANCEL_SCRIPT,
  CANCELLED,
  cancelChannel,
  checkConnection,
  checkKnown,
  checkMs,
  checkQueueName,
  Connections,
  isConnectionError,
  isFailureProgress,
  type JobData,
  RELEASE_MS,
  settlesWithin,
} from './shared';

/** Options of `new RemotePool(options)`. */
export interface RemotePoolOptions {
  /** The BullMQ queue the servers `serve()`. */
  readonly queue: string;
  /** ioredis connection options of the Redis that holds the queue. */
  readonly connection: RedisOptions;
  /**
   * The BullMQ key prefix (the servers' must match).
   * @default 'bull'
   */
  readonly prefix?: string;
  /**
   * Milliseconds Redis may be unreachable before calls reject with `ERR_REMOTE_UNAVAILABLE`: a new
   * call that cannot add its job within it, and every waiting call once the connection has been
   * down that long (their jobs may still run). Calls work again once Redis answers.
   * @default 10000
   */
  readonly unavailableTimeout?: number;
  /**
   * Milliseconds between checks of the waiting calls' jobs in Redis: a job that is gone (removed,
   * Redis flushed) rejects with `ERR_JOB_LOST`, and a result whose event was missed is read from
   * the job. Results normally arrive by event, at once; this only bounds the rare cases. A check
   * looks up at most 1,000 jobs (their state only), the next ones at the next check.
   * @default 5000
   */
  readonly checkInterval?: number;
  /**
   * Seconds a finished job (and its result) is kept in Redis, for the checks above and for
   * dashboards; `jobId` resubmissions within it get the kept result.
   * @default 3600
   */
  readonly keepFinished?: number;
}

/**
 * Per-call options of `remote.with(options)`: the local pool's `signal` and `timeout` (not
 * `onProgress`, `highWaterMark` or `key`: progress reports, streams and threads do not cross the
 * queue), plus BullMQ's job options, whose `priority` is BullMQ's.
 */
export interface RemoteCallOptions extends Omit<CallOptions, 'onProgress' | 'highWaterMark' | 'key' | 'priority'> {
  /**
   * How many times the job runs at most: a task that throws (or whose thread dies) runs again on
   * some server, up to this many runs in all. Aborted calls, unknown tasks and undecodable
   * payloads never run again.
   * @default 1
   */
  readonly attempts?: number;
  /** Delay between attempts: milliseconds, or BullMQ's `{ type: 'fixed' | 'exponential', delay }`. */
  readonly backoff?:
    | number
    | {
        /** `fixed`: `delay` before every retry; `exponential`: `delay` × 2^(retry − 1). */
        readonly type: 'fixed' | 'exponential';
        /** Milliseconds. */
        readonly delay: number;
      };
  /**
   * The job's id, for idempotent submission: while a job with this id is in the queue (waiting,
   * running, or finished and kept for `keepFinished` seconds), a call with the same id adds
   * nothing and gets that job's result. Must not be a number-like string (BullMQ's rule).
   */
  readonly jobId?: string;
  /**
   * BullMQ's priority: an integer from 1 (highest) to 2,097,152; jobs without one go first. Note the
   * difference from a local pool's `priority` (any finite number, higher first, default 0).
   */
  readonly priority?: number;
}

/** The most jobs one periodic check looks up (see `checkInterval`). */
const SWEEP_LIMIT = 1_000;

const CALL_KEYS = ['signal', 'timeout', 'attempts', 'backoff', 'jobId', 'priority'] as const;
const POOL_KEYS = ['queue', 'connection', 'prefix', 'unavailableTimeout', 'checkInterval', 'keepFinished'] as const;

/** One call waiting for its job. */
interface Waiter {
  readonly task: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  /** The job is in Redis (its add resolved). */
  added: boolean;
  settled: boolean;
  /** The last task error a failed attempt reported (its job's progress). */
  failure: unknown;
  unlisten: (() => void) | undefined;
}

/**
 * Calls tasks served by `serve()` on other processes or machines, through a BullMQ queue, with the
 * typed proxies of a local `ThreadPool<Ctx>`: `Ctx` is the servers' context class, whose parameter
 * callers do not pass. A call adds one job (the task's name and its encoded arguments) and resolves
 * with the result of a run that completed; see the README's "Scaling out with BullMQ".
 *
 * Holds two Redis connections (commands, and one event subscription shared by every call).
 *
 * @example
 * ```ts
 * import { RemotePool } from 'asyncthreadpool/bullmq';
 * import { Counter, MathTasks } from './tasks/math';
 *
 * await using remote = new RemotePool<Counter>({ queue: 'math', connection: { host: '127.0.0.1', port: 6379 } });
 * const five = await remote.spawn(MathTasks).add(3, 2);
 * const total = await remote.with({ timeout: 5_000, attempts: 3 }).spawn(MathTasks).incr(1);
 * ```
 */
export class RemotePool<Ctx = never> implements AsyncDisposable {
  readonly #name: string;
  readonly #unavailableTimeout: number;
  readonly #keepFinished: number;
  readonly #connections = new Connections();
  readonly #client: Redis;
  readonly #queue: Queue;
  #events: QueueEvents | undefined;
  readonly #ready: Promise<void>;
  readonly #waiters = new Map<string, Waiter[]>();
  readonly #plain: RemoteView<Ctx>;
  readonly #sweeper: NodeJS.Timeout;
  #downTimer: NodeJS.Timeout | undefined;
  #sweeping = false;
  /** The jobs the next checks look up, last first (see #sweep). */
  #sweepTurn: string[] = [];
  #state: 'open' | 'closing' | 'closed' = 'open';
  #closing: Promise<void> | undefined;
  readonly #idle = new Set<() => void>();

  constructor(options: RemotePoolOptions) {
    if (typeof options !== 'object' || (options as unknown) === null) throw fail('ERR_INVALID_OPTION', `Expected RemotePool options, got ${describe(options)}`);
    checkKnown('RemotePool', options, POOL_KEYS);
    this.#name = checkQueueName(options.queue);
    const connection = checkConnection(options.connection);
    this.#unavailableTimeout = checkMs('unavailableTimeout', options.unavailableTimeout, 10_000);
    const checkInterval = checkMs('checkInterval', options.checkInterval, 5_000, 10);
    this.#keepFinished = checkMs('keepFinished', options.keepFinished, 3600);
    const prefix = options.prefix;
    if (prefix !== undefined && (typeof prefix !== 'string' || prefix === '')) throw fail('ERR_INVALID_OPTION', `Expected \`prefix\` to be a non-empty string, got ${describe(prefix)}`);

    // Commands fail at once while the connection is down (no offline queue): a call then rejects
    // with ERR_REMOTE_UNAVAILABLE instead of waiting for Redis without bound.
    this.#client = this.#connections.open({ ...connection, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.#client.on('error', () => {
      // Reported through the calls (ERR_REMOTE_UNAVAILABLE); ioredis reconnects by itself.
    });
    this.#client.on('close', () => {
      this.#connectionLost();
    });
    this.#client.on('ready', () => {
      this.#connectionBack();
    });
    this.#queue = new Queue(this.#name, { connection: this.#client, ...(prefix === undefined ? {} : { prefix }) });
    this.#queue.on('error', () => {
      // As above.
    });
    this.#ready = this.#subscribe(connection, prefix);
    this.#ready.catch(() => undefined);
    this.#sweeper = setInterval(() => void this.#sweep(), checkInterval);
    this.#sweeper.unref();
    this.#plain = new RemoteView<Ctx>((record, args) => (record.stream === true ? notStreamed(record) : this.#call(record, args, undefined)));
  }

  /**
   * Runs a task on some server of the queue. With a class, returns its typed proxy (as
   * `ThreadPool#spawn`); with a task method and its arguments, calls it at once.
   */
  spawn<C extends TaskClass>(taskClass: C): Remote<C, Ctx>;
  spawn<F extends TaskFunction>(task: F, ...args: CallerArgs<Parameters<F>, Ctx>): TaskResult<F>;
  spawn(target: unknown, ...args: unknown[]): unknown {
    return this.#plain.forward(target, args);
  }

  /**
   * The same API with per-call options: `signal` and `timeout` as on a local pool (the timeout is
   * enforced by the server that runs the task, from its start there), and BullMQ's `attempts`,
   * `backoff`, `jobId` and `priority`.
   */
  with(options: RemoteCallOptions): RemoteView<Ctx> {
    const checked = validateRemoteCallOptions(options);
    return new RemoteView<Ctx>((record, args) => (record.stream === true ? notStreamed(record) : this.#call(record, args, checked)));
  }

  /** Calls waiting for their job's result. */
  get pending(): number {
    let count = 0;
    for (const list of this.#waiters.values()) count += list.length;
    return count;
  }

  /**
   * Stops taking calls (they reject with `ERR_POOL_CLOSED`), waits for the waiting ones to settle,
   * then releases the connections. Idempotent.
   */
  close(): Promise<void> {
    if (this.#state === 'open') this.#state = 'closing';
    this.#closing ??= (async () => {
      while (this.pending > 0) await new Promise<void>((resolve) => this.#idle.add(resolve));
      await this.#release();
    })();
    return this.#closing;
  }

  /** Rejects the waiting calls with `ERR_POOL_CLOSED` (their jobs still run) and releases the connections. */
  async destroy(): Promise<void> {
    if (this.#state === 'open') this.#state = 'closing';
    for (const [jobId, list] of [...this.#waiters]) {
      for (const waiter of [...list]) this.#settle(jobId, waiter, fail('ERR_POOL_CLOSED', `${waiter.task} was dropped: the remote pool was destroyed`), false);
    }
    await this.close();
  }

  /** `await using remote = new RemotePool(...)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #release(): Promise<void> {
    clearInterval(this.#sweeper);
    clearTimeout(this.#downTimer);
    // Closed first: a subscription still being opened (Redis down since the start) stops there.
    this.#state = 'closed';
    // BullMQ's closes, bounded: with Redis down they may wait for it; then the connections end.
    await settlesWithin(Promise.allSettled([this.#events?.close(), this.#queue.close()]), RELEASE_MS);
    this.#connections.end();
  }

  /** Opens the event subscription from the stream's current end, so no event of a later job is missed. */
  async #subscribe(connection: RedisOptions, prefix: string | undefined): Promise<void> {
    await this.#queue.waitUntilReady();
    const last = (await this.#client.xrevrange(this.#queue.keys.events as string, '+', '-', 'COUNT', 1)) as [string, string[]][];
    if (this.#state === 'closed') return;
    const events = new QueueEvents(this.#name, {
      // A copy of this client, made by BullMQ (its blocking connection), ended with the others.
      connection: this.#connections.open({ ...connection, maxRetriesPerRequest: null, lazyConnect: true }),
      lastEventId: last[0]?.[0] ?? '0-0',
      ...(prefix === undefined ? {} : { prefix }),
    });
    this.#events = events;
    events.on('error', () => {
      // QueueEvents reconnects by itself; the checks and the unavailable timer bound the waits.
    });
    events.on('completed', ({ jobId, returnvalue }) => {
      this.#completed(jobId, returnvalue);
    });
    events.on('progress', ({ jobId, data }) => {
      if (!isFailureProgress(data)) return;
      for (const waiter of this.#waiters.get(jobId) ?? []) waiter.failure = data;
    });
    events.on('failed', ({ jobId, failedReason }) => {
      void this.#failed(jobId, failedReason);
    });
    events.on('removed', ({ jobId }) => {
      this.#lost(jobId, 'was removed from the queue');
    });
    await events.waitUntilReady();
  }

  async #call(record: TaskRecord, args: unknown[], options: RemoteCallOptions | undefined): Promise<unknown> {
    if (this.#state !== 'open') throw fail('ERR_POOL_CLOSED', `Cannot run ${record.name}: the remote pool is ${this.#state}`);
    const signal = options?.signal;
    if (signal?.aborted === true) throw abortError(record.name, signal.reason);
    // move() has no meaning across machines: the value is copied like any other.
    const plain = unwrapMoved(args).args;
    const data: JobData = {
      ...encode(plain, `The arguments of ${record.name}`),
      ...(options?.timeout === undefined ? {} : { timeout: options.timeout }),
    };
    const jobId = options?.jobId ?? randomUUID();
    return await new Promise<unknown>((resolve, reject) => {
      const waiter: Waiter = { task: record.name, resolve, reject, added: false, settled: false, failure: undefined, unlisten: undefined };
      let list = this.#waiters.get(jobId);
      if (list === undefined) this.#waiters.set(jobId, (list = []));
      list.push(waiter);
      if (signal !== undefined) {
        const onAbort = (): void => {
          this.#settle(jobId, waiter, abortError(record.name, signal.reason), false);
          if (waiter.added && !this.#waiters.has(jobId)) void this.#cancel(jobId);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.unlisten = () => { signal.removeEventListener('abort', onAbort); };
      }
      void this.#add(jobId, waiter, record.name, data, options);
    });
  }

  async #add(jobId: string, waiter: Waiter, task: string, data: JobData, options: RemoteCallOptions | undefined): Promise<void> {
    const opts: JobsOptions = {
      jobId,
      removeOnComplete: { age: this.#keepFinished },
      removeOnFail: { age: this.#keepFinished },
      ...(options?.attempts === undefined ? {} : { attempts: options.attempts }),
      ...(options?.backoff === undefined ? {} : { backoff: options.backoff }),
      ...(options?.priority === undefined ? {} : { priority: options.priority }),
    };
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => { resolve('late'); }, this.#unavailableTimeout);
    });
    const adding = this.#ready.then(async () => {
      // While ioredis reconnects, wait for it (within the bound) rather than fail at once.
      if (this.#client.status !== 'ready') await once(this.#client, 'ready');
      return this.#queue.add(task, data, opts);
    });
    let outcome: unknown;
    try {
      outcome = await Promise.race([adding, bound]);
    } catch (error) {
      outcome = error;
    } finally {
      clearTimeout(timer);
    }
    if (outcome === 'late') {
      this.#settle(jobId, waiter, unavailable(task, this.#unavailableTimeout), false);
      // If the job gets in after all, nobody waits for it: take it back out.
      adding.then(() => this.#cancel(jobId), () => undefined);
      return;
    }
    if (outcome instanceof Error) {
      this.#settle(jobId, waiter, isConnectionError(outcome) ? unavailable(task, this.#unavailableTimeout, outcome) : outcome, false);
      return;
    }
    waiter.added = true;
    if (waiter.settled) {
      // Aborted while the job was being added.
      if (!this.#waiters.has(jobId)) await this.#cancel(jobId);
      return;
    }
    // A given jobId may name a job that finished before: its events are past, read it now.
    if (options?.jobId !== undefined) await this.#check([jobId]);
  }

  /**
   * Marks the job cancelled (a server that fetches it later fails it without running it), tells
   * the servers (the one running it aborts it), and removes it if it waits.
   */
  async #cancel(jobId: string): Promise<void> {
    try {
      await this.#client.eval(CANCEL_SCRIPT, 1, this.#queue.toKey(jobId), cancelChannel(this.#queue.toKey.bind(this.#queue)), jobId, CANCELLED);
      await this.#queue.remove(jobId);
    } catch {
      // Redis is unreachable: the job may still run, with nobody waiting for it.
    }
  }

  #completed(jobId: string, returnvalue: unknown): void {
    const list = this.#waiters.get(jobId);
    if (list === undefined) return;
    let value: unknown;
    let error: unknown;
    try {
      value = decode(returnvalue, `The result of job ${jobId}`);
    } catch (e) {
      error = e;
    }
    for (const waiter of [...list]) {
      if (error === undefined) this.#settle(jobId, waiter, value, true);
      else this.#settle(jobId, waiter, error, false);
    }
  }

  async #failed(jobId: string, failedReason: string, failure?: unknown): Promise<void> {
    const list = this.#waiters.get(jobId);
    if (list === undefined) return;
    let reported = failure ?? list.find((w) => w.failure !== undefined)?.failure;
    if (reported === undefined) {
      // The progress event was missed: read what the last attempt left in the job.
      try {
        const progress = await this.#client.hget(this.#queue.toKey(jobId), 'progress');
        reported = progress === null ? undefined : (JSON.parse(progress) as unknown);
      } catch {
        reported = undefined;
      }
    }
    let error: unknown;
    if (isFailureProgress(reported)) {
      try {
        error = decode(reported.atpError, `The error of job ${jobId}`);
      } catch (e) {
        error = e;
      }
    } else if (failedReason === CANCELLED) {
      // Cancelled by another caller of the same jobId before it ran.
      error = abortError(list[0]?.task ?? 'the task', CANCELLED);
    } else {
      error = fail('ERR_JOB_LOST', `Job ${jobId} failed outside its task: ${failedReason}`);
    }
    for (const waiter of [...(this.#waiters.get(jobId) ?? [])]) this.#settle(jobId, waiter, error, false);
  }

  #lost(jobId: string, what: string): void {
    for (const waiter of [...(this.#waiters.get(jobId) ?? [])]) {
      if (waiter.added) this.#settle(jobId, waiter, fail('ERR_JOB_LOST', `The job of ${waiter.task} (${jobId}) ${what}`), false);
    }
  }

  /** Looks up jobs whose result never came by event: gone, or finished with the event missed. */
  async #check(jobIds: readonly string[]): Promise<void> {
    if (jobIds.length === 0 || this.#client.status !== 'ready') return;
    const pipeline = this.#client.pipeline();
    for (const id of jobIds) pipeline.hmget(this.#queue.toKey(id), 'timestamp', 'finishedOn', 'returnvalue', 'failedReason', 'progress');
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await pipeline.exec();
    } catch {
      return;
    }
    jobIds.forEach((id, i) => {
      const [error, fields] = replies?.[i] ?? [null, undefined];
      if (error !== null || !Array.isArray(fields)) return;
      const [timestamp, finishedOn, returnvalue, failedReason, progress] = fields as (string | null)[];
      if (timestamp === null || timestamp === undefined) {
        this.#lost(id, 'is gone from Redis (removed, or Redis lost its data)');
      } else if (finishedOn !== null && finishedOn !== undefined) {
        if (returnvalue !== null && returnvalue !== undefined && failedReason === null) this.#completed(id, parseJson(returnvalue));
        else void this.#failed(id, failedReason ?? 'unknown', progress === null || progress === undefined ? undefined : parseJson(progress));
      }
    });
  }

  /**
   * The periodic check, bounded: at most SWEEP_LIMIT jobs per check, the next ones at the next
   * check (every waiting call's job in turn), and only their state first: the full job is read
   * only for those that finished.
   */
  async #sweep(): Promise<void> {
    if (this.#sweeping || this.#client.status !== 'ready') return;
    this.#sweeping = true;
    try {
      if (this.#sweepTurn.length === 0) this.#sweepTurn = [...this.#waiters.keys()].reverse();
      const ids: string[] = [];
      while (ids.length < SWEEP_LIMIT && this.#sweepTurn.length > 0) {
        const id = this.#sweepTurn.pop() as string;
        if (this.#waiters.get(id)?.some((w) => w.added) === true) ids.push(id);
      }
      if (ids.length === 0) return;
      const pipeline = this.#client.pipeline();
      for (const id of ids) pipeline.hmget(this.#queue.toKey(id), 'timestamp', 'finishedOn');
      let replies: [Error | null, unknown][] | null;
      try {
        replies = await pipeline.exec();
      } catch {
        return;
      }
      const finished: string[] = [];
      ids.forEach((id, i) => {
        const [error, fields] = replies?.[i] ?? [null, undefined];
        if (error !== null || !Array.isArray(fields)) return;
        const [timestamp, finishedOn] = fields as (string | null)[];
        if (timestamp === null || timestamp === undefined) this.#lost(id, 'is gone from Redis (removed, or Redis lost its data)');
        else if (finishedOn !== null && finishedOn !== undefined) finished.push(id);
      });
      await this.#check(finished);
    } finally {
      this.#sweeping = false;
    }
  }

  #connectionLost(): void {
    if (this.#downTimer !== undefined || this.#state === 'closed') return;
    this.#downTimer = setTimeout(() => {
      this.#downTimer = undefined;
      if (this.#client.status === 'ready') return;
      for (const [jobId, list] of [...this.#waiters]) {
        for (const waiter of [...list]) {
          if (waiter.added) this.#settle(jobId, waiter, unavailable(waiter.task, this.#unavailableTimeout), false);
        }
      }
    }, this.#unavailableTimeout);
    this.#downTimer.unref();
  }

  #connectionBack(): void {
    clearTimeout(this.#downTimer);
    this.#downTimer = undefined;
    // Results may have come while the connection was down and the events were read late.
    void this.#sweep();
  }

  #settle(jobId: string, waiter: Waiter, outcome: unknown, ok: boolean): void {
    if (waiter.settled) return;
    waiter.settled = true;
    waiter.unlisten?.();
    const list = this.#waiters.get(jobId);
    if (list !== undefined) {
      const index = list.indexOf(waiter);
      if (index >= 0) list.splice(index, 1);
      if (list.length === 0) this.#waiters.delete(jobId);
    }
    if (ok) waiter.resolve(outcome);
    else waiter.reject(outcome);
    if (this.#waiters.size === 0) {
      for (const wake of [...this.#idle]) wake();
      this.#idle.clear();
    }
  }
}

/** The spawning API of a remote pool with per-call options (`remote.with(options)`). */
export class RemoteView<Ctx> {
  readonly #call: CallTask;
  readonly #proxies = new WeakMap<object, object>();

  /** Made by `RemotePool`; use `remote.with(options)`. */
  constructor(call: CallTask) {
    this.#call = call;
  }

  /** As `RemotePool#spawn`, with this view's options. */
  spawn<C extends TaskClass>(taskClass: C): Remote<C, Ctx>;
  spawn<F extends TaskFunction>(task: F, ...args: CallerArgs<Parameters<F>, Ctx>): TaskResult<F>;
  spawn(target: unknown, ...args: unknown[]): unknown {
    return this.forward(target, args);
  }

  /** @internal The untyped body of `spawn`; not part of the API. */
  forward(target: unknown, args: unknown[]): unknown {
    return dispatch(this.#call, this.#proxies, target, args);
  }
}

/**
 * A streaming task called through the queue: BullMQ carries one result per job, so the call is a
 * stream whose first `next()` rejects with `ERR_STREAM_NOT_SUPPORTED` (nothing is queued).
 */
function notStreamed(record: TaskRecord): TaskStream<unknown> {
  return createTaskStream(
    fail('ERR_STREAM_NOT_SUPPORTED', `${record.name} is a streaming task: a RemotePool cannot run it (a BullMQ job has one result); run it on a ThreadPool`),
    1,
  );
}

function validateRemoteCallOptions(options: unknown): RemoteCallOptions {
  if (typeof options !== 'object' || options === null) throw fail('ERR_INVALID_OPTION', `Expected call options to be an object, got ${describe(options)}`);
  checkKnown('call', options, CALL_KEYS);
  const { signal, timeout, attempts, backoff, jobId, priority } = options as RemoteCallOptions;
  validateCallOptions({ signal, timeout });
  if (attempts !== undefined && (typeof attempts !== 'number' || !Number.isInteger(attempts) || attempts < 1)) {
    throw fail('ERR_INVALID_OPTION', `Expected \`attempts\` to be a positive integer, got ${describe(attempts)}`);
  }
  if (
    backoff !== undefined &&
    !(typeof backoff === 'number' && Number.isFinite(backoff) && backoff >= 0) &&
    !(typeof backoff === 'object' && (backoff as unknown) !== null && ['fixed', 'exponential'].includes((backoff as { type?: unknown }).type as string) && typeof backoff.delay === 'number' && backoff.delay >= 0)
  ) {
    throw fail('ERR_INVALID_OPTION', `Expected \`backoff\` to be milliseconds or { type: 'fixed' | 'exponential', delay }, got ${describe(backoff)}`);
  }
  if (jobId !== undefined && (typeof jobId !== 'string' || jobId === '' || /^\d+$/.test(jobId) || jobId.includes(':'))) {
    throw fail('ERR_INVALID_OPTION', `Expected \`jobId\` to be a non-empty string, not number-like and without ':', got ${describe(jobId)}`);
  }
  if (priority !== undefined && (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 1 || priority > 2_097_152)) {
    throw fail('ERR_INVALID_OPTION', `Expected \`priority\` to be an integer from 1 to 2097152, got ${describe(priority)}`);
  }
  return options;
}

function unavailable(task: string, ms: number, cause?: unknown): AsyncThreadPoolError {
  return fail('ERR_REMOTE_UNAVAILABLE', `Cannot run ${task}: Redis did not answer within ${String(ms)} ms`, cause);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
