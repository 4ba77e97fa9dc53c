import { Redis, type RedisOptions } from 'ioredis';
import { describe, fail } from '../shared/errors';
import { MAX_TIMER_MS } from '../main/options';
import type { Wire } from './codec';

export { MAX_TIMER_MS };

/** What the two sides share: key names, the job's data, and option checks. */

/** The data of a job: a task's encoded arguments, in the wire format, and its timeout. */
export interface JobData {
  readonly atp: number;
  readonly value: Wire;
  readonly timeout?: number;
}

/** What a failed attempt leaves in the job's progress: the task's error, encoded. */
export interface FailureProgress {
  readonly atpError: { readonly atp: number; readonly value: Wire };
}

export function isFailureProgress(value: unknown): value is FailureProgress {
  return typeof value === 'object' && value !== null && typeof (value as { atpError?: unknown }).atpError === 'object';
}

/** The pub/sub channel a caller announces cancelled jobs on (`toKey` is the queue's key builder). */
export function cancelChannel(toKey: (type: string) => string): string {
  return toKey('atp:cancel');
}

/** The reason a cancelled job fails with (its BullMQ `failedReason`). */
export const CANCELLED = 'asyncthreadpool/bullmq: the caller aborted the call';

/**
 * The caller's cancellation, one atomic step: marks the job (if it still exists) with BullMQ's
 * deferred failure, so that any server that fetches it from now on fails it without running it
 * (BullMQ's own mechanism for jobs that stalled too often), then announces it on the channel, for
 * the server that runs it now. KEYS[1] the job's hash; ARGV: channel, job id, reason.
 */
export const CANCEL_SCRIPT = `if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'defa', ARGV[3]) end
return redis.call('PUBLISH', ARGV[1], ARGV[2])`;

export function checkQueueName(queue: unknown): string {
  if (typeof queue !== 'string' || queue === '' || queue.includes(':')) {
    throw fail('ERR_INVALID_OPTION', `Expected \`queue\` to be a non-empty queue name without ':', got ${describe(queue)}`);
  }
  return queue;
}

export function checkConnection(connection: unknown): RedisOptions {
  if (typeof connection !== 'object' || connection === null || Array.isArray(connection)) {
    throw fail('ERR_INVALID_OPTION', `Expected \`connection\` to be ioredis connection options ({ host, port, ... }), got ${describe(connection)}`);
  }
  if (typeof (connection as { duplicate?: unknown }).duplicate === 'function') {
    throw fail('ERR_INVALID_OPTION', 'Expected `connection` to be ioredis connection options ({ host, port, ... }), not a client: each side opens the connections it needs');
  }
  return connection;
}

export function checkMs(name: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > MAX_TIMER_MS) {
    throw fail('ERR_INVALID_OPTION', `Expected \`${name}\` to be a number of milliseconds from ${String(min)} to ${String(MAX_TIMER_MS)}, got ${describe(value)}`);
  }
  return value;
}

export function checkKnown(what: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw fail('ERR_INVALID_OPTION', `Unknown ${what} option \`${key}\`; expected one of ${known.join(', ')}`);
  }
}

/** Errors of a Redis connection that BullMQ and ioredis recover from by reconnecting. */
export function isConnectionError(error: unknown): boolean {
  const text = error instanceof Error ? `${(error as { code?: unknown }).code as string} ${error.message}` : String(error);
  return /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|Connection is closed|Stream isn't writeable|MaxRetriesPerRequest|connect/i.test(text);
}

/**
 * Milliseconds a close gives BullMQ's own closes (after any wait for running jobs) before it ends
 * the Redis connections itself: with Redis down, or a connection waiting to reconnect, they would
 * wait without bound.
 */
export const RELEASE_MS = 5_000;

/** Whether `promise` settled within `ms` (never rejects). */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => { resolve(false); }, ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The Redis connections of one remote pool or server: clients it opens, and the copies BullMQ
 * makes of them (`duplicate()`, for its blocking connections), so that `end()` can end them all.
 */
export class Connections {
  readonly #clients = new Set<Redis>();

  /** A client of these options, ended by `end()` with every copy made of it. */
  open(options: RedisOptions): Redis {
    return new Client(options, this.#clients);
  }

  /** Ends every client for good: queued commands reject, no timer or socket is left. */
  end(): void {
    for (const client of this.#clients) client.disconnect();
  }
}

/** The parts of ioredis's client that end it the way it ends a closed connection it will not reopen. */
interface Internals {
  reconnectTimeout?: NodeJS.Timeout | null;
  setStatus?: (status: string) => void;
  flushQueue?: (error: Error) => void;
}

/**
 * An ioredis client whose `disconnect()` always ends it. ioredis leaves a client disconnected while
 * it waits to reconnect in `reconnecting` for ever: no `end` event, its queued commands never
 * settled (redis/ioredis#1247). BullMQ's closes wait for that `end`, so a close during or just
 * after a Redis outage never settled. Here such a client is ended as ioredis ends a connection it
 * will not reopen: status `end`, queued commands rejected with "Connection is closed.".
 */
class Client extends Redis {
  readonly #family: Set<Redis>;

  constructor(options: RedisOptions, family: Set<Redis>) {
    super(options);
    this.#family = family;
    family.add(this);
  }

  override duplicate(override?: Partial<RedisOptions>): Redis {
    return new Client({ ...this.options, lazyConnect: false, ...override }, this.#family);
  }

  override disconnect(reconnect = false): void {
    // Nothing to end (a second disconnect would only leave ioredis's 2 s socket timer behind).
    if (!reconnect && this.status === 'end') return;
    const internals = this as unknown as Internals;
    if (!reconnect && this.status === 'reconnecting' && typeof internals.setStatus === 'function' && typeof internals.flushQueue === 'function') {
      // Its socket is closed already: what is left is the timer of the next attempt, and the
      // commands queued for it (those that were sent when the connection dropped among them).
      if (internals.reconnectTimeout !== undefined && internals.reconnectTimeout !== null) clearTimeout(internals.reconnectTimeout);
      internals.reconnectTimeout = null;
      internals.setStatus('end');
      internals.flushQueue(new Error('Connection is closed.'));
      return;
    }
    super.disconnect(reconnect);
  }
}
