import { ThreadPool } from '../src';
import { MathTasks } from '../tasks/math';
import { AsyncThreadPoolError } from '../src';
import { expectCode, rejectionOf } from './helpers';

describe('one waiting list', () => {
  test('calls made while the threads start wait in the pool queue, where an abort takes them out', async () => {
    const pool = new ThreadPool({ threads: 2 });
    // No thread can be ready yet (readiness arrives as a message): nothing runs, all three wait.
    const controller = new AbortController();
    const first = pool.spawn(MathTasks).add(1, 1);
    const aborted = pool.with({ signal: controller.signal }).spawn(MathTasks).add(2, 2);
    const third = pool.spawn(MathTasks).add(3, 3);
    expect(pool.stats).toMatchObject({ queued: 3, running: 0 });
    controller.abort();
    expect(pool.stats).toMatchObject({ queued: 2, running: 0 });
    const error = await rejectionOf(aborted);
    expect(AsyncThreadPoolError.is(error) && error.code).toBe('ERR_TASK_ABORTED');
    expect(await Promise.all([first, third])).toEqual([2, 6]);
    // Each went out alone, as on an idle pool; the aborted one never reached a thread.
    expect(pool.stats).toMatchObject({ completed: 2, failed: 1, messages: 2 });
    await pool.close();
  });

  test('calls waiting for starting threads fail with ERR_POOL_CLOSED on destroy', async () => {
    const pool = new ThreadPool({ threads: 1 });
    const waiting = rejectionOf(pool.spawn(MathTasks).add(1, 1));
    expect(pool.stats).toMatchObject({ queued: 1, running: 0 });
    await pool.destroy();
    expectCode(await waiting, 'ERR_POOL_CLOSED');
  });
});
