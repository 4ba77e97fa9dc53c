import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyPackage, type PackageCopy, type Report, runCopy, temporaryFiles } from './helpers-code-cache';

/**
 * An install whose folder its users cannot write (a root-owned node_modules) gets no code cache:
 * its threads compile the bundle from source, answer every call, and leave nothing behind.
 */
let copy: PackageCopy;
beforeEach(() => {
  copy = copyPackage();
});
afterEach(() => {
  copy.remove();
});

const NOBODY = 65534;

test('threads that cannot write the folder of their bundle answer, and write nothing', async () => {
  // As root (CI), the child runs as another user; otherwise the folder is made read-only.
  const asRoot = process.getuid?.() === 0;
  if (!asRoot) fs.chmodSync(path.dirname(copy.bundle), 0o555);
  const options = asRoot ? { uid: NOBODY } : {};
  const run = await runCopy<{ first: Report[]; second: Report[] }>(copy, 'pool', options, 2);
  expect(run.first.map((r) => r.state)).toEqual(['absent', 'absent']);
  expect(run.second.map((r) => r.state)).toEqual(['unsaved', 'unsaved']);
  expect((await runCopy(copy, 'spawn', options)).map((r) => r.state)).toEqual(['absent']);
  expect(fs.existsSync(copy.cacheFile)).toBe(false);
  expect(temporaryFiles(copy)).toEqual([]);
});

test('a cache that cannot be replaced (a folder in its place) is not read, and fails no call', async () => {
  fs.mkdirSync(copy.cacheFile);
  const run = await runCopy<{ first: Report[]; second: Report[] }>(copy, 'pool');
  expect(run.first.map((r) => r.state)).toEqual(['absent']);
  // V8's data was written to the temporary file, which the rename could not put in place.
  expect(run.second.map((r) => r.state)).toEqual(['unsaved']);
  expect((await runCopy(copy, 'spawn')).map((r) => r.state)).toEqual(['absent']);
  expect(fs.statSync(copy.cacheFile).isDirectory()).toBe(true);
  expect(temporaryFiles(copy)).toEqual([]);
});
