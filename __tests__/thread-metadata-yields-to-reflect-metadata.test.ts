import { spawn, ThreadPool } from '../src';
import { LoadedModuleTasks } from './fixtures/loaded-modules';
import { EarlyContext, EarlyTasks } from './fixtures/metadata-early';
import { UserPolyfillTasks } from './fixtures/metadata-user-polyfill';

/**
 * Threads do without the `reflect-metadata` package: the library's worker side and task entry
 * install a small decorator metadata API of their own where there is none (src/shared/metadata.ts).
 * A task module that loads `reflect-metadata` itself gets the real one, and what was recorded
 * before it loaded stays readable through it.
 */
const polyfill = /[\\/]node_modules[\\/]reflect-metadata[\\/]/;

test('a thread running a task module that imports asyncthreadpool/task loads no reflect-metadata', async () => {
  const pool = new ThreadPool({ threads: 1 });
  try {
    expect((await pool.spawn(LoadedModuleTasks).loaded()).filter((f) => polyfill.test(f))).toEqual([]);
  } finally {
    await pool.close();
  }
  expect((await spawn(LoadedModuleTasks).loaded()).filter((f) => polyfill.test(f))).toEqual([]);
});

test('its metadata still tells a temporary thread the context class to build', async () => {
  expect(await spawn(EarlyTasks).early()).toBe('early');
});

test("a task module's own reflect-metadata wins, and keeps what was recorded before it loaded", async () => {
  const pool = new ThreadPool({ threads: 1, context: EarlyContext });
  try {
    expect(await pool.spawn(UserPolyfillTasks).report()).toEqual({ registry: true, early: ['EarlyContext'] });
    expect(await pool.spawn(UserPolyfillTasks).late()).toBe('late early');
  } finally {
    await pool.close();
  }
  expect(await spawn(UserPolyfillTasks).late()).toBe('late early');
});
