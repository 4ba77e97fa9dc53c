// @ts-check
'use strict';
/**
 * Loads a bundle of scripts/bundle.cjs (a thread's dist/worker/thread.js, the main side's
 * dist/index.bundle.js) compiled with a V8 code cache when there is one for it (see `loadBundle`):
 * a fresh thread or process then deserializes the compiled bundle instead of parsing and compiling
 * it, and skips compiling again each function its start and first call run. Plain JavaScript, for
 * src/worker/bootstrap.cjs, which runs before any TypeScript can; loads only Node built-ins.
 */
const { Buffer } = require('node:buffer');
const fs = require('node:fs');
const path = require('node:path');

/**
 * Where the bundle's module object (in `require.cache`) holds its {@link CodeCache}: a thread's
 * entry (src/worker/entry.ts) reads it there to save the cache after the thread's first call, the
 * main side (src/main/code-cache.ts) after its first result, and a test, to see its state.
 */
const CODE_CACHE = Symbol.for('asyncthreadpool.codeCache');

/**
 * What became of the bundle's code cache in this thread or process: `accepted` (compiled from it), `absent`
 * (none for this Node version and architecture yet), `stale` (one of another build of the bundle,
 * or of this build at another path), `corrupt` (of this build, but its two copies of V8's data
 * differ, or its length is wrong), `rejected` (V8 refused it: another V8 build or other V8 flags), `off` (not used: see
 * `loadBundle`); then after the first call, where it was neither `accepted` nor `off`: `written`
 * (saved here) or `unsaved` (saving failed, such as in a read-only install).
 * @typedef {'accepted' | 'absent' | 'stale' | 'corrupt' | 'rejected' | 'off' | 'written' | 'unsaved'} CodeCacheState
 */
/**
 * @typedef {object} CodeCache
 * @property {CodeCacheState} state
 * @property {() => void} save saves the cache where the bundle was compiled from source (once; never throws)
 */

/** A module object of Node's CommonJS loader, with the members set here. */
/** @typedef {NodeJS.Module & { [CODE_CACHE]?: CodeCache }} LoaderModule */
/**
 * Node's `Module` class, as the constructor of a bundle's parent module: `_nodeModulePaths` is
 * there only when the parent was loaded by Node's own loader (not, say, by jest's).
 * @typedef {{ new (id: string, parent?: NodeJS.Module): LoaderModule, _nodeModulePaths?: unknown }} LoaderClass
 */

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
 * Loads the bundle `file` as Node's CommonJS loader would (its own module in `require.cache`, the
 * same `require`, `module`, `__filename` and `__dirname`, the same line numbers), as a child of
 * `parent`, a module of the bundle's own folder whose `require` is `parentRequire`; but compiled
 * through `vm.Script` with the V8 code cache kept next to it: `<bundle>.<node version>-<arch>.cache`,
 * keyed on the bundle's content hash (written into the bundle by the build) and length, so that a
 * cache of another build is never used (see {@link cacheHeader} for the format). Where the bundle
 * was compiled from source, its {@link CodeCache}'s `save` writes one, once the program has run what
 * the cache should hold (a thread's first call, the main thread's first result). Caches are never
 * published (`package.json` `files`): an install makes its own, as it first runs.
 *
 * Not used (plain `require`, state `off`) where source maps are enabled (`--enable-source-maps`:
 * Node maps stack traces only for files its loader compiled), where `parent` is not a module of
 * Node's loader (such as jest's), or with `ASYNCTHREADPOOL_CODE_CACHE=0` in the environment. A
 * bundle has no loader for `import()` of its own: the worker side imports through import.cjs.
 * @param {string} file
 * @param {NodeJS.Module} parent
 * @param {NodeJS.Require} parentRequire
 * @returns {unknown}
 */
