import { ITEM_WEIGHT, itemWeight, SharedCredit } from '../shared/call-events';
import { AsyncThreadPoolError } from '../shared/errors';
import type { StreamCall } from './scheduler';

/**
 * What a call to a streaming task returns: an async iterator of the task's items, as structured
 * clone delivers them. Iterate it once, with `for await`; the call starts at the first `next()`.
 *
 * - Backpressure: the items the task yielded and the caller has not taken yet (on their way or
 *   waiting here) never weigh more than `highWaterMark` items (default 16): the task pauses at its
 *   `yield` until the caller takes some. A small primitive (a number, a boolean, `null`,
 *   `undefined`, a string of at most 64 characters) weighs 1/64 of an item, so up to 64 ×
 *   `highWaterMark` of them (1,024 by default) go ahead, in fewer messages.
 * - `break` (or `return()`) stops the task: its generator's `finally` runs on the thread, which is
 *   then free; `return()` resolves once that is done.
 * - A throw in the task rejects the `next()` after the items it yielded before, with the revived error.
 * - The call's `signal` and `timeout` end the stream as they end a call: the next `next()` rejects
 *   with `ERR_TASK_ABORTED` or `ERR_TASK_TIMEOUT` at once.
 * - A thread that dies mid-stream makes the iteration throw `ERR_WORKER_EXITED` after the items that
 *   reached this side.
 * - A stream dropped without being finished or returned is cancelled when it is garbage-collected.
 */
export interface TaskStream<T> extends AsyncIterableIterator<T> {
  /** The next item; the first call starts the task. Rejects with the task's error, or the abort's or timeout's. */
  next(): Promise<IteratorResult<T, undefined>>;
  /** Stops the stream: the generator's `finally` runs on the thread, and this resolves once it did. */
  return(): Promise<IteratorResult<T, undefined>>;
  /** The stream itself (it can be iterated once). */
  [Symbol.asyncIterator](): TaskStream<T>;
}

/**
 * Starts the call behind a stream: `onItems` takes its items as they come; `credit` is the stream's
 * shared credit (`SharedCredit`), which the request carries to the side that runs the task.
 */
export type StartStream = (onItems: (items: readonly unknown[]) => void, credit: SharedArrayBuffer) => StreamCall;

interface Reader {
  readonly resolve: (result: IteratorResult<unknown, undefined>) => void;
  readonly reject: (error: unknown) => void;
}

const DONE: IteratorResult<unknown, undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The consumer's state, apart from the stream object itself: the running call holds this (through
 * `onItems`), never the stream, so that a stream the caller drops can be collected, and its call
 * cancelled.
 */
class StreamState {
  readonly #start: StartStream | Error;
  /**
   * Credit published once the consumer took items weighing this many units (see `itemWeight`): a
   * quarter of the window, so that a task that polls for credit gets it while the caller still
   * holds items to take (a publication costs a store, and a message only if the task sleeps).
   */
  readonly #creditStep: number;
  #call: StreamCall | undefined;
  /** Made with the call: what the consumer took, in memory the thread reads. */
  #credit: SharedCredit | undefined;
  #buffer: unknown[] = [];
  #head = 0;
  #readers: Reader[] = [];
  /** The weight of the items taken since the last publication of credit, in units. */
  #taken = 0;
  /** The weight of the items taken in all, as last published, in units. */
  #published = 0;
  /** The call ended: `error` (if it failed) is delivered once the buffer is empty. */
  #ended: { error: unknown; failed: boolean } | undefined;
  /** The consumer is done with the stream (returned, or it saw the end): every `next()` is done. */
  #closed = false;

  constructor(start: StartStream | Error, highWaterMark: number) {
    this.#start = start;
    this.#creditStep = Math.max(1, Math.floor((highWaterMark * ITEM_WEIGHT) / 4));
  }

