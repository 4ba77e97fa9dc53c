import * as fs from 'node:fs';
import { copyPackage, type PackageCopy, type Report, runCopy } from './helpers-code-cache';

/**
 * Node maps stack traces only for files its own loader compiled: under `--enable-source-maps` a
 * thread loads its bundle with a plain `require` (so its stacks name the TypeScript sources), and
 * neither uses nor writes a code cache. `ASYNCTHREADPOOL_CODE_CACHE=0` turns the cache off too.
 */
let copy: PackageCopy;
beforeEach(() => {
  copy = copyPackage();
});
afterEach(() => {
  copy.remove();
});

interface Facts {
  stack: string[];
}

test('under --enable-source-maps a thread neither writes nor uses a cache, and its stacks name the sources', async () => {
  const run = await runCopy<{ first: Report[]; second: Report[] }>(copy, 'pool', { execArgv: ['--enable-source-maps'] });
  expect([...run.first, ...run.second].map((r) => r.state)).toEqual(['off', 'off']);
  expect(fs.existsSync(copy.cacheFile)).toBe(false);
  // With a cache there (written without source maps), still off.
  await runCopy(copy, 'spawn');
  expect(fs.existsSync(copy.cacheFile)).toBe(true);
  expect((await runCopy(copy, 'spawn', { execArgv: ['--enable-source-maps'] })).map((r) => r.state)).toEqual(['off']);
  const { stack } = await runCopy<Facts>(copy, 'facts', { execArgv: ['--enable-source-maps'] });
  expect(stack[0]).toMatch(/src[\\/]shared[\\/]manifest\.ts:\d+:\d+\)$/);
});

test('ASYNCTHREADPOOL_CODE_CACHE=0 turns it off: nothing written, nothing used', async () => {
  const env = { ASYNCTHREADPOOL_CODE_CACHE: '0' };
  const run = await runCopy<{ first: Report[]; second: Report[] }>(copy, 'pool', { env });
  expect([...run.first, ...run.second].map((r) => r.state)).toEqual(['off', 'off']);
  expect(fs.existsSync(copy.cacheFile)).toBe(false);
  await runCopy(copy, 'spawn');
  expect((await runCopy(copy, 'spawn', { env })).map((r) => r.state)).toEqual(['off']);
});
