// @ts-check
'use strict';
/**
 * A bundle of scripts/bundle.cjs (a thread's dist/worker/thread.js, the main side's
 * dist/index.bundle.js) and its V8 code cache on disk: read and checked (`readBundle`), for the
 * package index as it loads (`loadBundle`) and for the threads the main side starts (it hands each
 * the bundle in `workerData`: src/main/thread-start.ts), and saved (`saveCodeCache`). With the cache,
 * a fresh thread or process deserializes the compiled bundle instead of parsing and compiling it,
 * and skips compiling again each function its start and first call run. Plain JavaScript, for the
 * package index's first statement, which runs before any bundle; loads only Node built-ins, and
 * run-bundle.cjs, which compiles and runs a bundle once read.
 */
const { Buffer } = require('node:buffer');
const fs = require('node:fs');
const path = require('node:path');
const { runBundle, requireOff, codeCacheOff, codeCacheSwitchedOff, CODE_CACHE } = require('./run-bundle.cjs');

/**
 * The first line of a cache file: the format, the bundle's content hash and length, then the path
 * of the bundle it was made for (URI-encoded: ASCII, no spaces) and the length of V8's data, which
 * follows twice. V8 checks that a code cache is of its own version and
 * flags and of a source of the same length, but (in release builds) keeps no checksum of the data,
 * and aborts the whole process on data it cannot read; a checksum costs milliseconds in a fresh
 * thread (`node:crypto` alone takes longer to load than the cache saves), comparing two copies a
 * `memcmp`. So a file torn, truncated or damaged on disk is never given to V8.
 */
const cacheHeader = (/** @type {string} */ hash, /** @type {number} */ length) => `asyncthreadpool code cache 3 ${hash} ${String(length)} `;

/** The content hash scripts/bundle.cjs writes into the bundle's second line. */
const BUNDLE_HASH = /^\/\/ asyncthreadpool bundle ([0-9a-f]+)$/m;

/**
 * V8's data in a cache file read for the build whose header is `header`, and the path of the
 * bundle it was made for (as written: URI-encoded).
 * @param {Buffer | undefined} file
 * @param {string} header
 * @returns {{ state: 'absent' | 'stale' | 'corrupt', data?: undefined } | { state: 'found', data: Buffer, madeFor: string }}
 */
function cachedDataIn(file, header) {
  if (file === undefined) return { state: 'absent' };
  if (file.subarray(0, header.length).toString('latin1') !== header) return { state: 'stale' };
  const end = file.indexOf(10, header.length);
  const rest = file.subarray(header.length, end).toString('latin1');
  const space = rest.lastIndexOf(' ');
  const length = Number(rest.slice(space + 1));
  const start = end + 1;
  if (end === -1 || space <= 0 || !Number.isSafeInteger(length) || length <= 0 || file.length !== start + 2 * length) return { state: 'corrupt' };
  const data = file.subarray(start, start + length);
  return data.equals(file.subarray(start + length)) ? { state: 'found', data, madeFor: rest.slice(0, space) } : { state: 'corrupt' };
}

/**
 * Writes `parts` to `file` through a temporary file renamed over it: a thread or process reading
 * meanwhile sees the old file or the new one, never part of one; of two writing at once, the last
 * rename wins, and both files are whole. The temporary file is made first, before `parts()` runs
 * (V8's serialization): where the folder cannot be written, that is all it costs. Never throws.
 * @param {string} file
 * @param {() => Uint8Array[]} parts
 * @returns {boolean} whether it was written
 */
function writeAtomically(file, parts) {
  const temporary = `${file}.${String(process.pid)}-${String(require('node:worker_threads').threadId)}-${Math.random().toString(36).slice(2)}.tmp`;
  let fd;
  try {
    fd = fs.openSync(temporary, 'wx');
  } catch {
    return false;
  }
  try {
    for (const part of parts()) fs.writeSync(fd, part);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temporary, file);
    return true;
  } catch {
    try {
      if (fd !== undefined) fs.closeSync(fd);
      fs.rmSync(temporary, { force: true });
    } catch {
      // Left behind (the folder changed under this thread): `.tmp` files are never read.
    }
    return false;
  }
}

/**
 * The bundle `file` and its V8 code cache, kept next to it as `<bundle>.<node version>-<arch>.cache`,
 * keyed on the bundle's content hash (written into the bundle by the build) and length, so that a
 * cache of another build is never used (see {@link cacheHeader} for the format), and on its path:
 * V8 keeps the file name a cache was made with, so stack traces would name that file, and the
 * decorators, which tell a task module from the library by its frames' files, would take the bundle
 * for the task module; a cache made for this build at another path (an install copied or moved with
 * its cache) is `moved` (run-bundle.cjs compiles the bundle again without it: `stale`), and
 * replaced after the first call. Caches are never published
 * (`package.json` `files`): an install makes its own, as it first runs. Undefined where the bundle
 * has no content hash (not a bundle of this build).
 * @param {string} file
 * @returns {import('./protocol').BundleStart | undefined}
 */
