import { spawn, ThreadPool } from '../src';
import { MathTasks } from '../tasks/math';
import { Mixed, NoTasks } from './fixtures/mixed';
import { expectCode, rejectionOf, thrownBy } from './helpers';

describe('the runtime proxy', () => {
  const pool = new ThreadPool({ threads: 1 });
  afterAll(() => pool.close());

  test('calls tasks, and is cached per class', async () => {
    const proxy = pool.spawn(MathTasks);
    expect(pool.spawn(MathTasks)).toBe(proxy);
    expect(proxy.add).toBe(proxy.add);
    expect(await proxy.add(3, 2)).toBe(5);
    expect(await pool.spawn(Mixed).real()).toBe(1);
  });

  test('is not a thenable, so it can be awaited or returned from async code', async () => {
    const proxy = pool.spawn(MathTasks);
    expect((proxy as unknown as { then?: unknown }).then).toBeUndefined();
    expect(await Promise.resolve(proxy)).toBe(proxy);
  });

  test('rejects a call to a static method that is not a task', async () => {
    const proxy = pool.spawn(Mixed) as unknown as { notATask(): Promise<number> };
    expectCode(await rejectionOf(proxy.notATask()), 'ERR_TASK_NOT_REGISTERED');
  });

  test('has nothing for names that are not methods of the class', () => {
    expect((pool.spawn(MathTasks) as unknown as Record<string, unknown>).nothing).toBeUndefined();
  });

  test('refuses a class with no tasks, at once', () => {
    expectCode(thrownBy(() => pool.spawn(NoTasks)), 'ERR_TASK_NOT_REGISTERED');
    expectCode(thrownBy(() => spawn(NoTasks)), 'ERR_TASK_NOT_REGISTERED');
  });

  test('rejects an undecorated function in the function-reference form (never a synchronous throw)', async () => {
    const plain = NoTasks.plain as unknown as typeof MathTasks.add;
    expectCode(await rejectionOf(pool.spawn(plain, 1, 2)), 'ERR_TASK_NOT_REGISTERED');
    expectCode(await rejectionOf(spawn(plain, 1, 2)), 'ERR_TASK_NOT_REGISTERED');
    expectCode(await rejectionOf(pool.spawn((() => 1) as unknown as typeof MathTasks.add, 1, 2)), 'ERR_TASK_NOT_REGISTERED');
  });

  test('the function-reference form gives the same results as the proxy', async () => {
    expect(await pool.spawn(MathTasks.add, 40, 2)).toBe(42);
    expect(await pool.spawn(MathTasks.sleepAdd, 1, 2, 1)).toBe(3);
  });
});
