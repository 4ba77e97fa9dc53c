import { SHARE_ENV } from 'node:worker_threads';
import { spawn, ThreadPool } from '../src';
import { EnvAtBirth, EnvTasks, PROBE } from './fixtures/env';
import { expectCode, rejectionOf, thrownBy } from './helpers';

/**
 * jest gives each test file its own copy of `process.env`; Node's `Worker` copies the process's real
 * one. Threads get the creating code's `process.env` (here, this file's), as the inline pool does,
 * unless an `env` option says otherwise.
 */
describe("threads see their creator's process.env", () => {
  beforeEach(() => {
    process.env[PROBE] = 'set by the test';
  });
  afterEach(() => {
    Reflect.deleteProperty(process.env, PROBE);
  });

  test("a pool's threads and its contexts' constructors, including a replacement thread's", async () => {
    const pool = new ThreadPool({ context: EnvAtBirth, threads: 1 });
    try {
      // Taken when the pool was created: a later change here is not seen, by any of its threads.
      process.env[PROBE] = 'changed after the pool was created';
      expect(await pool.spawn(EnvTasks).read(PROBE)).toBe('set by the test');
      expect(await pool.spawn(EnvTasks).readAtBirth()).toBe('set by the test');
      expectCode(await rejectionOf(pool.spawn(EnvTasks).exit()), 'ERR_WORKER_EXITED');
      expect(await pool.spawn(EnvTasks).readAtBirth()).toBe('set by the test');
      expect(await pool.spawn(EnvTasks).read(PROBE)).toBe('set by the test');
    } finally {
      await pool.close();
    }
  });

  test('a pool-less spawn, and the fresh context it builds, as of the call', async () => {
    expect(await spawn(EnvTasks).read(PROBE)).toBe('set by the test');
    expect(await spawn(EnvTasks).readAtBirth()).toBe('set by the test');
    process.env[PROBE] = 'changed';
    expect(await spawn(EnvTasks.read, PROBE)).toBe('changed');
    expect(await spawn.with({ timeout: 30_000 }).spawn(EnvTasks).read(PROBE)).toBe('changed');
  });

  test('the inline pool sees it too (it runs here)', async () => {
    const pool = ThreadPool.inline({ context: EnvAtBirth });
    expect(await pool.spawn(EnvTasks).read(PROBE)).toBe('set by the test');
    expect(await pool.spawn(EnvTasks).readAtBirth()).toBe('set by the test');
    await pool.close();
  });

  test('an env option replaces it: for a pool, and for a pool-less spawn with spawn.with({ env })', async () => {
    const pool = new ThreadPool({ context: EnvAtBirth, threads: 1, env: { [PROBE]: 'given', DROPPED: undefined } });
    try {
      expect(await pool.spawn(EnvTasks).read(PROBE)).toBe('given');
      expect(await pool.spawn(EnvTasks).readAtBirth()).toBe('given');
      // Replaced, not merged: nothing else of this process's environment is there.
      expect(await pool.spawn(EnvTasks).read('PATH')).toBeUndefined();
      expect(await pool.spawn(EnvTasks).read('DROPPED')).toBeUndefined();
    } finally {
      await pool.close();
    }
    const given = spawn.with({ env: { [PROBE]: 'given to spawn' } }).spawn;
    expect(await given(EnvTasks).read(PROBE)).toBe('given to spawn');
    expect(await given(EnvTasks).readAtBirth()).toBe('given to spawn');
    expect(await given(EnvTasks).read('PATH')).toBeUndefined();
  });

  test("env: SHARE_ENV shares one environment, the process's own, between the threads", async () => {
    const pool = new ThreadPool({ threads: 1, env: SHARE_ENV });
    try {
      await pool.spawn(EnvTasks).write('ASYNCTHREADPOOL_SHARED_PROBE', 'written by a pool thread');
      // A pool-less spawn's thread sharing it sees that write; one with its own copy (of this file's env) does not.
      expect(await spawn.with({ env: SHARE_ENV }).spawn(EnvTasks).read('ASYNCTHREADPOOL_SHARED_PROBE')).toBe('written by a pool thread');
      expect(await spawn(EnvTasks).read('ASYNCTHREADPOOL_SHARED_PROBE')).toBeUndefined();
    } finally {
      await pool.spawn(EnvTasks).write('ASYNCTHREADPOOL_SHARED_PROBE', undefined);
      await pool.close();
    }
  });

  test.each([3, 'A=1', null, [], { A: 1 }, { A: { nested: 'x' } }])('env = %p is refused, for a pool and for spawn.with', (env) => {
    expectCode(thrownBy(() => new ThreadPool({ threads: 1, env: env as never })), 'ERR_INVALID_OPTION');
    expectCode(thrownBy(() => spawn.with({ env: env as never })), 'ERR_INVALID_OPTION');
  });

  test('env is refused by the inline pool (it runs on this thread) and by pool.with (the threads exist)', async () => {
    expectCode(thrownBy(() => ThreadPool.inline({ env: {} } as never)), 'ERR_INVALID_OPTION');
    const pool = new ThreadPool({ threads: 1 });
    expectCode(thrownBy(() => pool.with({ env: {} } as never)), 'ERR_INVALID_OPTION');
    await pool.close();
  });
});
