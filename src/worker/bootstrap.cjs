// @ts-check
'use strict';
/**
 * The file every asyncthreadpool thread starts from (Piscina's `filename`, and the temporary
 * thread of a pool-less `spawn`). The main side says in `workerData.start` how to load the worker
 * side (src/main/thread-start.ts): from a build, the bundle `thread.js` (the worker side in one
 * file, by scripts/bundle.cjs), with the source and V8 code cache the main side read and checked
 * once for all its threads: a fresh thread reads no file of the library, and deserializes the
 * compiled bundle instead of parsing and compiling it (src/shared/code-cache.cjs; a pool's thread
 * given no cache looks for one a thread saved since the pool was made); or a file to
 * require: `entry.js` (a build by tsc alone), or `entry.ts` after the TypeScript hook (the library
 * itself running under ts-jest, ts-node or tsx). A thread started otherwise (not by the library)
 * works the same out from the files next to this one. Plain JavaScript because it runs before any
 * TypeScript can; small because every thread compiles it from source.
 */
const { runBundle, requireOff, codeCacheOff } = require('../shared/run-bundle.cjs');
/** @type {unknown} */
const workerData = require('node:worker_threads').workerData;

/** @typedef {import('../shared/protocol').ThreadStart} ThreadStart */
/** This file's module, as the bundle's parent. */
const self = /** @type {NodeJS.Module} */ (/** @type {unknown} */ (module));

/** @type {ThreadStart | undefined} */
const sent = typeof workerData === 'object' && workerData !== null ? /** @type {{ start?: ThreadStart }} */ (workerData).start : undefined;
// Out of `workerData` before any task module loads: the same object for them.
if (sent !== undefined) Reflect.deleteProperty(/** @type {object} */ (workerData), 'start');
// Only for this folder: where the main side names it by another path (a symbolic link it did not
// follow, as under `--preserve-symlinks`), a task module would load a second copy of the task entry.
const given = sent !== undefined && require('node:path').dirname(sent.file) === __dirname ? sent : undefined;

/**
 * @param {ThreadStart} start
 * @returns {unknown}
 */
function load(start) {
  if (start.kind === 'file') {
    if (start.hook) /** @type {{ install(): void }} */ (require('../shared/ts-hook.cjs')).install();
    return require(start.file);
  }
  // The cache can be off here and not in the main thread: a pool's `env`, say.
  if (start.kind === 'off' || codeCacheOff(self)) return requireOff(start.file, require);
  // A pool's thread given no cache: a thread may have saved one since the pool was made.
  const read = start.recheck === true ? /** @type {typeof import('../shared/code-cache.cjs')} */ (require('../shared/code-cache.cjs')).readBundle(start.file) : undefined;
  return runBundle(read ?? start, self, require);
}

/** @returns {unknown} */
function loadFromFiles() {
  /** @type {typeof import('../shared/code-cache.cjs')} */
  const files = require('../shared/code-cache.cjs');
  const side = files.workerSide(__dirname);
  return side.kind === 'file' ? load(side) : files.loadBundle(side.file, self, require);
}

module.exports = given === undefined ? loadFromFiles() : load(given);
