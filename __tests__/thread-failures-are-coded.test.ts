import { spawn, ThreadPool } from '../src';
import { BrokenTasks } from './fixtures/broken-on-threads';
import { TestFileTasks } from './fixtures/tasks-in-a-test-file.spec';
import { CrashTasks } from './fixtures/thread-failures';
import { expectCode, rejectionOf } from './helpers';

describe('failures of the thread rather than the task', () => {
  test('a task that ends its thread rejects with ERR_WORKER_EXITED and its exit code; the pool goes on', async () => {
    const pool = new ThreadPool({ threads: 1 });
    const error = await rejectionOf(pool.spawn(CrashTasks).exit(3));
    expectCode(error, 'ERR_WORKER_EXITED');
    expect((error as { exitCode?: unknown }).exitCode).toBe(3);
    expect(await pool.spawn(CrashTasks).ok()).toBe('ok');
    await pool.close();
  });

  test('the same on a temporary thread', async () => {
    const error = await rejectionOf(spawn(CrashTasks).exit(4));
    expectCode(error, 'ERR_WORKER_EXITED');
  });

  test('a task module that throws when a worker loads it: ERR_MODULE_LOAD_FAILED with the cause', async () => {
    const pool = new ThreadPool({ threads: 1 });
    const error = await rejectionOf(pool.spawn(BrokenTasks).ok());
    expectCode(error, 'ERR_MODULE_LOAD_FAILED');
    expect((error as Error).cause).toMatchObject({ message: 'broken on the threads' });
    // The thread survives and serves other modules.
    expect(await pool.spawn(CrashTasks).ok()).toBe('ok');
    await pool.close();
  });

  test('a task class in a test file: ERR_MODULE_LOAD_FAILED saying where task classes belong', async () => {
    const pool = new ThreadPool({ threads: 1 });
    const error = await rejectionOf(pool.spawn(TestFileTasks).ok());
    expectCode(error, 'ERR_MODULE_LOAD_FAILED');
    expect((error as Error).message).toContain('not in test files');
    expect((error as Error).message).toContain('describe is not defined');
    await pool.close();
  });

  test('an uncloneable argument is refused at the call site, naming its position', async () => {
    const pool = new ThreadPool({ threads: 1 });
    const error = await rejectionOf(pool.spawn(CrashTasks.exit as (x: unknown) => never, { cb: () => 1 }));
    expectCode(error, 'ERR_UNCLONEABLE');
    expect((error as Error).message).toContain('Argument 0');
    expect((error as Error).message).toContain('cb');
    await pool.close();
  });
});