function loadBundle(file, parent, parentRequire) {
  const Module = /** @type {LoaderClass} */ (parent.constructor);
  // `process.sourceMapsEnabled` is Node 20.7's.
  const sourceMaps = /** @type {Partial<Pick<NodeJS.Process, 'sourceMapsEnabled'>>} */ (process).sourceMapsEnabled ?? process.execArgv.includes('--enable-source-maps');
  if (sourceMaps || process.env.ASYNCTHREADPOOL_CODE_CACHE === '0' || typeof Module._nodeModulePaths !== 'function') return requireOff(file, parentRequire);
  const source = fs.readFileSync(file, 'utf8');
  const hash = BUNDLE_HASH.exec(source.slice(0, 512))?.[1];
  if (hash === undefined) return requireOff(file, parentRequire);
  const vm = require('node:vm');
  const cacheFile = `${file}.${process.version}-${process.arch}.cache`;
  const header = cacheHeader(hash, source.length);
  /** @type {Buffer | undefined} */
  let found;
  try {
    found = fs.readFileSync(cacheFile);
  } catch {
    // None yet (or not a file).
  }
  const cached = cachedDataIn(found, header);
  const here = encodeURIComponent(file);
  // Node's own wrapper, on the first line: the bundle's lines keep their numbers.
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source}\n});`;
  let script = new vm.Script(wrapped, { filename: file, cachedData: cached.data });
  /** @type {CodeCacheState} */
  let state = cached.state !== 'found' ? cached.state : script.cachedDataRejected === true ? 'rejected' : 'accepted';
  if (state === 'accepted' && cached.state === 'found' && cached.madeFor !== here) {
    // Made for this build at another path (an install copied or moved with its cache): V8 keeps the
    // file name the cache was made with, so stack traces would name that file, and the decorators,
    // which tell a task module from the library by its frames' files, would take the bundle for the
    // task module. Compiled again from source, with this path; the cache is replaced after the first call.
    state = 'stale';
    script = new vm.Script(wrapped, { filename: file });
  }
  /** @type {CodeCache} */
  const cache = {
    get state() {
      return state;
    },
    save() {
      if (state === 'accepted' || state === 'off' || state === 'written' || state === 'unsaved') return;
      const written = writeAtomically(cacheFile, () => {
        const data = script.createCachedData();
        return [Buffer.from(`${header}${here} ${String(data.length)}\n`, 'latin1'), data, data];
      });
      state = written ? 'written' : 'unsaved';
    },
  };
  const bundle = new Module(file, parent);
  bundle.filename = file;
  // The same folder as its parent: the same package search paths.
  bundle.paths = parent.paths;
  bundle[CODE_CACHE] = cache;
  parentRequire.cache[file] = bundle;
  try {
    const wrapper = /** @type {(this: unknown, ...args: unknown[]) => void} */ (script.runInThisContext());
    wrapper.call(bundle.exports, bundle.exports, requireOf(bundle, parentRequire), bundle, file, path.dirname(file));
  } catch (error) {
    Reflect.deleteProperty(parentRequire.cache, file);
    throw error;
  }
  bundle.loaded = true;
  return bundle.exports;
}

/**
 * The `require` a module of Node's loader gets, for `bundle`: it loads through the bundle's module
 * (its children, its parent) and resolves from its parent's folder, which is the bundle's own.
 * @param {LoaderModule} bundle
 * @param {NodeJS.Require} parentRequire
 * @returns {NodeJS.Require}
 */
function requireOf(bundle, parentRequire) {
  const local = (/** @type {string} */ id) => /** @type {unknown} */ (bundle.require(id));
  // Every property of the parent's `require` (resolve, main, cache, extensions), as Node's loader gives each module.
  return Object.assign(local, parentRequire);
}

/** @param {string} file @param {NodeJS.Require} parentRequire */
function requireOff(file, parentRequire) {
  const exports = /** @type {unknown} */ (parentRequire(file));
  const bundle = /** @type {LoaderModule | undefined} */ (parentRequire.cache[file]);
  if (bundle !== undefined) bundle[CODE_CACHE] = { state: 'off', save: () => undefined };
  return exports;
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

module.exports = { loadBundle, preloadBundle, CODE_CACHE };
