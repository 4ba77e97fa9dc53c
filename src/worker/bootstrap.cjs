// @ts-check
'use strict';
/**
 * The file every asyncthreadpool thread starts from (Piscina's `filename`, and the temporary
 * thread of a pool-less `spawn`). From a build it loads `thread.js` (the worker side bundled into
 * one file by scripts/bundle.cjs), or `entry.js` (a build by tsc alone); from the TypeScript sources
 * (the library itself running under ts-jest, ts-node or tsx) it first installs the TypeScript hook,
 * then loads `entry.ts`. Plain JavaScript because it runs before any TypeScript can.
 *
 * The bundle is compiled with a V8 code cache when there is one for it (see
 * src/shared/code-cache.cjs): a fresh thread then deserializes the compiled bundle instead of
 * parsing and compiling it, and skips compiling again each function the thread's start and first
 * call run; the thread saves one after its first call (src/worker/entry.ts) where it found none.
 */
const { loadBundle } = require('../shared/code-cache.cjs');
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

const file = start();
module.exports = /** @type {unknown} */ (file === bundled ? loadBundle(file, /** @type {NodeJS.Module} */ (/** @type {unknown} */ (module)), require) : require(file));
