'use strict';
// Task module of `bench/ab-spawn.cjs` for build A: loads the task entry (dist/task, a user's
// `asyncthreadpool/task`, as bench/tasks.cjs does) of the build named by ASYNCTHREADPOOL_AB_A (a
// checkout's root, built), so that a temporary thread loads what it loads in benchmark (d).
/** @type {typeof import('../../src/task')} a built task entry, typed from this checkout's sources */
const lib = require(require('node:path').join(process.env.ASYNCTHREADPOOL_AB_A ?? '', 'dist', 'task'));

class AbSpawnTasksA {
  /**
   * @param {number} a
   * @param {number} b
   * @returns {number}
   */
  static add(a, b) {
    return a + b;
  }
}

lib.task(AbSpawnTasksA, 'add', /** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(AbSpawnTasksA, 'add')));

module.exports = { Tasks: AbSpawnTasksA };
