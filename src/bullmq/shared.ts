import type { RedisOptions } from 'ioredis';
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

/** The key that marks one job cancelled, for a server that takes it after the announcement. */
export function cancelKey(toKey: (type: string) => string, jobId: string): string {
  return toKey(`atp:cancelled:${jobId}`);
}

/** How long a cancellation mark is kept: longer than a job waits in any sane queue. */
export const CANCEL_MARK_SECONDS = 24 * 3600;

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
