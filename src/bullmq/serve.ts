import { hostname } from 'node:os';
import { type Job, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import { abortError, AsyncThreadPoolError, describe, fail } from '../shared/errors';
import { tasksOfClass, type TaskRecord } from '../shared/manifest';
import type { ThreadPool } from '../main/pool';
import type { TaskClass } from '../main/proxy';
import { decode, encode } from './codec';
import {
  CANCELLED,
  cancelChannel,
  checkConnection,
  checkKnown,
  checkMs,
  checkQueueName,
  Connections,
  isConnectionError,
  MAX_TIMER_MS,
  type FailureProgress,
  type JobData,
  RELEASE_MS,
  settlesWithin,
} from './shared';

/** Options of `serve(options)`. */
export interface ServeOptions<Ctx> {
  /** The BullMQ queue to take jobs from. */
  readonly queue: string;
  /** ioredis connection options of the Redis that holds the queue. */
  readonly connection: RedisOptions;
  /** The local pool that runs the tasks; the caller owns it (close it after `server.close()`). */
  readonly pool: ThreadPool<Ctx>;
  /** The task classes whose `@task` methods this server runs; a job naming any other task fails. */
  readonly tasks: readonly TaskClass[];
  /**
   * At most this many jobs are taken at once (running, or fetched ahead and waiting in the pool's
   * queue for a thread); the rest wait in Redis, for this or another server. The default keeps one
   * job fetched ahead, so that a thread that finishes starts the next job at once instead of
   * waiting for a round trip to Redis.
   * @default the pool's threads + 1
   */
  readonly concurrency?: number;
  /**
   * Milliseconds `close()` waits for the running jobs before it aborts their `@TaskSignal()`s and
   * hands them back to the queue (another server runs them again).
   * @default 10000
   */
  readonly closeTimeout?: number;
  /**
   * BullMQ's `lockDuration`: a job whose server stops renewing its lock (killed, frozen, cut off)
   * for this long is taken back by the next stalled check of any server.
   * @default 30000
   */
  readonly lockDuration?: number;
  /**
   * BullMQ's `stalledInterval`: milliseconds between this server's checks for stalled jobs.
   * @default 30000
   */
  readonly stalledInterval?: number;
  /**
   * BullMQ's `maxStalledCount`: how many times a job may be taken back after a stall before it
   * fails (its caller rejects with `ERR_JOB_LOST`).
   * @default 1
   */
  readonly maxStalledCount?: number;
  /**
   * The BullMQ key prefix (the callers' must match).
   * @default 'bull'
   */
  readonly prefix?: string;
  /**
   * Receives errors that are not a job's: Redis connection trouble (the server reconnects by
   * itself) and BullMQ's own. Jobs' errors go to their callers.
   * @default a `console.warn` for errors other than lost connections
   */
  readonly onError?: (error: Error) => void;
}

/** A running server; see {@link serve}. */
export interface Server extends AsyncDisposable {
  /** The queue it serves. */
  readonly queue: string;
  /** Jobs running now. */
  readonly running: number;
  /**
   * Stops taking jobs, waits for the running ones up to `closeTimeout`, then aborts their
   * `@TaskSignal()`s and puts them back in the queue, and releases the Redis connections. The pool
   * is left open. Idempotent.
   */
  close(): Promise<void>;
}

const KEYS = ['queue', 'connection', 'pool', 'tasks', 'concurrency', 'closeTimeout', 'lockDuration', 'stalledInterval', 'maxStalledCount', 'prefix', 'onError'] as const;

/** Codes of failures that another attempt cannot cure: the job fails at once, without retries. */
const FINAL_CODES = new Set(['ERR_TASK_NOT_REGISTERED', 'ERR_INVALID_PAYLOAD', 'ERR_UNCLONEABLE', 'ERR_CONTEXT_MISMATCH', 'ERR_TASK_ABORTED', 'ERR_INVALID_OPTION']);

const CLOSING = 'asyncthreadpool/bullmq: the server is closing';

/** Jobs a server takes beyond its pool's threads by default (`concurrency`): the next job is here when a thread frees. */
const PREFETCH = 1;

/**
 * How long a cancellation announced for a job this server does not run is remembered: it may be
 * read just before the reply that hands this server that job (two connections, no common order).
 */
const ANNOUNCED_MS = 60_000;

/**
 * Serves a BullMQ queue with a local pool: each job names a task (by its `@task` name) of one of
 * the classes in `tasks` and carries its encoded arguments; the pool runs it on a thread, with that
 * thread's context, and the result (or error) goes back to the caller's `RemotePool`. Resolves once
 * the server is connected and taking jobs.
 *
 * @example
 * ```ts
 * import { ThreadPool } from 'asyncthreadpool';
 * import { serve } from 'asyncthreadpool/bullmq';
 * import { Counter, MathTasks } from './tasks/math';
 *
 * const pool = new ThreadPool({ context: Counter, threads: 4 });
 * const server = await serve({ queue: 'math', connection: { host: '127.0.0.1', port: 6379 }, pool, tasks: [MathTasks] });
 * process.once('SIGTERM', async () => {
 *   await server.close(); // stop taking jobs, finish the running ones
 *   await pool.close();
 * });
 * ```
 */
export async function serve<Ctx>(options: ServeOptions<Ctx>): Promise<Server> {
  if (typeof options !== 'object' || (options as unknown) === null) throw fail('ERR_INVALID_OPTION', `Expected serve options, got ${describe(options)}`);
  checkKnown('serve', options, KEYS);
  const queue = checkQueueName(options.queue);
  const connection = checkConnection(options.connection);
  const pool = options.pool;
  if (typeof pool !== 'object' || (pool as unknown) === null || typeof (pool as { with?: unknown }).with !== 'function') {
    throw fail('ERR_INVALID_OPTION', `Expected \`pool\` to be a ThreadPool, got ${describe(pool)}`);
  }
  const tasks = taskTable(options.tasks);
  const concurrency = options.concurrency ?? pool.threads + PREFETCH;
  if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1) {
    throw fail('ERR_INVALID_OPTION', `Expected \`concurrency\` to be a positive integer, got ${describe(concurrency)}`);
  }
  const closeTimeout = checkMs('closeTimeout', options.closeTimeout, 10_000, 0);
  const lockDuration = checkMs('lockDuration', options.lockDuration, 30_000, 10);
  const stalledInterval = checkMs('stalledInterval', options.stalledInterval, 30_000, 10);
  const maxStalledCount = options.maxStalledCount ?? 1;
  if (typeof maxStalledCount !== 'number' || !Number.isInteger(maxStalledCount) || maxStalledCount < 0) {
    throw fail('ERR_INVALID_OPTION', `Expected \`maxStalledCount\` to be a non-negative integer, got ${describe(maxStalledCount)}`);
  }
  const prefix = options.prefix;
  const onError = options.onError ?? defaultOnError;
  if (typeof onError !== 'function') throw fail('ERR_INVALID_OPTION', `Expected \`onError\` to be a function, got ${describe(onError)}`);
  const report = (error: unknown): void => {
    onError(error instanceof Error ? error : new Error(String(error)));
  };

  const where = `host ${hostname()}, pid ${String(process.pid)}`;
  let running = 0;
  // Every connection (with the Worker's, copies of `client`) is ended by close(), whatever Redis does.
  const connections = new Connections();
  const client = connections.open({ ...connection, maxRetriesPerRequest: null });
  client.on('error', report);
  const subscriber = connections.open({ ...connection, maxRetriesPerRequest: null });
  subscriber.on('error', report);

  // Cancellation, without a Redis command per job. A caller marks the job in Redis (BullMQ's
  // deferred failure: a server that fetches it afterwards fails it without running it) and then
  // announces it on a channel, which reaches the server that fetched it before the mark: while
  // the job runs there (BullMQ aborts its signal), or just before (remembered in `announced`).
  // Announcements sent while the subscription is down are lost: jobs fetched before it was last
  // confirmed, and those running when it comes back, are looked up in Redis instead.
  const announced = new Map<string, number>();
  const held = new Map<string, Job>();
  let subscribedSince = Infinity;

  const processor = async (job: Job, token?: string, signal?: AbortSignal): Promise<unknown> => {
    running++;
    held.set(String(job.id), job);
    try {
      return await runJob(job, token, signal);
    } finally {
      held.delete(String(job.id));
      running--;
    }
  };

  /** Whether the job was cancelled: announced, or (announcements possibly missed) marked in Redis. */
  const isCancelled = async (job: Job): Promise<boolean> => {
    if (announced.has(String(job.id))) return true;
    if ((job.processedOn ?? 0) >= subscribedSince) return false;
    return (await client.hget(worker.toKey(String(job.id)), 'defa')) === CANCELLED;
  };

  const runJob = async (job: Job, token: string | undefined, signal: AbortSignal | undefined): Promise<unknown> => {
    const jobId = String(job.id);
    const record = tasks.get(job.name);
    if (record === undefined) {
      throw await failJob(job, fail('ERR_TASK_NOT_REGISTERED', `This server (queue ${queue}) runs no task named \`${job.name}\`; it runs ${[...tasks.keys()].join(', ')}`));
    }
    let args: unknown[];
    let timeout: number | undefined;
    try {
      const data = job.data as JobData;
      const decoded = decode(data, `The job data of ${jobId}`);
      if (!Array.isArray(decoded)) throw fail('ERR_INVALID_PAYLOAD', `The job data of ${jobId} holds no argument list`);
      args = decoded;
      timeout = data.timeout;
      if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0 || timeout > MAX_TIMER_MS)) {
        throw fail('ERR_INVALID_PAYLOAD', `The job data of ${jobId} has an invalid timeout`);
      }
    } catch (error) {
      throw await failJob(job, error);
    }
    if (await isCancelled(job)) {
      throw await failJob(job, abortError(record.name, CANCELLED));
    }
    try {
      const view = pool.with({ ...(signal === undefined ? {} : { signal }), ...(timeout === undefined ? {} : { timeout }) });
      const value = await (view as unknown as { spawn(fn: unknown, ...rest: unknown[]): Promise<unknown> }).spawn(record.fn, ...args);
      return encode(value, `The result of ${record.name}`);
    } catch (error) {
      if (signal?.aborted === true && signal.reason === CLOSING && token !== undefined) {
        // Cut short by close(): back to the queue, for another server, not a failure.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      throw await failJob(job, error);
    }
  };

  /** Leaves the task's error in the job (for its caller) and returns what BullMQ should record. */
  const failJob = async (job: Job, error: unknown): Promise<Error> => {
    const final = AsyncThreadPoolError.is(error) && FINAL_CODES.has(error.code);
    let envelope;
    try {
      envelope = encode(withServerStack(error, `${where}, queue ${queue}, job ${String(job.id)}`), 'The error');
    } catch {
      envelope = encode(fail('ERR_UNCLONEABLE', `${error instanceof Error ? error.message : 'A task failed'} (the error itself could not be encoded)`));
    }
    const progress: FailureProgress = { atpError: envelope };
    await job.updateProgress(progress);
    const message = error instanceof Error ? error.message : String(error);
    const recorded = final ? new UnrecoverableError(message) : new Error(message);
    if (error instanceof Error && typeof error.stack === 'string') recorded.stack = error.stack;
    return recorded;
  };

  const worker = new Worker(queue, processor, {
    connection: client,
    concurrency,
    lockDuration,
    stalledInterval,
    maxStalledCount,
    autorun: false,
    ...(prefix === undefined ? {} : { prefix }),
  });
  worker.on('error', report);
  const channel = cancelChannel(worker.toKey.bind(worker));
  subscriber.on('message', (_channel: string, jobId: string) => {
    if (worker.cancelJob(jobId, CANCELLED)) return;
    const now = Date.now();
    for (const [id, at] of announced) {
      if (now - at < ANNOUNCED_MS) break;
      announced.delete(id);
    }
    announced.set(jobId, now);
  });
  subscriber.on('close', () => {
    subscribedSince = Infinity;
  });
  let subscribed = false;
  subscriber.on('ready', () => {
    if (!subscribed) return;
    // Back after an outage: subscribe (again: ioredis's own resubscription is not confirmed to
    // us), then look up the jobs running here, whose announcements may have been lost.
    void subscriber.subscribe(channel).then(async () => {
      subscribedSince = Date.now();
      const jobs = [...held.values()];
      if (jobs.length === 0) return;
      const pipeline = client.pipeline();
      for (const job of jobs) pipeline.hget(worker.toKey(String(job.id)), 'defa');
      const replies = (await pipeline.exec()) ?? [];
      jobs.forEach((job, i) => {
        if (replies[i]?.[1] === CANCELLED) worker.cancelJob(String(job.id), CANCELLED);
      });
    }).catch(report);
  });
  await subscriber.subscribe(channel);
  subscribed = true;
  subscribedSince = Date.now();
  void worker.run().catch(report);
  await worker.waitUntilReady();

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      const timer = setTimeout(() => { worker.cancelAllJobs(CLOSING); }, closeTimeout);
      const closing = worker.close();
      // BullMQ's close, bounded: with Redis down it would wait for it (a job handed back, a lock
      // released, a connection waiting to reconnect). Then the connections end, which rejects
      // what still waits for Redis and lets the Worker finish closing (its timers cleared); jobs
      // left active in Redis are taken back by another server's stalled check.
      const settled = await settlesWithin(closing, closeTimeout + RELEASE_MS);
      clearTimeout(timer);
      connections.end();
      if (!settled) await settlesWithin(closing, RELEASE_MS);
    })();
    return closed;
  };
  return {
    queue,
    get running() {
      return running;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** The tasks of the classes a server runs, by task name. */
function taskTable(classes: unknown): ReadonlyMap<string, TaskRecord> {
  if (!Array.isArray(classes) || classes.length === 0) {
    throw fail('ERR_INVALID_OPTION', `Expected \`tasks\` to be a non-empty array of task classes, got ${describe(classes)}`);
  }
  const table = new Map<string, TaskRecord>();
  for (const cls of classes) {
    const tasks = tasksOfClass(cls);
    if (tasks === undefined) throw fail('ERR_TASK_NOT_REGISTERED', `${describe(cls)} has no @task methods`);
    for (const record of tasks.values()) table.set(record.name, record);
  }
  return table;
}

/** The error with a stack frame that names the server that ran it (a copy; the error is not changed). */
function withServerStack(error: unknown, where: string): unknown {
  if (!(error instanceof Error)) return error;
  const copy = Object.create(Object.getPrototypeOf(error) as object, Object.getOwnPropertyDescriptors(error)) as Error;
  const stack = typeof error.stack === 'string' ? error.stack : `${error.name}: ${error.message}`;
  Object.defineProperty(copy, 'stack', { value: `${stack}\n    at asyncthreadpool/bullmq server (${where})`, writable: true, configurable: true, enumerable: false });
  return copy;
}

function defaultOnError(error: Error): void {
  if (isConnectionError(error)) return;
  console.warn(`asyncthreadpool/bullmq: ${error.message}`);
}