  next(): Promise<IteratorResult<unknown, undefined>> {
    if (this.#closed) return Promise.resolve(DONE);
    if (this.#head < this.#buffer.length) {
      const value = this.#buffer[this.#head];
      this.#buffer[this.#head++] = undefined;
      if (this.#head === this.#buffer.length) {
        this.#buffer = [];
        this.#head = 0;
      }
      this.#took(value);
      return Promise.resolve({ done: false, value });
    }
    if (this.#ended !== undefined) return this.#finish();
    if (this.#call === undefined) {
      if (this.#start instanceof Error) {
        this.#closed = true;
        return Promise.reject(this.#start);
      }
      this.#credit = new SharedCredit();
      this.#call = this.#start((items) => {
        this.#onItems(items);
      }, this.#credit.buffer);
      this.#call.result.then(
        () => {
          this.#onEnd(undefined, false);
        },
        (error: unknown) => {
          this.#onEnd(error, true);
        },
      );
    }
    // Waiting with nothing here: publish what was taken, even less than a step, or a thread
    // holding less than a whole item's credit (small items taken by the unit) would wait forever.
    this.#giveBack();
    return new Promise((resolve, reject) => {
      this.#readers.push({ resolve, reject });
    });
  }

  async return(): Promise<IteratorResult<unknown, undefined>> {
    if (this.#closed) return DONE;
    this.#closed = true;
    this.#buffer = [];
    this.#head = 0;
    for (const reader of this.#readers.splice(0)) reader.resolve(DONE);
    const call = this.#call;
    if (call === undefined || this.#ended !== undefined) return DONE;
    call.cancel();
    // Once the task's `finally` has run and its thread is free; what that `finally` threw rejects.
    await call.result;
    return DONE;
  }

  /** The stream object was collected unfinished: stop its call. */
  abandon(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ended === undefined) this.#call?.cancel();
  }

  #took(value: unknown): void {
    this.#taken += itemWeight(value);
    if (this.#taken >= this.#creditStep) this.#giveBack();
  }

  /** Publishes the credit taken (shared memory: no message, unless the thread waits for it). */
  #giveBack(): void {
    if (this.#taken === 0 || this.#ended !== undefined) return;
    this.#published += this.#taken;
    this.#taken = 0;
    if (this.#credit?.publish(this.#published) === true) this.#call?.wake();
  }

  #onItems(items: readonly unknown[]): void {
    if (this.#closed) return;
    let i = 0;
    while (i < items.length && this.#readers.length > 0) {
      const value = items[i++];
      this.#readers.shift()?.resolve({ done: false, value });
      this.#took(value);
    }
    if (i === items.length) return;
    if (this.#head === this.#buffer.length) {
      // Nothing buffered: the chunk becomes the buffer (it is this side's own copy, fresh from the
      // message), rather than each of its items being copied in.
      this.#buffer = items as unknown[];
      this.#head = i;
      return;
    }
    for (; i < items.length; i++) this.#buffer.push(items[i]);
  }

  #onEnd(error: unknown, failed: boolean): void {
    this.#ended = { error, failed };
    if (failed && isStop(error)) {
      // Aborted or timed out: the stream ends now, as a call rejects at once.
      this.#buffer = [];
      this.#head = 0;
    }
    if (this.#closed) return;
    // Readers wait only while the buffer is empty.
    const readers = this.#readers.splice(0);
    for (const reader of readers) {
      this.next().then(reader.resolve, reader.reject);
    }
  }

  /** The end, once the buffer is empty: the failure once, then done. */
  #finish(): Promise<IteratorResult<unknown, undefined>> {
    this.#closed = true;
    const ended = this.#ended;
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what the task threw, as thrown
    if (ended?.failed === true) return Promise.reject(ended.error);
    return Promise.resolve(DONE);
  }
}

function isStop(error: unknown): boolean {
  return AsyncThreadPoolError.is(error, 'ERR_TASK_ABORTED') || AsyncThreadPoolError.is(error, 'ERR_TASK_TIMEOUT');
}

/** Cancels the calls of streams dropped unfinished. */
const abandoned = new FinalizationRegistry<StreamState>((state) => {
  state.abandon();
});

/** Makes the stream of a streaming call; with an `Error`, a stream whose first `next()` rejects with it. */
export function createTaskStream<T>(start: StartStream | Error, highWaterMark: number): TaskStream<T> {
  const state = new StreamState(start, highWaterMark);
  const stream = {
    next: () => state.next(),
    return: () => state.return(),
    [Symbol.asyncIterator]() {
      return stream;
    },
  } as TaskStream<T>;
  abandoned.register(stream, state);
  return stream;
}
