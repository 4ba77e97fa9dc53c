import { ThreadPool } from '../src';
import { CancellableTasks, Lives } from './fixtures/cancellable';
import { CrashingTasks } from './fixtures/crashes';
import { Counter, MathTasks } from '../tasks/math';
import { expectCode, rejectionOf, sharedCounter, untilAtLeast } from './helpers';

describe('broadcast', () => {
  test('runs once on every thread, with its context, results in thread order', async () => {
    const pool = new ThreadPool({ threads: 3, context: Lives });
    const results = await pool.broadcast(CancellableTasks).whoAmI();
    expect(results).toHaveLength(3);
    const ids = results.map((r) => r.threadId);
    expect(new Set(ids).size).toBe(3);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(results.map((r) => r.calls)).toEqual([1, 1, 1]);
    // Again: each thread's own context counts its own part.
    expect((await pool.broadcast(CancellableTasks).whoAmI()).map((r) => r.calls)).toEqual([2, 2, 2]);
    await pool.close();
  });

  test('reconfigures every context', async () => {
    const pool = new ThreadPool({ threads: 2, context: Counter });
    expect(await pool.broadcast(MathTasks).incr(10)).toEqual([10, 10]);
    const values = await Promise.all(Array.from({ length: 6 }, () => pool.spawn(MathTasks).get(0)));
    expect(values.every((v) => v === 10)).toBe(true);
    await pool.close();
  });

  test('waits its turn behind the calls queued before it', async () => {
    const pool = new ThreadPool({ threads: 2, context: Lives });
    const gate = sharedCounter();
    const holds = [pool.spawn(CancellableTasks).holdUntil(gate), pool.spawn(CancellableTasks).holdUntil(gate)];
    await untilAtLeast(gate, 1, 2);
    const before = Array.from({ length: 10 }, () => pool.spawn(CancellableTasks).whoAmI());
    const order: string[] = [];
    void Promise.all(before).then(() => order.push('queued before'));
    const broadcast = pool.broadcast(CancellableTasks).whoAmI().then((r) => {
      order.push('broadcast');
      return r;
    });
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    const results = await broadcast;
    await Promise.all([...holds, ...before]);
    expect(order).toEqual(['queued before', 'broadcast']);
    // Each thread's part came after its share of the ten queued calls.
    expect(results.reduce((sum, r) => sum + r.calls, 0)).toBe(12);
    await pool.close();
  });

  test('a part that fails rejects the broadcast and releases the other threads', async () => {
    const pool = new ThreadPool({ threads: 2 });
    const error = await rejectionOf(pool.broadcast(CrashingTasks).exit(5));
    expectCode(error, 'ERR_WORKER_EXITED');
    expect(await pool.spawn(CrashingTasks).ok(1)).toBe(1);
    expect(await pool.broadcast(CrashingTasks).ok(2)).toEqual([2, 2]);
    await pool.close();
  });

  test('is refused on a closed pool', async () => {
    const pool = new ThreadPool({ threads: 1 });
    await pool.close();
    expectCode(await rejectionOf(pool.broadcast(MathTasks).add(1, 2)), 'ERR_POOL_CLOSED');
  });
});
