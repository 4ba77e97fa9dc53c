import * as fs from 'node:fs';
import { copyPackage, copyPackageForEachTest, type PackageCopy, runCopy } from './helpers-code-cache';

/**
 * The main side loads as one bundle too (dist/index.bundle.js, which dist/index.js loads first),
 * compiled with a V8 code cache kept next to it, as a thread's bundle is (src/shared/code-cache.cjs):
 * a process that found none saves one after its first result, and the next process compiles from
 * it. A cache made for the bundle at another path (an install moved with its cache), or damaged, is
 * not used and is replaced; none is used under `--enable-source-maps` or its switch. Whichever way
 * the index loaded, it exports the same, and the task entry's error class is the index's.
 */
interface MainFacts {
  loaded: string;
  afterFirstResult: string;
  thread: string;
  sameErrorClass: boolean;
  exports: string[];
}

let copy: PackageCopy;
copyPackageForEachTest((made) => (copy = made));

test('a first process saves the cache after its first result, and the next one compiles from it', async () => {
  const first = await runCopy<MainFacts>(copy, 'main');
  expect(first).toMatchObject({ loaded: 'absent', afterFirstResult: 'written', sameErrorClass: true });
  expect(fs.statSync(copy.mainCacheFile).size).toBeGreaterThan(0);
  const second = await runCopy<MainFacts>(copy, 'main');
  expect(second).toMatchObject({ loaded: 'accepted', afterFirstResult: 'accepted', sameErrorClass: true });
  // The thread's own cache is a separate file, made by the first thread.
  expect(second.thread).toBe('accepted');
  const off = await runCopy<MainFacts>(copy, 'main', { env: { ASYNCTHREADPOOL_CODE_CACHE: '0' } });
  expect(off).toMatchObject({ loaded: 'off', afterFirstResult: 'off', sameErrorClass: true });
  expect(second.exports).toEqual(off.exports);
  expect(first.exports).toEqual(off.exports);
  expect(off.exports).toEqual(expect.arrayContaining(['ThreadPool', 'spawn', 'task', 'AsyncThreadPoolError']));
});

test('none is used or made under --enable-source-maps', async () => {
  const run = await runCopy<MainFacts>(copy, 'main', { execArgv: ['--enable-source-maps'] });
  expect(run).toMatchObject({ loaded: 'off', afterFirstResult: 'off', sameErrorClass: true });
  expect(fs.existsSync(copy.mainCacheFile)).toBe(false);
});

test('a cache made at another path, or damaged, is not used, and is replaced', async () => {
  const other = copyPackage();
  try {
    await runCopy<MainFacts>(other, 'main');
    fs.copyFileSync(other.mainCacheFile, copy.mainCacheFile);
  } finally {
    other.remove();
  }
  // The task module's tasks are found: the decorators read the bundle's frames at its own path.
  expect(await runCopy<MainFacts>(copy, 'main')).toMatchObject({ loaded: 'stale', afterFirstResult: 'written' });
  expect(await runCopy<MainFacts>(copy, 'main')).toMatchObject({ loaded: 'accepted' });
  const whole = fs.readFileSync(copy.mainCacheFile);
  fs.writeFileSync(copy.mainCacheFile, whole.subarray(0, whole.length - 1));
  expect(await runCopy<MainFacts>(copy, 'main')).toMatchObject({ loaded: 'corrupt', afterFirstResult: 'written' });
  expect(await runCopy<MainFacts>(copy, 'main')).toMatchObject({ loaded: 'accepted' });
});
