import * as fs from 'node:fs';
import { copyPackageForEachTest, type PackageCopy, type Report, runCopy, temporaryFiles } from './helpers-code-cache';

/**
 * A thread of the build compiles its bundle (dist/worker/thread.js) with a V8 code cache kept next
 * to it (src/worker/bootstrap.cjs). Where there is none yet, the thread compiles from source and
 * saves one after its first call; a thread of a later process then compiles from that cache. The
 * state each thread reports is the one on the bundle's module in its `require.cache`.
 */
let copy: PackageCopy;
copyPackageForEachTest((made) => (copy = made));

test('a pool-less spawn without a cache saves one, and the next process uses it', async () => {
  expect(fs.existsSync(copy.cacheFile)).toBe(false);
  expect((await runCopy(copy, 'spawn')).map((r) => r.state)).toEqual(['absent']);
  // Saved before the answer: the main thread ends a temporary thread on it.
  expect(fs.statSync(copy.cacheFile).size).toBeGreaterThan(0);
  expect((await runCopy(copy, 'spawn')).map((r) => r.state)).toEqual(['accepted']);
  expect(temporaryFiles(copy)).toEqual([]);
});

test('a pool thread saves one after its first call, and the threads of the next pool use it', async () => {
  const first = await runCopy<{ first: Report[]; second: Report[] }>(copy, 'pool');
  expect(first.first.map((r) => r.state)).toEqual(['absent']);
  expect(first.second.map((r) => r.state)).toEqual(['written']);
  const next = await runCopy<{ first: Report[]; second: Report[] }>(copy, 'pool', {}, 2);
  expect([...next.first, ...next.second].map((r) => r.state)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
  expect(temporaryFiles(copy)).toEqual([]);
});
