'use strict';
// Benchmark (d)'s baseline: a bare worker that receives one message, answers it and waits to be ended.
const { parentPort } = require('node:worker_threads');

parentPort?.once('message', (/** @type {[number, number]} */ [a, b]) => {
  parentPort?.postMessage(a + b);
});
