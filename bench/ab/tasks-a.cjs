'use strict';
// Task module of `bench/ab-throughput.cjs` for build A: loads the build named by
// ASYNCTHREADPOOL_AB_A (a checkout's root, built), in the main process and in its pool's threads.
/** @type {typeof import('../../src')} a built library (dist/), typed from this checkout's sources */
const lib = require(require('node:path').join(process.env.ASYNCTHREADPOOL_AB_A ?? '', 'dist'));

class AbTasksA {
  /**
   * @param {number} a
   * @param {number} b
   * @returns {number}
   */
  static add(a, b) {
    return a + b;
  }
}

lib.task(AbTasksA, 'add', /** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(AbTasksA, 'add')));

module.exports = { Tasks: AbTasksA };
