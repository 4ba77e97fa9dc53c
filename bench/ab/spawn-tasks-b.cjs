'use strict';
// Task module of `bench/ab-spawn.cjs` for build B: loads the task entry (dist/task, a user's
// `asyncthreadpool/task`, as bench/tasks.cjs does) of the build named by ASYNCTHREADPOOL_AB_B (a
// checkout's root, built), so that a temporary thread loads what it loads in benchmark (d).
/** @type {typeof import('../../src/task')} a built task entry, typed from this checkout's sources */
const lib = require(require('node:path').join(process.env.ASYNCTHREADPOOL_AB_B ?? '', 'dist', 'task'));

class AbSpawnTasksB {
  /**
   * @param {number} a
   * @param {number} b
   * @returns {number}
   */
  static add(a, b) {
    return a + b;
  }
}

lib.task(AbSpawnTasksB, 'add', /** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(AbSpawnTasksB, 'add')));

module.exports = { Tasks: AbSpawnTasksB };
