import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyPackage, runCopy, type PackageCopy } from './helpers-code-cache';

/**
 * The main side reads the thread bundle (dist/worker/thread.js) and its V8 code cache once, checks
 * the cache, and hands both to every thread it starts in `workerData.start` (src/main/thread-start.ts),
 * the cache's data on one SharedArrayBuffer: a fresh thread reads no file of the library. It reads
 * them again only when the cache file changed, such as once a thread saved one.
 */
interface Start {
  kind: string;
  file: string;
  source?: string;
  cachedData?: Uint8Array;
  found?: string;
}

let copy: PackageCopy;
let threadStart: () => Start;

beforeEach(() => {
  copy = copyPackage();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the copy's build, as a process using that install runs it
  ({ threadStart } = require(path.join(copy.dir, 'dist', 'main', 'thread-start.js')) as { threadStart: () => Start });
});

afterEach(() => {
  delete process.env.ASYNCTHREADPOOL_CODE_CACHE;
  copy.remove();
});

test('without a cache file: the bundle, no data; once a thread saved one, its data, shared', async () => {
  const absent = threadStart();
  expect({ kind: absent.kind, file: absent.file, found: absent.found, data: absent.cachedData }).toEqual({ kind: 'bundle', file: copy.bundle, found: 'absent', data: undefined });
  expect(absent.source).toBe(fs.readFileSync(copy.bundle, 'utf8'));
  // A thread of another process, which found none, saves the cache after its first call.
  expect((await runCopy(copy, 'spawn')).map((r) => r.state)).toEqual(['absent']);
  expect(fs.existsSync(copy.cacheFile)).toBe(true);
  const found = threadStart();
  expect(found.found).toBe('found');
  expect(Object.prototype.toString.call(found.cachedData?.buffer)).toBe('[object SharedArrayBuffer]');
  // V8's data, as the file holds it twice after its header.
  const file = fs.readFileSync(copy.cacheFile);
  const length = found.cachedData?.length ?? 0;
  expect(Buffer.from(found.cachedData ?? []).equals(file.subarray(file.length - length))).toBe(true);
});

test('read once while the cache file stays as it is, read again once it is replaced', async () => {
  expect((await runCopy(copy, 'spawn')).map((r) => r.state)).toEqual(['absent']);
  const first = threadStart();
  expect(threadStart()).toBe(first);
  // Replaced whole (as a save does): damaged, so the next read finds it corrupt.
  const damaged = fs.readFileSync(copy.cacheFile);
  damaged[damaged.length - 10] = (damaged[damaged.length - 10] ?? 0) ^ 0xff;
  fs.writeFileSync(`${copy.cacheFile}.new`, damaged);
  fs.renameSync(`${copy.cacheFile}.new`, copy.cacheFile);
  const again = threadStart();
  expect(again).not.toBe(first);
  expect({ found: again.found, data: again.cachedData }).toEqual({ found: 'corrupt', data: undefined });
});

test('with the cache switched off, the bundle as it is, required by the thread', () => {
  process.env.ASYNCTHREADPOOL_CODE_CACHE = '0';
  expect(threadStart()).toEqual({ kind: 'off', file: copy.bundle });
});
