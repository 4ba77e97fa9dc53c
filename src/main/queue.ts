/** What the queue needs of an entry: its priority, its place in line, and whether it still waits. */
export interface Queued {
  /** Higher goes first. */
  readonly priority: number;
  /** Submission order: lower goes first within one priority. */
  readonly seq: number;
  /** Only `'queued'` entries are handed out; the others (aborted while waiting) are skipped and dropped. */
  readonly state: string;
}

/** One priority's calls, first in first out. */
interface Bucket<T> {
  readonly priority: number;
  readonly items: (T | undefined)[];
  head: number;
}

/**
 * Calls waiting for a thread: highest priority first, first in first out within one priority. One
 * FIFO bucket per priority in use, the buckets sorted by priority, so that a pool that uses one
 * priority (the default 0) has one bucket and its queue works as one array with a moving head: a
 * push and a shift each touch only the top bucket. A new priority costs a sorted insert into the
 * short list of buckets; an emptied bucket is dropped as the head passes it.
 *
 * Entries leave either by `shift()` or by changing `state` (an abort): such an entry is skipped,
 * without a search, when it reaches the head. The queue does not count its entries: its owner does.
 */
export class CallQueue<T extends Queued> {
  /** Sorted by priority, highest first; never empty (the last bucket is kept for reuse). */
  readonly #buckets: Bucket<T>[] = [{ priority: 0, items: [], head: 0 }];

  push(entry: T): void {
    const top = this.#buckets[0] as Bucket<T>;
    if (top.priority === entry.priority) {
      // The common case: one priority in use, or more of the highest one.
      top.items.push(entry);
      return;
    }
    this.#bucketOf(entry.priority).items.push(entry);
  }

  /** The first waiting entry, without taking it. */
  peek(): T | undefined {
    for (;;) {
      const bucket = this.#buckets[0] as Bucket<T>;
      const items = bucket.items;
      while (bucket.head < items.length) {
        const entry = items[bucket.head];
        if (entry?.state === 'queued') return entry;
        items[bucket.head++] = undefined;
      }
      items.length = 0;
      bucket.head = 0;
      if (this.#buckets.length === 1) return undefined;
      this.#buckets.shift();
    }
  }

  /** Takes the first waiting entry. */
  shift(): T | undefined {
    const entry = this.peek();
    if (entry === undefined) return undefined;
    const bucket = this.#buckets[0] as Bucket<T>;
    bucket.items[bucket.head++] = undefined;
    if (bucket.head > 1024 && bucket.head * 2 > bucket.items.length) {
      bucket.items.splice(0, bucket.head);
      bucket.head = 0;
    }
    return entry;
  }

  /**
   * Puts entries back in their places (a batch that never started, or calls moved from another
   * queue): each at its priority, before every entry of that priority submitted after it.
   */
  insert(entries: readonly T[]): void {
    for (const entry of entries) {
      const bucket = this.#bucketOf(entry.priority);
      const items = bucket.items;
      let at = items.length;
      while (at > bucket.head && (items[at - 1]?.seq ?? -Infinity) > entry.seq) at--;
      if (at === bucket.head && bucket.head > 0) items[--bucket.head] = entry;
      else items.splice(at, 0, entry);
    }
  }

  /** Takes every waiting entry, in order, and empties the queue. */
  drain(): T[] {
    const all: T[] = [];
    for (;;) {
      const entry = this.shift();
      if (entry === undefined) return all;
      all.push(entry);
    }
  }

  #bucketOf(priority: number): Bucket<T> {
    const buckets = this.#buckets;
    let at = 0;
    while (at < buckets.length && (buckets[at] as Bucket<T>).priority > priority) at++;
    const found = buckets[at];
    if (found?.priority === priority) return found;
    const bucket: Bucket<T> = { priority, items: [], head: 0 };
    // The kept empty bucket of another priority gives way (it holds nothing).
    if (buckets.length === 1 && (buckets[0] as Bucket<T>).head === (buckets[0] as Bucket<T>).items.length) buckets[0] = bucket;
    else buckets.splice(at, 0, bucket);
    return bucket;
  }
}

/** Whether `a` goes before `b`: higher priority, then earlier submission. */
export function before(a: Queued, b: Queued): boolean {
  return a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq);
}
