import type { Transferable } from 'node:worker_threads';
import { findUncloneable } from './cloneable';
import { describe, fail, messageOf } from './errors';
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

/**
 * What a streaming task may return: an `AsyncIterable` (an async generator's object, say), or a
 * synchronous iterator that is iterable (a generator's object, `map.values()`). Not any `Iterable`:
 * an array returned by a task marked `stream: true` is a mistake the typed proxies cannot see
 * (they type it as a promise of the array), so it fails the call as before.
 */
export type Streamable = AsyncIterable<unknown> | IterableIterator<unknown>;

/** What a streaming task returned, if it is {@link Streamable}; else throws `ERR_INVALID_TASK`. */
export function streamableOf(record: TaskRecord, returned: unknown): Streamable {
  if (isStreamable(returned)) return returned;
  throw fail('ERR_INVALID_TASK', `${record.name} is a streaming task but returned ${describe(returned)}, not an AsyncIterable or an iterator (a generator's object)`);
}

function isStreamable(value: unknown): value is Streamable {
  if (typeof value !== 'object' || value === null) return false;
  if (typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function') return true;
  return typeof (value as Partial<IterableIterator<unknown>>)[Symbol.iterator] === 'function' && typeof (value as Partial<IterableIterator<unknown>>).next === 'function';
}

/** The most items sent in one message. */
const MAX_CHUNK = 1024;

/** Between chunks, the pulling reads the clock at least once every this many items (see `take`). */
const MAX_CLOCK_EVERY = 64;

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
 * A stream's credit, in memory both sides share (a `SharedArrayBuffer` the caller makes and sends
 * with the request), so that credit costs no message: the caller publishes the weight of what it
 * took in all (`publish`), the side running the task reads it (`taken`) before it pulls more. Only
 * when that side has to wait for credit does a message go: it raises a flag (`waiting`), reads the
 * counter again, and if there is still not enough, waits for a `wake`, which the caller posts when
 * its next `publish` finds the flag raised (and lowers it). The flag is raised before the second
 * read and the counter written before the flag is read (both sequentially consistent), so a
 * publish either is seen by that read or sees the flag: no wake is lost, and none is sent while
 * the task runs ahead under its credit.
 *
 * Layout: a BigInt64 at byte 0, the units taken in all (written by the caller only; 64 bits, as
 * a `highWaterMark` up to 2^30 items is up to 2^36 units); an Int32 at byte 8, the flag.
 */
