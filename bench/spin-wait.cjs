'use strict';
// `node bench/spin-wait.cjs [pairs]` (after `npm run build`): one-at-a-time latency of a 2-thread pool
// with `spinWait: 0` (threads sleep between calls) and `spinWait: 50` (the default here), each run in
// a fresh process, interleaved in pairs. Prints each run's median round trip in µs.
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const SELF = path.join(__dirname, 'spin-wait.cjs');

if (process.argv[2] === '--child') {
  /** @type {typeof import('../src')} the built library (dist/), typed from its sources */
  const { ThreadPool } = require(path.join(__dirname, '..', 'dist'));
  /** @type {typeof import('./tasks.cjs')} */
  const { BenchTasks } = require('./tasks.cjs');
  void (async () => {
    const pool = new ThreadPool({ threads: 2, spinWait: Number(process.argv[3]) });
    const remote = pool.spawn(BenchTasks);
    for (let i = 0; i < 200; i++) await remote.add(i, 1);
    /** @type {number[]} */
    const micros = [];
    for (let i = 0; i < 3000; i++) {
      const started = performance.now();
      await remote.add(i, 1);
      micros.push((performance.now() - started) * 1000);
    }
    micros.sort((a, b) => a - b);
    process.stdout.write(`${(micros[1500] ?? NaN).toFixed(0)}\n`);
    await pool.close();
  })();
} else {
  const pairs = Number(process.argv[2] ?? 6);
  /** @type {Record<string, string[]>} */
  const medians = { 0: [], 50: [] };
  for (let i = 0; i < pairs; i++) {
    for (const spin of ['0', '50']) {
      medians[spin]?.push(execFileSync(process.execPath, [SELF, '--child', spin], { encoding: 'utf8' }).trim());
    }
  }
  for (const [spin, values] of Object.entries(medians)) process.stdout.write(`spinWait ${spin.padEnd(2)}: ${values.join(', ')} µs (median per run)\n`);
}
