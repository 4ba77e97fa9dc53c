'use strict';
// What a thread of this library loads before its first call, timed inside fresh workers:
// `node bench/worker-load.cjs` (after `npm run build`). Prints the median of 15 workers, in ms.
const path = require('node:path');
const { Worker } = require('node:worker_threads');

const ROOT = path.join(__dirname, '..');
/** @type {[string, string][]} */
const STEPS = [
  ['reflect-metadata', require.resolve('reflect-metadata', { paths: [ROOT] })],
  ['worker side (errors, manifest, invoke…)', path.join(ROOT, 'dist', 'worker', 'runtime.js')],
  ['library index (imported by task modules)', path.join(ROOT, 'dist', 'index.js')],
  ['the task module itself', path.join(__dirname, 'tasks.cjs')],
];
const CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const times = [];
for (const file of workerData) {
  const started = performance.now();
  require(file);
  times.push(performance.now() - started);
}
parentPort.postMessage(times);
`;

void (async () => {
  /** @type {number[][]} */
  const rows = [];
  for (let i = 0; i < 15; i++) {
    const worker = new Worker(CODE, { eval: true, workerData: STEPS.map(([, file]) => file) });
    rows.push(await new Promise((resolve) => worker.once('message', resolve)));
    await worker.terminate();
  }
  let total = 0;
  STEPS.forEach(([name], index) => {
    const sorted = rows.map((row) => row[index] ?? 0).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    total += median;
    process.stdout.write(`${name.padEnd(44)} ${median.toFixed(1)} ms\n`);
  });
  process.stdout.write(`${'total'.padEnd(44)} ${total.toFixed(1)} ms\n`);
})();
