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

/**
 * A slow consumer holds the producer back: the task never runs more than `highWaterMark` items
 * (and the one in hand) ahead of what the caller took. `break` runs the generator's `finally` on
 * the thread, and the thread is free for the next call, on a pool, the inline pool and a temporary thread.
 */
describe('stream backpressure and break', () => {
  async function consumeSlowly(stream: AsyncIterable<number>, shared: Int32Array, take: number): Promise<number[]> {
    const items: number[] = [];
    for await (const item of stream) {
      items.push(item);
      Atomics.add(shared, CONSUMED, 1);
      if (items.length === take) break;
      // A slow consumer: the producer would run far ahead without backpressure.
      await nextTurn();
    }
    return items;
  }

  test.each([1, 8])('on a pool, highWaterMark %i: the producer leads by at most highWaterMark + 1', async (highWaterMark) => {
    await using pool = new ThreadPool({ threads: 1 });
    const shared = counters();
    const items = await consumeSlowly(pool.with({ highWaterMark }).spawn(StreamTasks).endless(shared), shared, 300);
    expect(items).toEqual(Array.from({ length: 300 }, (_, i) => i));
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
    await consumeSlowly(pool.spawn(StreamTasks).endless(shared), shared, 200);
    expect(Atomics.load(shared, MAX_LEAD)).toBeLessThanOrEqual(17);
  });

  test('on the inline pool and on a temporary thread', async () => {
    await using inline = ThreadPool.inline();
    for (const stream of [(s: Int32Array) => inline.with({ highWaterMark: 4 }).spawn(StreamTasks).endless(s), (s: Int32Array) => spawn.with({ highWaterMark: 4 }).spawn(StreamTasks).endless(s)]) {
      const shared = counters();
      const items = await consumeSlowly(stream(shared), shared, 100);
      expect(items).toHaveLength(100);
      expect(Atomics.load(shared, MAX_LEAD)).toBeLessThanOrEqual(5);
      expect(Atomics.load(shared, FINALLY_RAN)).toBe(1);
    }
    expect(await inline.spawn(StreamTasks).quick(2)).toBe(2);
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
