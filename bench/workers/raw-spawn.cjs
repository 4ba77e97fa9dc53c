'use strict';
// Benchmark (d)'s baseline, shared by bench/measure.cjs and bench/ab-spawn.cjs.
const path = require('node:path');
const { Worker } = require('node:worker_threads');

const RAW_ADD = path.join(__dirname, 'raw-add.cjs');

/**
 * One bare worker (raw-add.cjs): started, sent the arguments, answers, is terminated; settles once
 * it has exited (as asyncthreadpool's pool-less spawn does).
 * @param {number} a
 * @param {number} b
 * @returns {Promise<number>}
 */
function rawWorkerAdd(a, b) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(RAW_ADD);
    /** @type {number | undefined} */
    let result;
    worker.once('message', (/** @type {number} */ value) => {
      result = value;
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', () => {
      if (result === undefined) reject(new Error('raw worker exited without a result'));
      else resolve(result);
    });
    worker.postMessage([a, b]);
  });
}

module.exports = { rawWorkerAdd };
