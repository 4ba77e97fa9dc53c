import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyPackage, type PackageCopy, type Report, runCopy, temporaryFiles } from './helpers-code-cache';

/**
 * Threads of several processes that start without a cache all save one, at once: each writes a
 * temporary file of its own and renames it over the cache, so a thread reading meanwhile finds no
 * cache or a whole one, never part of one, and the last rename leaves a whole file.
 */
let copy: PackageCopy;
beforeAll(() => {
  copy = copyPackage();
});
afterAll(() => {
  copy.remove();
});

test('processes and threads racing to save the cache leave one whole cache and no temporary file', async () => {
  const runs = await Promise.all(Array.from({ length: 4 }, () => runCopy<{ first: Report[]; second: Report[] }>(copy, 'pool', {}, 2)));
  const first = new Set(runs.flatMap((run) => run.first.map((r) => r.state)));
  const second = new Set(runs.flatMap((run) => run.second.map((r) => r.state)));
  // What each thread found: none yet, or one a faster thread saved; never a damaged one.
  expect([...first].filter((state) => state !== 'absent' && state !== 'accepted')).toEqual([]);
  expect([...second].filter((state) => state !== 'written' && state !== 'accepted')).toEqual([]);
  expect(second.has('written')).toBe(true);
  expect(temporaryFiles(copy)).toEqual([]);
  expect(fs.statSync(copy.cacheFile).isFile()).toBe(true);
  expect((await runCopy(copy, 'spawn')).map((r) => r.state)).toEqual(['accepted']);
});

test('a save replaces the cache file whole, never writes into it: a reader of the old file reads it unchanged', async () => {
  const other = copyPackage();
  try {
    // A stale cache, and a second name for that file, as a thread that opened it holds it.
    const stale = Buffer.from('asyncthreadpool code cache 2 0 0 1\nxx');
    fs.writeFileSync(other.cacheFile, stale);
    const held = path.join(other.dir, 'held.cache');
    fs.linkSync(other.cacheFile, held);
    const run = await runCopy<{ first: Report[]; second: Report[] }>(other, 'pool');
    expect(run.second.map((r) => r.state)).toEqual(['written']);
    expect(fs.statSync(other.cacheFile).ino).not.toBe(fs.statSync(held).ino);
    expect(fs.readFileSync(held)).toEqual(stale);
  } finally {
    other.remove();
  }
});