export class SharedCredit {
  readonly buffer: SharedArrayBuffer;
  readonly #taken: BigInt64Array;
  readonly #flag: Int32Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(16)) {
    this.buffer = buffer;
    this.#taken = new BigInt64Array(buffer, 0, 1);
    this.#flag = new Int32Array(buffer, 8, 1);
  }

  /** The caller: it has taken items weighing `total` units in all. True if the task waits for this: wake it. */
  publish(total: number): boolean {
    Atomics.store(this.#taken, 0, BigInt(total));
    return Atomics.load(this.#flag, 0) === 1 && Atomics.compareExchange(this.#flag, 0, 1, 0) === 1;
  }

  /** The units the caller has taken in all, as last published. */
  taken(): number {
    return Number(Atomics.load(this.#taken, 0));
  }

  /** The task is about to wait for credit (or, with `false`, does not after all). */
  waiting(on: boolean): void {
    Atomics.store(this.#flag, 0, on ? 1 : 0);
  }
}

/**
 * The longest a streaming task's items are pulled without a turn of its thread's event loop (ms),
 * as a pool thread polling for its next call hands over (`MAX_POLLING_MS` in worker/entry.ts): the
 * context's timers and sockets, and the caller's cancel or abort, must not wait for the end of a
 * stream whose caller keeps up (the pulling runs in promise callbacks, which the loop does not
 * interleave with anything else).
 */
const MAX_PULLING_MS = 1;

/**
 * Pulls a streaming task's items and posts them in chunks, never more than the caller's credit: a
 * window of the caller's `highWaterMark` (in {@link ITEM_WEIGHT} units each, so `highWaterMark`
 * whole items, or 64 times as many small ones: see {@link itemWeight}), less what was pulled and
 * the caller has not taken yet ({@link SharedCredit}). With less than a whole item's credit left it
 * stops pulling, so the generator pauses at its `yield`: the items pulled and not yet taken never
 * weigh more than `highWaterMark` whole items. A chunk goes out when the credit runs out, when it
 * holds {@link MAX_CHUNK} items, at the next turn of the event loop (a task that waits for I/O
 * between items sends what it has), and, once the credit has run out once (the task makes items
 * faster than they leave), when it weighs half the window: the task then makes the next chunk
 * while the caller takes this one, so that neither waits for the other while the caller keeps up
 * (before that, with nothing to overlap, the first window goes out in as few messages as it can). `cancel()`
 * (the caller's `break`) and the call's abort stop the pulling, and the iterator's `return()` runs
 * the generator's `finally`.
 *
 * Out of credit, the pump first polls the shared count for up to `spinMicros` (the pool's
 * `spinWait`) before it sleeps until a `wake`: a caller that keeps up publishes credit within
 * microseconds, while a sleeping thread's wake-up costs tens of them (more on a virtual machine),
 * and with a small window that round trip, once per half window, was most of a stream's time.
 * Pulling, on polled credit or on credit that never ran out, hands over to the event loop at least
 * every {@link MAX_PULLING_MS} (checked when a chunk goes out, and after a poll).
 */
export class StreamPump {
  readonly #window: number;
  readonly #credit: SharedCredit;
  readonly #spinMs: number;
  #cancelled = false;
  #wake: (() => void) | undefined;

  /**
   * `highWaterMark`: how many whole items the caller may hold unconsumed; `credit`: the stream's
   * shared credit; `spinMicros`: how long to poll for credit before sleeping (0 on the inline pool,
   * where the caller runs on this thread and cannot publish while it polls).
   */
  constructor(highWaterMark: number, credit: SharedCredit, spinMicros = 0) {
    this.#window = highWaterMark * ITEM_WEIGHT;
    this.#credit = credit;
    this.#spinMs = spinMicros / 1000;
  }

  /** The caller published credit while this waited for it (a `wake` message): read it. */
  wake(): void {
    this.#wakeUp();
  }

  cancel(): void {
    this.#cancelled = true;
    this.#wakeUp();
  }

  /** Resumes the pulling, in a microtask: on the inline pool a wake comes from the consumer's `next()`, which must not run the task. */
  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    if (wake !== undefined) queueMicrotask(wake);
  }

  /**
   * Streams `iterable` into `post` until it ends, the caller cancels or `signal` aborts; rejects
   * with what the iterator threw, or with `ERR_UNCLONEABLE` for an item that cannot be sent.
   */
  async run(
    record: TaskRecord,
    iterable: Streamable,
    post: (items: unknown[], transfer: Transferable[]) => void,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const asynchronous = Symbol.asyncIterator in iterable;
    const iterator: AsyncIterator<unknown> | Iterator<unknown> = asynchronous ? iterable[Symbol.asyncIterator]() : iterable[Symbol.iterator]();
    // A flag, not `signal.aborted` (a checked getter), read once per item.
    let aborted = signal?.aborted === true;
    const onAbort = (): void => {
      aborted = true;
      this.#wakeUp();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let ended: { open: boolean; failure?: { error: unknown } };
    try {
      ended = await this.#pull(record, asynchronous ? { async: iterator as AsyncIterator<unknown> } : { sync: iterator as Iterator<unknown> }, post, () => this.#cancelled || aborted);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    // Runs the generator's `finally` (the iterator has not ended by itself); what it throws fails the call.
    if (ended.open) await iterator.return?.();
    if (ended.failure !== undefined) throw ended.failure.error;
  }

  /**
   * The pulling itself, in callbacks rather than an `await` per item (which costs a fifth more):
   * settles (never rejects) once the iterator is done or failed (`open` false), or the pulling
   * stopped (`stopped()`, or an item that cannot be sent: `open`, the iterator must be returned).
   * A synchronous iterator (a generator's) is pulled in a loop, with no promise per item: a
   * generator's `yield` costs a few nanoseconds, an async generator's tens (two promise jobs).
   */
  #pull(
    record: TaskRecord,
    source: { readonly async: AsyncIterator<unknown>; readonly sync?: undefined } | { readonly sync: Iterator<unknown>; readonly async?: undefined },
    post: (items: unknown[], transfer: Transferable[]) => void,
    stopped: () => boolean,
  ): Promise<{ open: boolean; failure?: { error: unknown } }> {
    const shared = this.#credit;
    const window = this.#window;
    const spinMs = this.#spinMs;
    // The global `performance` is a getter: read it once.
    const clock = performance;
    /** When the event loop last had a turn during this pulling (read when a chunk goes out, and after a poll). */
    let turned = clock.now();
    /** Items pulled since the clock was last read between chunks, when it was, and every how many items it is. */
    let sinceClock = 0;
    let clockedAt = turned;
    let clockEvery = 1;
    /** What a chunk weighs at most: the whole window until the credit first runs out, then half of it. */
    let chunkUnits = window;
    let chunk: unknown[] = [];
    let transfer: Transferable[] = [];
    /** The weight of `chunk`. */
    let units = 0;
    /** The weight of every item pulled, in all. */
    let pulled = 0;
    /** What the window leaves as of the last read of the caller's count (it only grows since). */
    let credit = window;
    let flushing: NodeJS.Immediate | undefined;
    const flush = (): void => {
      if (flushing !== undefined) clearImmediate(flushing);
      flushing = undefined;
      if (chunk.length === 0) return;
      const items = chunk;
      const moved = transfer;
      chunk = [];
      transfer = [];
      units = 0;
      sendChunk(record, items, moved, post);
    };
    return new Promise((resolve) => {
      /** Settled: a step still under way when a chunk failed is ignored. */
      let finished = false;
      const finish = (open: boolean, failure?: { error: unknown }): void => {
        if (flushing !== undefined) clearImmediate(flushing);
        flushing = undefined;
        finished = true;
        resolve(failure === undefined ? { open } : { open, failure });
      };
      /** Flushes what was pulled; an item that cannot be sent fails the stream, the iterator still open. */
      const flushOrFail = (open: boolean): boolean => {
        try {
          flush();
          return true;
        } catch (error) {
          finish(open, { error });
          return false;
        }
      };
      const onStep = (step: IteratorResult<unknown>): void => {
        if (finished) return;
        if (takeOrFail(step)) next();
      };
      /** {@link take}; a step that is not an iterator result (a `done` getter that throws, say) fails the stream with it. */
      const takeOrFail = (step: IteratorResult<unknown>): boolean => {
        try {
          return take(step);
        } catch (error) {
          finish(true, { error });
          return false;
        }
      };
      /** Takes one step's item; whether to pull the next one now (not when done, failed, or handing over). */
      const take = (step: IteratorResult<unknown>): boolean => {
        if (step.done === true) {
          if (flushOrFail(false)) finish(false);
          return false;
        }
        const item: unknown = step.value;
        let weight: number;
        if (isMoved(item)) {
          chunk.push(item.value);
          for (const one of item.transfer) transfer.push(one);
          weight = itemWeight(item.value);
        } else {
          chunk.push(item);
          weight = itemWeight(item);
        }
        pulled += weight;
        credit -= weight;
        units += weight;
        if (units >= chunkUnits || chunk.length >= MAX_CHUNK) {
          if (!flushOrFail(true)) return false;
          const now = clock.now();
          if (now - turned >= MAX_PULLING_MS) {
            // A stream whose caller keeps up never runs out of credit: let the event loop turn.
            setImmediate(resume);
            return false;
          }
          // Nor is sending a chunk making items.
          clockedAt = now;
          sinceClock = 0;
        } else {
          flushing ??= setImmediate(() => {
            flushing = undefined;
            flushOrFail(true);
          });
          if (++sinceClock >= clockEvery) {
            // A generator that makes its items without waiting (they come in promise jobs, or in one
            // run of a loop, never at a turn of the event loop) and slowly: what it has goes out
            // within about MAX_PULLING_MS, not once a chunk is full, and the event loop turns.
            const now = clock.now();
            if (now - turned >= MAX_PULLING_MS) {
              if (!flushOrFail(true)) return false;
              setImmediate(resume);
              return false;
            }
            // Read the clock again after about a quarter of that, by the items' pace so far (at
            // most twice as many items later as this time; an item in no measurable time: Infinity).
            const byPace = Math.floor(MAX_PULLING_MS / 4 / ((now - clockedAt) / sinceClock));
            clockEvery = Math.max(1, Math.min(2 * clockEvery, MAX_CLOCK_EVERY, byPace));
            clockedAt = now;
            sinceClock = 0;
          }
        }
        return true;
      };
      const onError = (error: unknown): void => {
        if (finished) return;
        // The items yielded before the throw go out before it.
        if (flushOrFail(false)) finish(false, { error });
      };
      const { async: asyncIterator, sync } = source;
      /**
       * Credit for the next item, which is short: counted again from what the caller has taken,
       * then (what there is sent) polled for, then slept for until a wake. Whether to pull now:
       * not where a send failed, the event loop is handed a turn, or the pump sleeps (a wake, a
       * cancel or an abort calls `resume`).
       */
      const refill = (): boolean => {
        credit = window - (pulled - shared.taken());
        if (credit >= ITEM_WEIGHT) return true;
        if (!flushOrFail(true)) return false;
        chunkUnits = Math.max(ITEM_WEIGHT, Math.floor(window / 2));
        if (spinMs > 0) {
          let now = clock.now();
          const until = now + spinMs;
          while (credit < ITEM_WEIGHT && now < until) {
            credit = window - (pulled - shared.taken());
            now = clock.now();
          }
          // The items' pace is timed from here: waiting for credit is not making items.
          clockedAt = now;
          sinceClock = 0;
          if (credit >= ITEM_WEIGHT) {
            if (now - turned < MAX_PULLING_MS) return true;
            // Credit came while polling, but the event loop has not turned for a while: let it.
            setImmediate(resume);
            return false;
          }
        }
        shared.waiting(true);
        credit = window - (pulled - shared.taken());
        if (credit < ITEM_WEIGHT) {
          this.#wake = resume;
          return false;
        }
        shared.waiting(false);
        return true;
      };
      /** Pulls items while there is credit: one promise step of an async iterator, or a run of a synchronous one's. */
      const next = (): void => {
        for (;;) {
          if (finished) return;
          if (stopped()) {
            if (flushOrFail(true)) finish(true);
            return;
          }
          // The next item's weight is known only once it is made: pull only with a whole item's credit.
          if (credit < ITEM_WEIGHT && !refill()) return;
          if (sync !== undefined) {
            let step: IteratorResult<unknown>;
            try {
              step = sync.next();
            } catch (error) {
              onError(error);
              return;
            }
            if (!takeOrFail(step)) return;
            continue;
          }
          let pending: Promise<IteratorResult<unknown>>;
          try {
            pending = Promise.resolve(asyncIterator.next());
          } catch (error) {
            onError(error);
            return;
          }
          // Neither callback throws.
          void pending.then(onStep, onError);
          return;
        }
      };
      /** `next` after a turn of the event loop (a wake, a cancel, an abort, or the hand-over above). */
      const resume = (): void => {
        turned = clock.now();
        clockedAt = turned;
        sinceClock = 0;
        next();
      };
      next();
    });
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
