import { MessagePort } from 'node:worker_threads';
import { spawn, ThreadPool } from '../src';
import { StreamTasks } from './fixtures/streams';
import { sharedCounter } from './helpers';

/**
 * Credit costs no message: the caller counts what it took in memory the thread reads, and posts a
 * wake only when the thread had to wait for credit. A consumer that keeps up (the `paced` task never
 * runs more than a quarter of the window ahead of it, so the thread never runs out of credit) has
 * the caller post nothing at all to the thread while the items flow, on a pool and on a temporary
 * thread (the inline pool posts no messages at all). The bound when the consumer stops is tested in
 * streams-apply-backpressure-and-stop-on-break.test.ts.
 */
describe('stream credit without messages', () => {
  let posts: jest.SpiedFunction<MessagePort['postMessage']>;
  beforeEach(() => {
    posts = jest.spyOn(MessagePort.prototype, 'postMessage');
  });
  afterEach(() => {
    posts.mockRestore();
  });

  /** Consumes `stream`, counting in slot 0 of `consumed`; the messages posted between its first item and its end. */
  async function postedWhileFlowing<T>(stream: AsyncIterable<T>, consumed: Int32Array): Promise<{ items: T[]; posted: number }> {
    const items: T[] = [];
    let before = 0;
    for await (const item of stream) {
      items.push(item);
      if (items.length === 1) before = posts.mock.calls.length;
      Atomics.add(consumed, 0, 1);
      Atomics.notify(consumed, 0);
    }
    return { items, posted: posts.mock.calls.length - before };
  }

  const N = 20_000;

  test.each([
    ['a pool', true],
    ['a temporary thread', false],
  ])('on %s: 20,000 numbers, the default highWaterMark (1,024 of them ahead), nothing posted', async (_, onPool) => {
    await using pool = onPool ? new ThreadPool({ threads: 1 }) : undefined;
    const consumed = sharedCounter(1);
    const remote = pool === undefined ? spawn(StreamTasks) : pool.spawn(StreamTasks);
    const stream = remote.paced(consumed, N, 256) as AsyncIterable<number>;
    const { items, posted } = await postedWhileFlowing(stream, consumed);
    expect(items).toEqual(Array.from({ length: N }, (_, i) => i));
    // Without shared credit: a credit message per 512 numbers taken, or more.
    expect(posted).toBe(0);
  });

  test('on a pool: objects, highWaterMark 16, nothing posted', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    const consumed = sharedCounter(1);
    const count = 2_000;
    const { items, posted } = await postedWhileFlowing(pool.spawn(StreamTasks).paced(consumed, count, 4, true), consumed);
    expect(items).toEqual(Array.from({ length: count }, (_, i) => ({ i })));
    // Without shared credit: a credit message per 8 objects taken, or more.
    expect(posted).toBe(0);
  });
});
