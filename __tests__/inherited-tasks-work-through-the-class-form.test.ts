import { spawn, ThreadPool } from '../src';
import { BaseTasks, ExtendingTasks, GrandchildTasks, InheritingTasks, ShadowingTasks } from './fixtures/inherited';
import { expectCode, rejectionOf } from './helpers';

/**
 * `spawn(Sub)` offers the tasks `Sub` inherits, as `spawn(Sub.tiny)` always ran them: both forms
 * call what `Sub.tiny` is, the task registered on the base class (run with the base as `this`), and
 * a subclass hiding it behind a plain static method gets ERR_TASK_NOT_REGISTERED from both.
 */
describe('inherited static tasks', () => {
  const pool = new ThreadPool({ threads: 1 });
  const inline = ThreadPool.inline();
  afterAll(() => Promise.all([pool.close(), inline.close()]));

  test('run through the class form as through the reference form', async () => {
    for (const cls of [InheritingTasks, ExtendingTasks, GrandchildTasks]) {
      expect(await pool.spawn(cls).tiny(1)).toBe('BaseTasks.tiny(1)');
      expect(await pool.spawn(cls.tiny, 1)).toBe('BaseTasks.tiny(1)');
      expect(await inline.spawn(cls).tiny(2)).toBe('BaseTasks.tiny(2)');
      expect(await pool.trySpawn(cls).tiny(3)).toBe('BaseTasks.tiny(3)');
      expect(await pool.broadcast(cls).tiny(4)).toEqual(['BaseTasks.tiny(4)']);
    }
    expect(await spawn(InheritingTasks).tiny(5)).toBe('BaseTasks.tiny(5)');
    expect(await pool.spawn(ExtendingTasks).own()).toBe('ExtendingTasks.own');
    expect(await pool.spawn(BaseTasks).tiny(6)).toBe('BaseTasks.tiny(6)');
  });

  test('a subclass that hides the task with a plain static method: both forms refuse it', async () => {
    expectCode(await rejectionOf(pool.spawn(ShadowingTasks).tiny()), 'ERR_TASK_NOT_REGISTERED');
    expectCode(await rejectionOf(pool.spawn(ShadowingTasks.tiny)), 'ERR_TASK_NOT_REGISTERED');
  });
});
