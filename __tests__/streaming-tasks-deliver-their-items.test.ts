import { spawn, ThreadPool } from '../src';
import { StreamTally, StreamTasks } from './fixtures/streams';
import { expectCode, rejectionOf } from './helpers';

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

const upTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * A streaming task (an async generator, or `@task({ stream: true })` returning an AsyncIterable)
 * gives the caller an async iterable of its items, in order, on a pool, the inline pool and a
 * temporary thread; moved items arrive whole; the context persists across streams.
 */
describe('streaming tasks', () => {
  test('on a pool: every item, in order, then the end; the thread takes calls again', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    expect(await collect(pool.spawn(StreamTasks).range(1000))).toEqual(upTo(1000));
    expect(await collect(pool.spawn(StreamTasks.range, 3))).toEqual([0, 1, 2]);
    expect(await collect(pool.spawn(StreamTasks).rangeOf(50))).toEqual(upTo(50));
    expect(await collect(pool.spawn(StreamTasks).range(0))).toEqual([]);
    expect(await pool.spawn(StreamTasks).quick(7)).toBe(7);
    expect(pool.stats.completed).toBe(5);
  });

  test('with a large highWaterMark, and with highWaterMark 1', async () => {
    await using pool = new ThreadPool({ threads: 2 });
    expect(await collect(pool.with({ highWaterMark: 4096 }).spawn(StreamTasks).range(20_000))).toEqual(upTo(20_000));
    expect(await collect(pool.with({ highWaterMark: 1 }).spawn(StreamTasks).range(100))).toEqual(upTo(100));
  });

  test('on the inline pool', async () => {
    await using pool = ThreadPool.inline();
    expect(await collect(pool.spawn(StreamTasks).range(500))).toEqual(upTo(500));
    expect(await collect(pool.spawn(StreamTasks).rangeOf(5))).toEqual(upTo(5));
  });

  test('on a temporary thread (pool-less spawn)', async () => {
    expect(await collect(spawn(StreamTasks).range(500))).toEqual(upTo(500));
    expect(await collect(spawn(StreamTasks.rangeOf, 5))).toEqual(upTo(5));
  });

  test('several streams at once on one pool, each whole', async () => {
    await using pool = new ThreadPool({ threads: 2 });
    const all = await Promise.all([100, 200, 300, 400].map((n) => collect(pool.spawn(StreamTasks).range(n))));
    expect(all).toEqual([upTo(100), upTo(200), upTo(300), upTo(400)]);
  });

  test('moved items arrive whole, on a pool, the inline pool and a temporary thread', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    await using inline = ThreadPool.inline();
    for (const stream of [pool.spawn(StreamTasks).buffers(5, 1024), inline.spawn(StreamTasks).buffers(5, 1024), spawn(StreamTasks).buffers(5, 1024)]) {
      const items = await collect(stream);
      expect(items.map((b) => [b.byteLength, b[0]])).toEqual(upTo(5).map((i) => [1024, i]));
    }
  });

  test('the context persists across streams', async () => {
    await using pool = new ThreadPool({ threads: 1, context: StreamTally });
    const [first] = await collect(pool.spawn(StreamTasks).tallied());
    const [second] = await collect(pool.spawn(StreamTasks).tallied());
    expect(second).toEqual({ threadId: first?.threadId, streams: 2 });
  });

  test('a stream task that returns no AsyncIterable, or yields what cannot be sent, fails with a code after the items before', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    expectCode(await rejectionOf((pool.spawn(StreamTasks).notIterable() as unknown as AsyncIterator<number>).next()), 'ERR_INVALID_TASK');
    const items: unknown[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const item of pool.spawn(StreamTasks).uncloneable()) items.push(item);
      })(),
    );
    expectCode(error, 'ERR_UNCLONEABLE');
    expect(items).toEqual([1]);
    expect(await pool.spawn(StreamTasks).quick(1)).toBe(1);
    // The same when the items go out at the next turn, while the task waits.
    const later: unknown[] = [];
    const refused = await rejectionOf(
      (async () => {
        for await (const item of pool.spawn(StreamTasks).uncloneableThenWait()) later.push(item);
      })(),
    );
    expectCode(refused, 'ERR_UNCLONEABLE');
    expect(later).toEqual([1]);
    expect(await pool.spawn(StreamTasks).quick(2)).toBe(2);
  });

  test('a stream cannot be broadcast; a closed pool refuses it at its first next()', async () => {
    const pool = new ThreadPool({ threads: 1 });
    const broadcast = pool.broadcast(StreamTasks) as unknown as { range(n: number): Promise<unknown> };
    expectCode(await rejectionOf(broadcast.range(3)), 'ERR_STREAM_NOT_SUPPORTED');
    const stream = pool.spawn(StreamTasks).range(3);
    await pool.close();
    expectCode(await rejectionOf(stream.next()), 'ERR_POOL_CLOSED');
    expectCode(await rejectionOf(pool.spawn(StreamTasks).range(3).next()), 'ERR_POOL_CLOSED');
  });
});
