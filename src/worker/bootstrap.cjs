// @ts-check
'use strict';
/**
 * The file every asyncthreadpool thread starts from (Piscina's `filename`, and the temporary
 * thread of a pool-less `spawn`). From a build it loads `thread.js` (the worker side bundled into
 * one file by scripts/bundle.cjs), or `entry.js` (a build by tsc alone); from the TypeScript sources
 * (the library itself running under ts-jest, ts-node or tsx) it first installs the TypeScript hook,
 * then loads `entry.ts`. Plain JavaScript because it runs before any TypeScript can.
 *
 * The bundle is compiled with a V8 code cache when there is one for it (see `loadBundle`): a fresh
 * thread then deserializes the compiled bundle instead of parsing and compiling it, and skips
 * compiling again each function the thread's start and first call run.
 */
const fs = require('node:fs');
const path = require('node:path');

const bundled = path.join(__dirname, 'thread.js');
const built = path.join(__dirname, 'entry.js');
/** @returns {string} */
function start() {
  const entry = fs.statSync(built, { throwIfNoEntry: false });
  const bundle = fs.statSync(bundled, { throwIfNoEntry: false });
  // A bundle older than the entry is of an earlier build (tsc ran alone since): not used.
  if (bundle !== undefined && (entry === undefined || bundle.mtimeMs >= entry.mtimeMs)) return bundled;
  if (entry !== undefined) return built;
  /** @type {{ install(): void }} */ (require('../shared/ts-hook.cjs')).install();
  return path.join(__dirname, 'entry.ts');
}

/**
 * Where the bundle's module object (in `require.cache`) holds its {@link CodeCache}; the entry
 * reads it there to save the cache after the thread's first call.
 */
const CODE_CACHE = Symbol.for('asyncthreadpool.codeCache');

/**
 * What became of the bundle's code cache on this thread: `accepted` (compiled from it), `rejected`
 * (V8 refused it: another V8 build or other V8 flags; compiled from source), `absent` (none for this
 * Node version yet), `stale` (one of an earlier build), `off` (not used: see `loadBundle`), or
 * `written` (was absent or stale, and this thread saved one).
 * @typedef {'accepted' | 'rejected' | 'absent' | 'stale' | 'off' | 'written'} CodeCacheState
 */
/**
 * @typedef {object} CodeCache
 * @property {CodeCacheState} state
 * @property {() => void} save writes the cache if it was absent or stale (once; failures ignored: a read-only install stays without one)
 */

/** The first line of a cache file, before V8's data: the format, the bundle's content hash and length. */
const cacheHeader = (/** @type {string} */ hash, /** @type {number} */ length) => `asyncthreadpool code cache 1 ${hash} ${String(length)}\n`;

/** The content hash scripts/bundle.cjs writes into the bundle's second line. */
const BUNDLE_HASH = /^\/\/ asyncthreadpool bundle ([0-9a-f]+)$/m;

/**
 * Loads the bundle as Node's CommonJS loader would (its own module in `require.cache`, the same
 * `require`, `module`, `__filename` and `__dirname`, the same wrapper so the same line and column
 * numbers), but compiled through `vm.Script` with the V8 code cache saved next to it:
 * `thread.js.<node version>-<arch>.cache`, its first line the bundle's content hash (written into
 * the bundle by the build) and length, so that a cache of another build is never used. The first
 * thread that finds none (or a stale one) saves one after its first call, so that it holds the
 * functions a thread runs up to its first answer; `npm run build` makes one that way.
 *
 * Not used (plain `require`, state `off`) where source maps are enabled (`--enable-source-maps`:
 * Node maps stack traces only for files its loader compiled), where `vm` lacks the main context's
 * loader for `import()` (older Node 20), where this module is not one of Node's loader, or with
 * `ASYNCTHREADPOOL_CODE_CACHE=0` in the thread's environment.
 * @param {string} file
 * @returns {unknown}
 */
function loadBundle(file) {
  const Module = /** @type {any} */ (module.constructor);
  const sourceMaps = process.sourceMapsEnabled ?? process.execArgv.includes('--enable-source-maps');
  if (sourceMaps || process.env.ASYNCTHREADPOOL_CODE_CACHE === '0' || typeof Module._nodeModulePaths !== 'function') return requireOff(file);
  const vm = require('node:vm');
  const importModuleDynamically = vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  const source = fs.readFileSync(file, 'utf8');
  const hash = BUNDLE_HASH.exec(source.slice(0, 512))?.[1];
  if (importModuleDynamically === undefined || hash === undefined) return requireOff(file);
  const cacheFile = `${file}.${process.version}-${process.arch}.cache`;
  const header = cacheHeader(hash, source.length);
  /** @type {Buffer | undefined} */
  let data;
  try {
    data = fs.readFileSync(cacheFile);
  } catch {
    // None yet.
  }
  const cachedData = data?.subarray(0, header.length).toString('latin1') === header ? data.subarray(header.length) : undefined;
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n});`, {
    filename: file,
    cachedData,
    importModuleDynamically,
  });
  /** @type {CodeCacheState} */
  let state = cachedData === undefined ? (data === undefined ? 'absent' : 'stale') : script.cachedDataRejected === true ? 'rejected' : 'accepted';
  /** @type {CodeCache} */
  const cache = {
    get state() {
      return state;
    },
    save() {
      if (state !== 'absent' && state !== 'stale') return;
      const temporary = `${cacheFile}.${String(process.pid)}-${String(require('node:worker_threads').threadId)}.tmp`;
      try {
        fs.writeFileSync(temporary, Buffer.concat([Buffer.from(header, 'latin1'), script.createCachedData()]));
        // Atomic: a thread starting meanwhile reads the old file or the new one, never half of one.
        fs.renameSync(temporary, cacheFile);
        state = 'written';
      } catch {
        fs.rmSync(temporary, { force: true });
        // Saved once or never: a read-only install must not retry at every call.
        state = 'off';
      }
    },
  };
  const bundle = new Module(file, module);
  bundle.filename = file;
  // The same folder as this file: the same package search paths.
  bundle.paths = /** @type {{ paths: string[] }} */ (/** @type {unknown} */ (module)).paths;
  bundle[CODE_CACHE] = cache;
  /** @type {NodeJS.Require} */
  const local = Object.assign((/** @type {string} */ id) => /** @type {unknown} */ (bundle.require(id)), {
    // Resolves from this folder, as the bundle's own would.
    resolve: require.resolve,
    main: require.main,
    cache: require.cache,
    extensions: require.extensions,
  });
  require.cache[file] = bundle;
  try {
    /** @type {Function} */ (script.runInThisContext()).call(bundle.exports, bundle.exports, local, bundle, file, __dirname);
  } catch (error) {
    delete require.cache[file];
    throw error;
  }
  bundle.loaded = true;
  return bundle.exports;
}

/** @param {string} file */
function requireOff(file) {
  const exports = /** @type {unknown} */ (require(file));
  const bundle = require.cache[file];
  /** @type {CodeCache} */
  const cache = { state: 'off', save: () => undefined };
  if (bundle !== undefined) Object.defineProperty(bundle, CODE_CACHE, { value: cache });
  return exports;
}

const file = start();
module.exports = /** @type {unknown} */ (file === bundled ? loadBundle(file) : require(file));
