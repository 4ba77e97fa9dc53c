import { AsyncThreadPoolError, task, TaskProgress, ThreadPool } from '../src';
import { ProgressTasks, Tally } from './fixtures/progress';
import { expectCode, rejectionOf, thrownBy } from './helpers';

/**
 * Progress keeps every guarantee of a call: bad options and decorators are coded, an uncloneable
 * report is refused, a throwing onProgress fails its call once, an abort or a thread's death ends
 * the call with its code and no report comes after the call settled.
 */
describe('progress: misuse, aborts and crashes', () => {
  test('onProgress must be a function', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    expectCode(thrownBy(() => pool.with({ onProgress: 5 as unknown as () => void })), 'ERR_INVALID_OPTION');
  });

  test('a second @TaskProgress() on a method, or one on a method without @task, is coded', () => {
    const duplicate = thrownBy(() => {
      class Twice {
        @task static both(@TaskProgress() a: (v: number) => void, @TaskProgress() b: (v: number) => void): number {
          a(1);
          b(1);
          return 1;
        }
      }
      return Twice;
    });
    expectCode(duplicate, 'ERR_DUPLICATE_PROGRESS_PARAMETER');
    const orphan = thrownBy(() => {
      class NotATask {
        @task static real(): number {
          return 1;
        }
        static plain(@TaskProgress() a: (v: number) => void): void {
          a(1);
        }
        @task static after(): number {
          return 2;
        }
      }
      return NotATask;
    });
    expectCode(orphan, 'ERR_PROGRESS_WITHOUT_TASK');
  });

  test('a report that cannot be cloned makes the next report throw ERR_UNCLONEABLE', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    const seen: unknown[] = [];
    expect(await pool.with({ onProgress: (v) => seen.push(v) }).spawn(ProgressTasks).reportUncloneable()).toBe('ERR_UNCLONEABLE');
    await using inline = ThreadPool.inline();
    expect(await inline.with({ onProgress: (v) => seen.push(v) }).spawn(ProgressTasks).reportUncloneable()).toBe('ERR_UNCLONEABLE');
  });

  test('an onProgress that throws fails its call with what it threw, once; the thread goes on', async () => {
    await using pool = new ThreadPool({ threads: 1, context: Tally });
    const boom = new Error('listener failed');
    const error = await rejectionOf(
      pool
        .with({
          onProgress: () => {
            throw boom;
          },
        })
        .spawn(ProgressTasks)
        .count(10),
    );
    expect(error).toBe(boom);
    expect(await pool.spawn(ProgressTasks).count(3)).toBe(3);
    // The context survived: two calls counted on it.
    await pool.spawn(ProgressTasks).tallied();
    expect((await pool.spawn(ProgressTasks).tallied()).calls).toBe(2);
  });

  test('an abort ends a reporting call with AbortError; no report comes after it; the context persists', async () => {
    // No grace period to beat (the default 1 s could end a thread slow to see the abort on a loaded
    // machine): a task that did not stop would hold the next call, a hang and so a failure.
    await using pool = new ThreadPool({ threads: 1, context: Tally, abortGracePeriod: Infinity });
    const before = await pool.spawn(ProgressTasks).tallied();
    const controller = new AbortController();
    let afterAbort = 0;
    let aborted = false;
    const call = pool
      .with({
        signal: controller.signal,
        onProgress: () => {
          if (aborted) afterAbort++;
          else {
            aborted = true;
            controller.abort(new Error('enough'));
          }
        },
      })
      .spawn(ProgressTasks)
      .reportUntilAborted();
    const error = await rejectionOf(call);
    expect((error as Error).name).toBe('AbortError');
    expect((error as AsyncThreadPoolError).code).toBe('ERR_TASK_ABORTED');
    // The task stopped by itself: the same thread, the same context, takes the next call.
    const after = await pool.spawn(ProgressTasks).tallied();
    expect(after).toEqual({ threadId: before.threadId, calls: 2 });
    expect(afterAbort).toBe(0);
  });

  test('a thread that dies after reporting: the report arrived, the call fails with ERR_WORKER_EXITED, the pool goes on', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    const seen: unknown[] = [];
    const error = await rejectionOf(pool.with({ onProgress: (v) => seen.push(v) }).spawn(ProgressTasks).reportThenExit(42));
    expectCode(error, 'ERR_WORKER_EXITED');
    expect(seen).toEqual([42]);
    expect(await pool.spawn(ProgressTasks).count(5)).toBe(5);
  });
});
