import { ThreadPool } from '../src';
import { ContextTasks, Other } from './fixtures/contexts';
import { Counter, MathTasks } from '../tasks/math';
import { expectCode, rejectionOf } from './helpers';

describe('a task whose context the pool does not have', () => {
  test('on a pool without a context: ERR_CONTEXT_MISMATCH naming the wanted class', async () => {
    const pool = new ThreadPool({ threads: 1 });
    const error = await rejectionOf(pool.spawn(MathTasks.incr, new Counter(), 1));
    expectCode(error, 'ERR_CONTEXT_MISMATCH');
    expect((error as Error).message).toContain('Counter');
    // Other tasks are unaffected.
    expect(await pool.spawn(MathTasks).add(1, 1)).toBe(2);
    await pool.close();
  });

  test('on a pool with a context of another class: ERR_CONTEXT_MISMATCH naming both classes', async () => {
    const pool = new ThreadPool({ context: Other, threads: 1 });
    const error = await rejectionOf(pool.spawn(MathTasks.incr as unknown as (by: number) => number, 1));
    expectCode(error, 'ERR_CONTEXT_MISMATCH');
    expect((error as Error).message).toContain('Counter');
    expect((error as Error).message).toContain('Other');
    expect(await pool.spawn(ContextTasks).otherKind()).toBe('other');
    await pool.close();
  });
});
