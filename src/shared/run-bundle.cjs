// @ts-check
'use strict';
/**
 * Compiles and runs a bundle of scripts/bundle.cjs (a thread's dist/worker/thread.js, the main
 * side's dist/index.bundle.js) from its source and V8 code cache, already read and checked
 * (src/shared/code-cache.cjs reads them from disk: for the package index in its own process, and
 * for threads on the main side, which hands them to each thread it starts in `workerData`). Kept
 * apart from the reading, checking and saving, so that a thread's start file holds only this: a
 * fresh thread compiles what it runs. Plain JavaScript: loads only Node built-ins.
 */

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
 * {@link codeCacheOff}); then after the first call, where it was neither `accepted` nor `off`: `written`
 * (saved here) or `unsaved` (saving failed, such as in a read-only install).
 * @typedef {'accepted' | 'absent' | 'stale' | 'corrupt' | 'rejected' | 'off' | 'written' | 'unsaved'} CodeCacheState
 */
/** @typedef {import('./protocol').BundleStart} BundleStart */
/**
 * The code cache of a bundle's module object: its state, and what src/shared/code-cache.cjs
 * `saveCodeCache` needs to save one (the compiled script, where the bundle was compiled here).
 * @typedef {object} CodeCache
 * @property {CodeCacheState} state
 * @property {{ createCachedData(): Buffer } | undefined} script
 * @property {string} cacheFile
 * @property {string} header
 */

/** A module object of Node's CommonJS loader, with the members set here. */
/** @typedef {NodeJS.Module & { [CODE_CACHE]?: CodeCache }} LoaderModule */
/**
 * Node's `Module` class, as the constructor of a bundle's parent module: `_nodeModulePaths` is
 * there only when the parent was loaded by Node's own loader (not, say, by jest's).
 * @typedef {{ new (id: string, parent?: NodeJS.Module): LoaderModule, _nodeModulePaths?: unknown }} LoaderClass
 */

/**
 * Whether the code cache is switched off in this thread or process: where source maps are enabled
 * (`--enable-source-maps`: Node maps stack traces only for files its loader compiled), or with
 * `ASYNCTHREADPOOL_CODE_CACHE=0` in the environment.
 * @returns {boolean}
 */
function codeCacheSwitchedOff() {
  // `process.sourceMapsEnabled` is Node 20.7's.
  const sourceMaps = /** @type {Partial<Pick<NodeJS.Process, 'sourceMapsEnabled'>>} */ (process).sourceMapsEnabled ?? process.execArgv.includes('--enable-source-maps');
  return sourceMaps || process.env.ASYNCTHREADPOOL_CODE_CACHE === '0';
}

/**
 * Whether a bundle is loaded by plain `require`, with no code cache (state `off`): where the cache
 * is switched off ({@link codeCacheSwitchedOff}), or where `parent` is not a module of Node's
 * loader (such as jest's).
 * @param {NodeJS.Module} parent
 * @returns {boolean}
 */
function codeCacheOff(parent) {
  return codeCacheSwitchedOff() || typeof (/** @type {LoaderClass} */ (parent.constructor))._nodeModulePaths !== 'function';
}

/**
 * Runs the bundle `start` as Node's CommonJS loader would (its own module in `require.cache`, the
 * same `require`, `module`, `__filename` and `__dirname`, the same line numbers), as a child of
 * `parent`, a module of the bundle's own folder whose `require` is `parentRequire`; but compiled
 * through `vm.Script`, with `start.cachedData` where there is some. Puts its {@link CodeCache} on
 * the bundle's module. A bundle has no loader for `import()` of its own: the worker side imports
 * through import.cjs.
 * @param {BundleStart} start
 * @param {NodeJS.Module} parent
 * @param {NodeJS.Require} parentRequire
 * @returns {unknown}
 */
function runBundle(start, parent, parentRequire) {
  const { file, cachedData } = start;
  const Module = /** @type {LoaderClass} */ (parent.constructor);
  // Node's own wrapper, on the first line: the bundle's lines keep their numbers.
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${start.source}\n});`;
  const { Script } = require('node:vm');
  let script = new Script(wrapped, { filename: file, cachedData });
  /** @type {CodeCacheState} */
  let state = cachedData === undefined ? (start.found === 'found' || start.found === 'moved' ? 'absent' : start.found) : script.cachedDataRejected === true ? 'rejected' : 'accepted';
  if (state === 'accepted' && start.found === 'moved') {
    // Made for this build at another path: V8 keeps the file name the cache was made with (see
    // code-cache.cjs `readBundle`). Compiled again from source, with this path.
    state = 'stale';
    script = new Script(wrapped, { filename: file });
  }
  /** @type {CodeCache} */
  const cache = {
    state,
    script,
    cacheFile: start.cacheFile,
    header: start.header,
  };
  const bundle = new Module(file, parent);
  bundle.filename = file;
  // The same folder as its parent: the same package search paths.
  bundle.paths = parent.paths;
  bundle[CODE_CACHE] = cache;
  parentRequire.cache[file] = bundle;
  try {
    const wrapper = /** @type {(this: unknown, ...args: unknown[]) => void} */ (script.runInThisContext());
    // The `require` a module of Node's loader gets: it loads through the bundle's module (its
    // children, its parent), resolves from its parent's folder, which is the bundle's own, and has
    // every property of the parent's `require` (resolve, main, cache, extensions).
    const local = Object.assign((/** @type {string} */ id) => /** @type {unknown} */ (bundle.require(id)), parentRequire);
    wrapper.call(bundle.exports, bundle.exports, local, bundle, file, require('node:path').dirname(file));
  } catch (error) {
    Reflect.deleteProperty(parentRequire.cache, file);
    throw error;
  }
  bundle.loaded = true;
  return bundle.exports;
}

/**
 * Loads the bundle `file` by plain `require`, its code cache `off` (see {@link codeCacheOff}).
 * @param {string} file
 * @param {NodeJS.Require} parentRequire
 * @returns {unknown}
 */
function requireOff(file, parentRequire) {
  const exports = /** @type {unknown} */ (parentRequire(file));
  const bundle = /** @type {LoaderModule | undefined} */ (parentRequire.cache[file]);
  if (bundle !== undefined) bundle[CODE_CACHE] = { state: 'off', script: undefined, cacheFile: '', header: '' };
  return exports;
}

module.exports = { runBundle, requireOff, codeCacheOff, codeCacheSwitchedOff, CODE_CACHE };
