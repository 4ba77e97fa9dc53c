import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Library from '../src';
import type * as Fixture from './fixtures/code-cache-tasks.cjs';
import { copyPackageForEachTest, runCopyWithOutput, type PackageCopy } from './helpers-code-cache';

/**
 * The main side reads the thread bundle and its code cache for the threads it starts
 * (src/main/thread-start.ts), and saves the main side's own cache after a first result; neither
 * throws at a call site nor crashes the process where the install changed under it: a bundle that
 * cannot be read leaves each thread to try itself (and the call to fail as a thread's does), a
 * cache writer that cannot be loaded leaves no cache (`unsaved`).
 */
let copy: PackageCopy;
copyPackageForEachTest((made) => (copy = made));

test('a thread bundle that cannot be read rejects the call with ERR_WORKER_EXITED; spawn() does not throw', async () => {
  // Not a file: reading it fails, for root too.
  fs.rmSync(copy.bundle);
  fs.mkdirSync(copy.bundle);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the copy's build
  const lib = require(path.join(copy.dir, 'dist', 'index.js')) as typeof Library;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the copy's task module
  const { CodeCacheTasks } = require(path.join(copy.dir, 'fixtures', 'code-cache-tasks.cjs')) as typeof Fixture;
  let call: Promise<unknown> | undefined;
  expect(() => {
    call = lib.spawn(CodeCacheTasks).report();
  }).not.toThrow();
  await expect(call).rejects.toMatchObject({ code: 'ERR_WORKER_EXITED' });
});

test('a cache writer that cannot be loaded leaves no cache, and fails neither the call nor the process', async () => {
  fs.writeFileSync(path.join(copy.dir, 'dist', 'shared', 'code-cache.cjs'), "throw new Error('not loadable');\n");
  // The child exits with 0, or this rejects.
  const { printed } = await runCopyWithOutput(copy, 'main');
  const { thread, afterFirstResult } = printed as { thread: string; afterFirstResult: string };
  expect({ thread, afterFirstResult }).toEqual({ thread: 'absent', afterFirstResult: 'unsaved' });
  expect(fs.existsSync(copy.cacheFile)).toBe(false);
  expect(fs.existsSync(copy.mainCacheFile)).toBe(false);
});
