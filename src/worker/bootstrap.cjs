// @ts-check
'use strict';
/**
 * The file every asyncthreadpool thread starts from (Piscina's `filename`, and the temporary
 * thread of a pool-less `spawn`). From a build it loads `entry.js`; from the TypeScript sources
 * (the library itself running under ts-jest, ts-node or tsx) it first installs the TypeScript hook,
 * then loads `entry.ts`. Plain JavaScript because it runs before any TypeScript can.
 */
const fs = require('node:fs');
const path = require('node:path');

const built = path.join(__dirname, 'entry.js');
if (!fs.existsSync(built)) {
  /** @type {{ install(): void }} */ (require('../shared/ts-hook.cjs')).install();
}
module.exports = /** @type {unknown} */ (require(fs.existsSync(built) ? built : path.join(__dirname, 'entry.ts')));
