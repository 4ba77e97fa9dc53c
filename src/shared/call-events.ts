import type { Transferable } from 'node:worker_threads';
import { findUncloneable } from './cloneable';
import { fail, messageOf } from './errors';
import type { TaskRecord } from './manifest';
import { isMoved } from './transfer';

/**
 * What a running call sends its caller before its result, on the side that runs it (a pool thread,
 * a temporary thread, the inline pool): its coalesced progress reports, and a streaming task's
 * items under the caller's credit. Both go out on the same port as the result, before it.
 */

/** The least time between two progress posts of one call (ms). */
export const PROGRESS_INTERVAL_MS = 10;

/** Reports checked against the clock at most this far apart, however fast they come. */
const MAX_STRIDE = 1 << 16;

/**
 * A call's `@TaskProgress()` function and what it posts: the latest value, at most once every
 * {@link PROGRESS_INTERVAL_MS}, so that a task reporting in a tight loop pays an assignment and a
 * decrement per report (the clock is read less and less often while reports come fast). A value
 * reported and not yet posted goes out on a timer, or at the latest in `finish()`, which the
 * runner calls before it posts the result: the last report always precedes the result.
 */
export class ProgressReporter {
  readonly #post: (value: unknown) => void;
  readonly #task: string;
  #latest: unknown;
  #pending = false;
  #done = false;
  #lastPost = -Infinity;
  #lastCheck = 0;
  #stride = 1;
  #countdown = 1;
  #timer: NodeJS.Timeout | undefined;
  /** A value that could not be posted: the next report throws this. */
  #failure: Error | undefined;

  constructor(post: (value: unknown) => void, task: string) {
    this.#post = post;
    this.#task = task;
  }

  /**
   * The function the task receives. Its fast path is two stores and a decrement: a failure to
   * throw, and the end of the call, zero the countdown so that the next report takes the slow path.
   */
  readonly report = (value: unknown): void => {
    this.#latest = value;
    this.#pending = true;
    if (--this.#countdown > 0) return;
    this.#slowReport();
  };

  /** Posts what is pending: called before the result is posted. Reports made after it are dropped. */
  finish(): void {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#timer);
    this.#flush();
    this.#countdown = 0;
  }

  #slowReport(): void {
    if (this.#failure !== undefined || this.#done) {
      // The value just reported is dropped: it comes after a failure, or after the call's end.
      this.#latest = undefined;
      this.#pending = false;
      this.#countdown = 0;
      const failure = this.#failure;
      this.#failure = undefined;
      if (failure !== undefined) throw failure;
      return;
    }
    this.#check();
  }

  #check(): void {
    const now = performance.now();
    // Aim at a clock read about every millisecond: fast reports widen the stride, slow ones narrow it.
    this.#stride = now - this.#lastCheck < 0.5 ? Math.min(MAX_STRIDE, this.#stride * 2) : Math.max(1, this.#stride >> 1);
    this.#countdown = this.#stride;
    this.#lastCheck = now;
    const wait = this.#lastPost + PROGRESS_INTERVAL_MS - now;
    if (wait <= 0) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#flush();
      return;
    }
    // A task that reports and then waits (I/O, a timer) still gets its latest value out.
    this.#timer ??= setTimeout(this.#onTimer, wait);
    this.#timer.unref();
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    if (!this.#done) this.#flush();
  };

  #flush(): void {
    if (!this.#pending) return;
    const value = this.#latest;
    this.#pending = false;
    this.#latest = undefined;
    this.#lastPost = performance.now();
    try {
      this.#post(value);
    } catch (error) {
      this.#failure = fail('ERR_UNCLONEABLE', `A progress report of ${this.#task} cannot be sent: ${findUncloneable(value) ?? messageOf(error)}`, error);
      this.#countdown = 0;
    }
  }
}

/** Whether a value can be iterated with `for await`. */
export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function'
  );
}

/** The most items sent in one message. */
const MAX_CHUNK = 1024;

/**
 * What one item weighs toward a stream's `highWaterMark`, in the units credit is counted in: a
 * small primitive (see {@link itemWeight}) weighs one unit, anything else a whole item.
 */
export const ITEM_WEIGHT = 64;

/** The longest string that counts as a small item. */
const SMALL_STRING = 64;

/**
 * An item's weight in credit units: 1 for a small primitive (a number, a boolean, `null`,
 * `undefined`, a string of at most {@link SMALL_STRING} characters), which costs a few bytes to
 * hold and to send, so that `highWaterMark` of them weigh one item; {@link ITEM_WEIGHT} for anything
 * else (an object, an array, a buffer, a longer string, a bigint). Both sides weigh the same value
 * (a structured clone keeps its type and a string's length), so their counts agree.
 */
