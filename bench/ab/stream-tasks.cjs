'use strict';
// Task module of `bench/ab-stream.cjs`: the tasks of bench/stream-tasks.cjs (`rowsArray`,
// `rowsStream`), loaded against the build named by ASYNCTHREADPOOL_AB_ROOT (a checkout's root,
// built), in the measuring process and in its pool's thread, so that both builds run the same
// task code; and `threadCpuMs`, the CPU time the thread that runs it has used.
const fs = require('node:fs');
const path = require('node:path');

/** @type {typeof import('../../src/task')} */
const lib = require(path.join(process.env.ASYNCTHREADPOOL_AB_ROOT ?? '', 'dist', 'task'));

/**
 * @param {number} i
 * @param {boolean} numbers
 * @returns {{ id: number, name: string } | number}
 */
function item(i, numbers) {
  return numbers ? i : { id: i, name: `item ${i % 1000}` };
}

/** CPU time (ms) the calling thread has used (Linux: /proc/thread-self), or NaN. */
function threadCpuMs() {
  try {
    return Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}

class AbStreamTasks {
  /**
   * @param {number} n
   * @param {boolean} numbers
   */
  static rowsArray(n, numbers) {
    // Packed, as in bench/stream-tasks.cjs (a holey array clones as a sparse one, far slower).
    /** @type {({ id: number, name: string } | number)[]} */
    const rows = [];
    for (let i = 0; i < n; i++) rows.push(item(i, numbers));
    return rows;
  }

  /**
   * @param {number} n
   * @param {boolean} numbers
   */
  // eslint-disable-next-line @typescript-eslint/require-await -- it yields what it makes at once
  static async *rowsStream(n, numbers) {
    for (let i = 0; i < n; i++) yield item(i, numbers);
  }

  static threadCpuMs() {
    return threadCpuMs();
  }
}

for (const name of ['rowsArray', 'rowsStream', 'threadCpuMs']) {
  lib.task(AbStreamTasks, name, /** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(AbStreamTasks, name)));
}

module.exports = { AbStreamTasks, threadCpuMs };
