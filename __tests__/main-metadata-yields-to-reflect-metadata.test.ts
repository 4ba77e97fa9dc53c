import { ThreadPool } from '../src';
import { EarlyContext, EarlyTasks } from './fixtures/metadata-early';
import { UserPolyfillTasks } from './fixtures/metadata-user-polyfill';

/**
 * The package index no longer loads `reflect-metadata` on the main thread: the decorators record
 * `design:paramtypes` through the library's small metadata API (src/shared/metadata.ts). A program
 * that loads `reflect-metadata` itself, after the library, gets the real polyfill there too, with
 * what was recorded before it loaded still readable, and its pools check and build contexts as before.
 */
test("on the main thread, a program's own reflect-metadata wins and keeps what was recorded before it", async () => {
  // metadata-early.ts declared its task through the library's API; metadata-user-polyfill.ts then
  // imported reflect-metadata, which marks the Reflect it installed itself on.
  expect(Symbol.for('@reflect-metadata:registry') in Reflect).toBe(true);
  expect(Reflect.getMetadata('design:paramtypes', EarlyTasks, 'early')).toEqual([EarlyContext]);
  const pool = new ThreadPool({ threads: 1, context: EarlyContext });
  try {
    expect(await pool.spawn(EarlyTasks).early()).toBe('early');
    expect(await pool.spawn(UserPolyfillTasks).late()).toBe('late early');
  } finally {
    await pool.close();
  }
});