export function itemWeight(value: unknown): number {
  switch (typeof value) {
    case 'number':
    case 'boolean':
    case 'undefined':
      return 1;
    case 'string':
      return value.length <= SMALL_STRING ? 1 : ITEM_WEIGHT;
    case 'object':
      return value === null ? 1 : ITEM_WEIGHT;
    default:
      return ITEM_WEIGHT;
  }
}

/**
 * Pulls a streaming task's items and posts them in chunks, never more than the caller's credit: it
 * starts with the caller's `highWaterMark` (in {@link ITEM_WEIGHT} units each, so `highWaterMark`
 * whole items, or 64 times as many small ones: see {@link itemWeight}) and gains what the caller
 * takes (`addCredit`, in units). With less than a whole item's credit left it stops pulling, so the
 * generator pauses at its `yield`: the items pulled and not yet taken never weigh more than
 * `highWaterMark` whole items. Items made in one turn of
 * the event loop share a message (up to {@link MAX_CHUNK}); a chunk goes out when the credit runs
 * out, when it is full, or at the next turn. `cancel()` (the caller's `break`) and the call's abort
 * stop the pulling, and the iterator's `return()` runs the generator's `finally`.
 */
export class StreamPump {
  #credit: number;
  #cancelled = false;
  #wake: (() => void) | undefined;

  /** `highWaterMark`: how many whole items the caller may hold unconsumed. */
  constructor(highWaterMark: number) {
    this.#credit = highWaterMark * ITEM_WEIGHT;
  }

  /** The caller took items weighing `units`. */
  addCredit(units: number): void {
    this.#credit += units;
    this.#wakeUp();
  }

  cancel(): void {
    this.#cancelled = true;
    this.#wakeUp();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /**
   * Streams `iterable` into `post` until it ends, the caller cancels or `signal` aborts; rejects
   * with what the iterator threw, or with `ERR_UNCLONEABLE` for an item that cannot be sent.
   */
  async run(
    record: TaskRecord,
    iterable: AsyncIterable<unknown>,
    post: (items: unknown[], transfer: Transferable[]) => void,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const iterator = iterable[Symbol.asyncIterator]();
    let chunk: unknown[] = [];
    let transfer: Transferable[] = [];
    let flushing: NodeJS.Immediate | undefined;
    const flush = (): void => {
      if (flushing !== undefined) clearImmediate(flushing);
      flushing = undefined;
      if (chunk.length === 0) return;
      const items = chunk;
      const moved = transfer;
      chunk = [];
      transfer = [];
      sendChunk(record, items, moved, post);
    };
    // A flag, not `signal.aborted` (a checked getter), read once per item.
    let aborted = signal?.aborted === true;
    const onAbort = (): void => {
      aborted = true;
      this.#wakeUp();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    /** The iterator has not ended by itself: `return()` must end it. */
    let open = true;
    try {
      for (;;) {
        if (this.#cancelled || aborted) break;
        // The next item's weight is known only once it is made: pull only with a whole item's credit.
        if (this.#credit < ITEM_WEIGHT) {
          flush();
          await new Promise<void>((resolve) => {
            this.#wake = resolve;
          });
          continue;
        }
        let step: IteratorResult<unknown>;
        try {
          step = await iterator.next();
        } catch (error) {
          open = false;
          // The items yielded before the throw go out before it.
          flush();
          throw error;
        }
        if (step.done === true) {
          open = false;
          break;
        }
        const item: unknown = step.value;
        if (isMoved(item)) {
          chunk.push(item.value);
          for (const one of item.transfer) transfer.push(one);
          this.#credit -= itemWeight(item.value);
        } else {
          chunk.push(item);
          this.#credit -= itemWeight(item);
        }
        if (chunk.length >= MAX_CHUNK) flush();
        else flushing ??= setImmediate(flush);
      }
      flush();
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (flushing !== undefined) clearImmediate(flushing);
      // Runs the generator's `finally`; what it throws fails the call.
      if (open) await iterator.return?.();
    }
  }
}

/**
 * Posts a chunk of items; if structured clone refuses one, posts the items before it and throws
 * `ERR_UNCLONEABLE` naming it, so that the stream ends there.
 */
function sendChunk(record: TaskRecord, items: unknown[], transfer: Transferable[], post: (items: unknown[], transfer: Transferable[]) => void): void {
  try {
    post(items, transfer);
    return;
  } catch (error) {
    const bad = items.findIndex((item) => findUncloneable(item) !== undefined);
    if (bad > 0) post(items.slice(0, bad), []);
    const reason = bad === -1 ? messageOf(error) : (findUncloneable(items[bad]) ?? messageOf(error));
    throw fail('ERR_UNCLONEABLE', `An item streamed by ${record.name} cannot be sent: ${reason}`, error);
  }
}
