import * as path from 'node:path';
import { ThreadPool } from '../src';
import { MathTasks } from '../tasks/math';
import { CancellableTasks } from './fixtures/cancellable';
import { expectCode, rejectionOf, sharedCounter, untilAtLeast } from './helpers';
import { runNode } from './helpers-process';

describe('close()', () => {
  test('is graceful: queued and running tasks finish', async () => {
    const pool = new ThreadPool({ threads: 1 });
    const calls = Array.from({ length: 20 }, (_, i) => pool.spawn(MathTasks).sleepAdd(i, 1, 1));
    await pool.close();
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  test('is idempotent: every call returns the same promise', async () => {
    const pool = new ThreadPool({ threads: 1 });
    const first = pool.close();
    expect(pool.close()).toBe(first);
    await first;
    await expect(pool.close()).resolves.toBeUndefined();
  });

  test('spawn after close rejects with ERR_POOL_CLOSED, in both forms and through an old proxy', async () => {
    const pool = new ThreadPool({ threads: 1 });
    const proxy = pool.spawn(MathTasks);
    const closing = pool.close();
    expectCode(await rejectionOf(proxy.add(1, 2)), 'ERR_POOL_CLOSED');
    await closing;
    expectCode(await rejectionOf(pool.spawn(MathTasks).add(1, 2)), 'ERR_POOL_CLOSED');
    expectCode(await rejectionOf(pool.spawn(MathTasks.add, 1, 2)), 'ERR_POOL_CLOSED');
  });

  test('leaves no handle of the pool behind, and the process exits by itself', async () => {
    // In a process of its own: jest runs other test files in this one, whose threads and ports come
    // and go while a test counts handles.
    const run = await runNode([path.join(__dirname, 'fixtures', 'close-leaves-no-handle.cjs')], 60_000);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout.trim())).toEqual({ product: 42, left: [], started: 2, running: [] });
  }, 70_000);
});

describe('destroy()', () => {
  test('rejects running and queued tasks with ERR_POOL_CLOSED, and resolves', async () => {
    const pool = new ThreadPool({ threads: 1 });
    const shared = sharedCounter();
    const running = pool.spawn(CancellableTasks).holdUntil(shared);
    const queued = Array.from({ length: 50 }, (_, i) => pool.spawn(MathTasks).add(i, 1));
    const settled = Promise.allSettled([running, ...queued]);
    await untilAtLeast(shared, 1, 1); // the first task is running and holds the only thread
    await pool.destroy();
    const outcomes = await settled;
    expect(outcomes).toHaveLength(51);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      expectCode((outcome as PromiseRejectedResult).reason, 'ERR_POOL_CLOSED');
    }
  });

  test('during close() ends it: close() resolves, the rest is rejected', async () => {
    const pool = new ThreadPool({ threads: 1 });
    const shared = sharedCounter();
    const running = rejectionOf(pool.spawn(CancellableTasks).holdUntil(shared));
    await untilAtLeast(shared, 1, 1);
    const closing = pool.close();
    await pool.destroy();
    await expect(closing).resolves.toBeUndefined();
    expectCode(await running, 'ERR_POOL_CLOSED');
    await expect(pool.destroy()).resolves.toBeUndefined();
  });
});

describe('await using', () => {
  test('closes the pool at the end of the scope', async () => {
    let escaped: ThreadPool | undefined;
    {
      await using pool = new ThreadPool({ threads: 1 });
      escaped = pool;
      expect(await pool.spawn(MathTasks).add(2, 2)).toBe(4);
    }
    expectCode(await rejectionOf(escaped.spawn(MathTasks).add(1, 1)), 'ERR_POOL_CLOSED');
  });
});
