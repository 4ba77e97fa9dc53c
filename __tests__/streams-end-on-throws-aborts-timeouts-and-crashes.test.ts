import { ThreadPool } from '../src';
import { StreamTasks } from './fixtures/streams';
import { expectCode, rejectionOf, sharedCounter, untilAtLeast } from './helpers';

/** A stream ends as a call does: a throw after its items, abort and timeout at once, a crash after the delivered items. */
describe('streams end on throws, aborts, timeouts and crashes', () => {
  async function drain(stream: AsyncIterable<number>): Promise<{ items: number[]; error: unknown }> {
    const items: number[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const item of stream) items.push(item);
      })(),
    );
    return { items, error };
  }

  test('a throw in the generator rejects the next() after its items, with the revived error', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    const { items, error } = await drain(pool.spawn(StreamTasks).failAfter(5));
    expect(items).toEqual([0, 1, 2, 3, 4]);
    expect(error).toBeInstanceOf(RangeError);
    expect(await pool.spawn(StreamTasks).quick(1)).toBe(1);
  });

  test('abort and timeout end the stream with their codes; the generator finally runs; the thread goes on', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    const gate = sharedCounter();
    const controller = new AbortController();
    const stream = pool.with({ signal: controller.signal }).spawn(StreamTasks).oneThenWait(gate);
    expect(await stream.next()).toEqual({ done: false, value: 1 });
    const pending = stream.next();
    controller.abort(new Error('stop'));
    expect(((await rejectionOf(pending)) as Error).name).toBe('AbortError');
    await untilAtLeast(gate, 1, 1);
    // The timeout counts from when the call is handed to the thread: on a loaded machine it can
    // strike before the first item is out (or before the thread has taken the call, which it then
    // refuses without running it). Then again with twice the time, until the item came first (no
    // clock decides the outcome, only how many rounds).
    for (let timeout = 200; ; timeout *= 2) {
      const timed = sharedCounter();
      const { items, error } = await drain(pool.with({ timeout }).spawn(StreamTasks).oneThenWait(timed));
      expectCode(error, 'ERR_TASK_TIMEOUT');
      if (items.length === 0) continue;
      expect(items).toEqual([1]);
      await untilAtLeast(timed, 1, 1);
      break;
    }
    expect(await pool.spawn(StreamTasks).quick(2)).toBe(2);
  });

  test('a thread that dies mid-stream: the delivered items stay, iteration throws ERR_WORKER_EXITED, the pool goes on', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    const { items, error } = await drain(pool.spawn(StreamTasks).exitAfter(3));
    expect(items).toEqual([0, 1, 2]);
    expectCode(error, 'ERR_WORKER_EXITED');
    expect(await pool.spawn(StreamTasks).quick(3)).toBe(3);
  });
});
