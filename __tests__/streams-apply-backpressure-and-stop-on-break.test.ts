import { setImmediate as nextTurn } from 'node:timers/promises';
import { spawn, ThreadPool } from '../src';
import { StreamTasks } from './fixtures/streams';
import { sharedCounter, untilAtLeast } from './helpers';

/** Slots of the `endless` fixture's shared counter. */
const PRODUCED = 0;
const FINALLY_RAN = 1;
const MAX_LEAD = 2;
const CONSUMED = 3;

function counters(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
}

/** The weight of an item in credit units, a small primitive weighing 1 (shared/call-events.ts). */
const ITEM = 64;

type Row = { i: number };

/**
 * A slow consumer holds the producer back: the task never runs more than `highWaterMark` items
 * (and the one in hand) ahead of what the caller took, or `highWaterMark` × 64 small primitives
 * (numbers), which weigh 1/64 of an item each. `break` runs the generator's `finally` on the
 * thread, and the thread is free for the next call, on a pool, the inline pool and a temporary thread.
 */
describe('stream backpressure and break', () => {
  async function consumeSlowly<T>(stream: AsyncIterable<T>, shared: Int32Array, take: number): Promise<T[]> {
    const items: T[] = [];
    for await (const item of stream) {
      items.push(item);
      Atomics.add(shared, CONSUMED, 1);
      if (items.length === take) break;
      // A slow consumer: the producer would run far ahead without backpressure.
      await nextTurn();
    }
    return items;
  }

  test.each([1, 8])('on a pool, highWaterMark %i: the producer leads by at most highWaterMark + 1 objects', async (highWaterMark) => {
    await using pool = new ThreadPool({ threads: 1 });
    const shared = counters();
    const items = await consumeSlowly(pool.with({ highWaterMark }).spawn(StreamTasks).endless(shared, true) as AsyncIterable<Row>, shared, 300);
    expect(items).toEqual(Array.from({ length: 300 }, (_, i) => ({ i })));
    expect(Atomics.load(shared, MAX_LEAD)).toBeLessThanOrEqual(highWaterMark + 1);
    // break waited for the generator's finally on the thread.
    expect(Atomics.load(shared, FINALLY_RAN)).toBe(1);
    expect(Atomics.load(shared, PRODUCED)).toBeLessThanOrEqual(300 + highWaterMark + 1);
    // The thread is free.
    expect(await pool.spawn(StreamTasks).quick(1)).toBe(1);
  });

  test('with the default highWaterMark (16)', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    const shared = counters();
    await consumeSlowly(pool.spawn(StreamTasks).endless(shared, true), shared, 200);
    expect(Atomics.load(shared, MAX_LEAD)).toBeLessThanOrEqual(17);
  });

  test('on the inline pool and on a temporary thread', async () => {
    await using inline = ThreadPool.inline();
    for (const stream of [
      (s: Int32Array) => inline.with({ highWaterMark: 4 }).spawn(StreamTasks).endless(s, true),
      (s: Int32Array) => spawn.with({ highWaterMark: 4 }).spawn(StreamTasks).endless(s, true),
    ]) {
      const shared = counters();
      const items = await consumeSlowly(stream(shared), shared, 100);
      expect(items).toHaveLength(100);
      expect(Atomics.load(shared, MAX_LEAD)).toBeLessThanOrEqual(5);
      expect(Atomics.load(shared, FINALLY_RAN)).toBe(1);
    }
    expect(await inline.spawn(StreamTasks).quick(2)).toBe(2);
  });

  describe.each([
    ['a pool', () => new ThreadPool({ threads: 1 })],
    ['the inline pool', () => ThreadPool.inline()],
    ['a temporary thread', () => undefined],
  ])('numbers on %s', (_, open) => {
    test.each([1, 4, 16])('highWaterMark %i: highWaterMark × 64 - 63 of them go ahead, never more', async (highWaterMark) => {
      await using pool = open();
      const shared = counters();
      const options = highWaterMark === 16 ? {} : { highWaterMark };
      const stream = (pool === undefined ? spawn.with(options).spawn(StreamTasks).endless(shared) : pool.with(options).spawn(StreamTasks).endless(shared)) as AsyncIterableIterator<number>;
      expect(await stream.next()).toEqual({ done: false, value: 0 });
      Atomics.add(shared, CONSUMED, 1);
      // Nothing more is taken: the producer fills its credit, 64 units an item, 1 a number, and
      // pulls only with a whole item's credit left.
      const ahead = highWaterMark * ITEM - (ITEM - 1);
      await untilAtLeast(shared, PRODUCED, ahead);
      const rest = await consumeSlowly(stream, shared, 500);
      expect(rest).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
      // One less where the first number went out, and was counted, before the producer had filled
      // its credit (a generator that is slow at first sends what it has within a millisecond).
      expect(Atomics.load(shared, MAX_LEAD)).toBeGreaterThanOrEqual(ahead - 1);
      expect(Atomics.load(shared, MAX_LEAD)).toBeLessThanOrEqual(ahead + 1);
      expect(Atomics.load(shared, FINALLY_RAN)).toBe(1);
    });
  });

  test('return() on a stream that never started runs nothing; next() after it is done', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    const shared = counters();
    const stream = pool.spawn(StreamTasks).endless(shared);
    expect(await stream.return()).toEqual({ done: true, value: undefined });
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(Atomics.load(shared, PRODUCED)).toBe(0);
    expect(pool.stats.completed + pool.stats.failed).toBe(0);
  });

  test('return() of a stream queued behind a busy thread takes it off the queue', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    const gate = sharedCounter();
    const controller = new AbortController();
    const first = pool.with({ signal: controller.signal }).spawn(StreamTasks).oneThenWait(gate);
    expect(await first.next()).toEqual({ done: false, value: 1 });
    const shared = counters();
    const second = pool.spawn(StreamTasks).endless(shared);
    const pending = second.next();
    expect(pool.stats.queued).toBe(1);
    await second.return();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(pool.stats.queued).toBe(0);
    // The first task waits for its signal, not at a yield: an abort ends it (its finally runs).
    controller.abort(new Error('done'));
    await untilAtLeast(gate, FINALLY_RAN, 1);
    expect(Atomics.load(shared, PRODUCED)).toBe(0);
    expect(await pool.spawn(StreamTasks).quick(3)).toBe(3);
  });
});
