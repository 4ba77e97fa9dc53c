import { ThreadPool } from '../src';
import { CancellableTasks } from './fixtures/cancellable';
import { expectCode, rejectionOf } from './helpers';
import { holdThread } from './helpers-pool';

describe('backpressure', () => {
  test('by default the queue is unbounded, as in the Nim original', async () => {
    const pool = new ThreadPool({ threads: 1 });
    const { held, release } = await holdThread(pool);
    const calls = Array.from({ length: 10_000 }, (_, i) => pool.spawn(CancellableTasks).quick(i));
    expect(pool.queueSize).toBe(10_000);
    release();
    await held;
    expect((await Promise.all(calls)).length).toBe(10_000);
    await pool.close();
  });

  test('maxQueue: a full queue rejects spawn with ERR_QUEUE_FULL; trySpawn returns undefined; whenRoom says when', async () => {
    const pool = new ThreadPool({ threads: 1, maxQueue: 3 });
    const { held, release } = await holdThread(pool);
    const queued = [1, 2, 3].map((n) => pool.spawn(CancellableTasks).quick(n));
    expect(pool.queueSize).toBe(3);
    expectCode(await rejectionOf(pool.spawn(CancellableTasks).quick(4)), 'ERR_QUEUE_FULL');
    expectCode(await rejectionOf(pool.spawn(CancellableTasks.quick, 4)), 'ERR_QUEUE_FULL');
    expect(pool.trySpawn(CancellableTasks).quick(5)).toBeUndefined();
    expect(pool.trySpawn(CancellableTasks.quick, 5)).toBeUndefined();
    expect(pool.queueSize).toBe(3);

    let roomSeen = false;
    const room = pool.whenRoom().then(() => {
      roomSeen = true;
    });
    await Promise.resolve();
    expect(roomSeen).toBe(false);
    release();
    await room;
    expect(pool.queueSize).toBeLessThan(3);
    const accepted = pool.trySpawn(CancellableTasks).quick(6);
    expect(accepted).toBeInstanceOf(Promise);
    expect(await accepted).toBe(6);
    expect(await Promise.all([held.then(() => 0), ...queued])).toEqual([0, 1, 2, 3]);
    await pool.close();
  });

  test('whenRoom resolves at once when there is room', async () => {
    const pool = new ThreadPool({ threads: 1, maxQueue: 1 });
    await pool.whenRoom();
    await pool.close();
  });

  test('maxQueue: 0 runs calls only when a thread is free', async () => {
    const pool = new ThreadPool({ threads: 1, maxQueue: 0 });
    expect(await pool.spawn(CancellableTasks).quick(1)).toBe(1);
    const { held, release } = await holdThread(pool);
    expect(pool.trySpawn(CancellableTasks).quick(2)).toBeUndefined();
    release();
    await held;
    await pool.close();
  });

  test.each([-1, 1.5, Number.NaN, '3'])('maxQueue = %p is refused', (maxQueue) => {
    expect(() => new ThreadPool({ threads: 1, maxQueue: maxQueue as number })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }) as Error);
  });
});
