'use strict';
// `threadCpuMs` of tasks.ts for the compiled floor: the calling thread's CPU time so far, ms
// (/proc/thread-self/schedstat, Linux), else null.
const fs = require('node:fs');

/** @returns {number | null} */
function threadCpuMs() {
  try {
    return Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return null;
  }
}

module.exports = { threadCpuMs };