function readBundle(file) {
  const source = fs.readFileSync(file, 'utf8');
  const hash = BUNDLE_HASH.exec(source.slice(0, 512))?.[1];
  if (hash === undefined) return undefined;
  const cacheFile = cacheFileOf(file);
  const header = cacheHeader(hash, source.length);
  /** @type {Buffer | undefined} */
  let found;
  try {
    found = fs.readFileSync(cacheFile);
  } catch {
    // None yet (or not a file).
  }
  const cached = cachedDataIn(found, header);
  const here = `${header}${encodeURIComponent(file)} `;
  if (cached.state !== 'found') return { kind: 'bundle', file, source, cachedData: undefined, found: cached.state, cacheFile, header: here };
  return { kind: 'bundle', file, source, cachedData: cached.data, found: cached.madeFor === encodeURIComponent(file) ? 'found' : 'moved', cacheFile, header: here };
}

/**
 * The code cache file of the bundle `file`, for this Node version and architecture.
 * @param {string} file
 * @returns {string}
 */
function cacheFileOf(file) {
  return `${file}.${process.version}-${process.arch}.cache`;
}

/**
 * Loads the bundle `file` as Node's CommonJS loader would, as a child of `parent`, a module of the
 * bundle's own folder whose `require` is `parentRequire`, compiled with its V8 code cache where
 * there is one (see {@link readBundle} and run-bundle.cjs `runBundle`); by plain `require` where
 * the cache is off (run-bundle.cjs `codeCacheOff`). Where the bundle was compiled from source, its
 * code cache is saved by {@link saveCodeCache}, once the program has run what the cache should hold
 * (a thread's first call, the main thread's first result).
 * @param {string} file
 * @param {NodeJS.Module} parent
 * @param {NodeJS.Require} parentRequire
 * @returns {unknown}
 */
function loadBundle(file, parent, parentRequire) {
  const start = codeCacheOff(parent) ? undefined : readBundle(file);
  const exports = start === undefined ? requireOff(file, parentRequire) : runBundle(start, parent, parentRequire);
  // For the main side's thread starts (src/main/thread-start.ts): this copy, compiled already.
  const bundle = parentRequire.cache[file];
  if (bundle !== undefined) Reflect.set(bundle, LOADER, { readBundle, cacheFileOf, workerSide, codeCacheSwitchedOff });
  return exports;
}

/** Where {@link loadBundle} puts on the bundle's module the functions src/main/thread-start.ts uses. */
const LOADER = Symbol.for('asyncthreadpool.codeCacheLoader');

/**
 * Saves the code cache of a bundle compiled from source here: V8's data for the functions compiled
 * so far, twice, after the header. Called once, where a save is due (src/shared/bundle-code-cache.ts
 * decides, without loading this file). Never throws.
 * @param {import('./run-bundle.cjs').CodeCache} cache
 */
function saveCodeCache(cache) {
  const { script } = cache;
  if (script === undefined) return;
  const written = writeAtomically(cache.cacheFile, () => {
    const data = script.createCachedData();
    return [Buffer.from(`${cache.header}${String(data.length)}\n`, 'latin1'), data, data];
  });
  cache.state = written ? 'written' : 'unsaved';
}

/**
 * How a thread loads the worker side from `dir` (dist/worker, or src/worker): the bundle
 * (thread.js) if there is one of this build, else the entry tsc compiled (entry.js), else the
 * TypeScript entry (entry.ts), after the TypeScript hook: the library itself running under ts-jest,
 * ts-node or tsx. A bundle older than the entry is of an earlier build (tsc ran alone since): not used.
 * @param {string} dir
 * @returns {{ kind: 'bundle', file: string } | import('./protocol').FileStart}
 */
function workerSide(dir) {
  const bundled = path.join(dir, 'thread.js');
  const built = path.join(dir, 'entry.js');
  const entry = fs.statSync(built, { throwIfNoEntry: false });
  const bundle = fs.statSync(bundled, { throwIfNoEntry: false });
  if (bundle !== undefined && (entry === undefined || bundle.mtimeMs >= entry.mtimeMs)) return { kind: 'bundle', file: bundled };
  if (entry !== undefined) return { kind: 'file', file: built, hook: false };
  return { kind: 'file', file: path.join(dir, 'entry.ts'), hook: true };
}

/**
 * {@link loadBundle}, where `file` exists: the first statement of the built package index. The
 * TypeScript hook (src/shared/ts-hook.cjs) gives the library's own sources the code of a build made
 * from them, so that src/index.ts runs that statement too, where no bundle is beside it: then its
 * modules load one by one, from the sources.
 * @param {string} file
 * @param {NodeJS.Module} parent
 * @param {NodeJS.Require} parentRequire
 * @returns {unknown}
 */
function preloadBundle(file, parent, parentRequire) {
  return fs.existsSync(file) ? loadBundle(file, parent, parentRequire) : undefined;
}

module.exports = { loadBundle, preloadBundle, readBundle, cacheFileOf, saveCodeCache, workerSide, codeCacheSwitchedOff, CODE_CACHE };
