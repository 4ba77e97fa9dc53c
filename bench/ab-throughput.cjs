'use strict';
// `node bench/ab-throughput.cjs <rootA> <rootB> [rounds] [n]` (not part of `npm run bench`): the
// throughput of two builds of this library (two checkouts, each built with `npm run build`) side by
// side in one process, so that both see the same machine load. Each has a 2-thread pool running the
// trivial task; after a warm-up, bursts of `n` calls submitted at once alternate A B, B A, … for
// `rounds` pairs. Prints one JSON line: each build's median calls/s, the median of the per-pair
// ratios B/A (the figure to read: above 1, B is faster), and each build's CPU per call on the main
// thread and on all other threads (µs, from /proc on Linux; null elsewhere).
//
// Example: an old commit against the working tree:
//   git worktree add /tmp/old <commit> && cp -al node_modules /tmp/old/ && (cd /tmp/old && npm run build)
//   npm run build && node bench/ab-throughput.cjs /tmp/old . 30 50000
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { abArgs, median } = require('./ab/args.cjs');

const { rootA, rootB, rounds, n } = abArgs('ab-throughput.cjs', { rounds: '30', n: '50000' });

/** CPU time (ns) of this process's threads: the main thread's and all of them, or undefined off Linux. @returns {{ main: number, all: number } | undefined} */
function cpuNs() {
  try {
    let all = 0;
    let main = 0;
    for (const task of fs.readdirSync('/proc/self/task')) {
      const ns = Number(fs.readFileSync(`/proc/self/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      all += ns;
      if (task === String(process.pid)) main = ns;
    }
    return { main, all };
  } catch {
    return undefined;
  }
}

/**
 * @typedef {object} Side
 * @property {string} root
 * @property {{ close(): Promise<void> }} pool
 * @property {(a: number, b: number) => Promise<number>} add
 * @property {number[]} perSec
 * @property {number[]} mainUs
 * @property {number[]} otherUs
 */

/**
 * @param {string} root
 * @param {string} tasksFile
 * @returns {Side}
 */
function side(root, tasksFile) {
  /** @type {typeof import('../src')} */
  const { ThreadPool } = require(path.join(path.resolve(root), 'dist'));
  /** @type {typeof import('./ab/tasks-a.cjs')} */
  const { Tasks } = require(tasksFile);
  const pool = new ThreadPool({ threads: 2 });
  const remote = pool.spawn(Tasks);
  return { root, pool, add: (a, b) => remote.add(a, b), perSec: [], mainUs: [], otherUs: [] };
}

/** @param {Side} s @param {number} count */
async function burst(s, count) {
  /** @type {Promise<number>[]} */
  const pending = new Array(count);
  for (let i = 0; i < count; i++) pending[i] = s.add(i, 1);
  let sum = 0;
  for (const value of await Promise.all(pending)) sum += value;
  if (sum !== (count * (count - 1)) / 2 + count) throw new Error(`wrong sum from ${s.root}`);
}

void (async () => {
  const a = side(rootA, './ab/tasks-a.cjs');
  const b = side(rootB, './ab/tasks-b.cjs');
  for (const s of [a, b]) {
    await burst(s, 2000);
    await burst(s, 20000);
  }
  /** @type {number[]} */
  const ratios = [];
  for (let round = 0; round < rounds; round++) {
    /** @type {Map<Side, number>} */
    const rate = new Map();
    for (const s of round % 2 === 0 ? [a, b] : [b, a]) {
      const cpu0 = cpuNs();
      const started = performance.now();
      await burst(s, n);
      const elapsed = performance.now() - started;
      const cpu1 = cpuNs();
      s.perSec.push(n / (elapsed / 1000));
      rate.set(s, n / (elapsed / 1000));
      if (cpu0 !== undefined && cpu1 !== undefined) {
        s.mainUs.push((cpu1.main - cpu0.main) / n / 1000);
        s.otherUs.push((cpu1.all - cpu0.all - (cpu1.main - cpu0.main)) / n / 1000);
      }
    }
    ratios.push((rate.get(b) ?? NaN) / (rate.get(a) ?? NaN));
  }
  /** @param {number[]} values */
  const us = (values) => (values.length === 0 ? null : Number(median(values).toFixed(2)));
  const report = {
    rounds,
    n,
    a: { root: a.root, callsPerSec: Math.round(median(a.perSec)), mainCpuUsPerCall: us(a.mainUs), otherThreadsCpuUsPerCall: us(a.otherUs) },
    b: { root: b.root, callsPerSec: Math.round(median(b.perSec)), mainCpuUsPerCall: us(b.mainUs), otherThreadsCpuUsPerCall: us(b.otherUs) },
    medianRatioBOverA: Number(median(ratios).toFixed(3)),
    ratios: ratios.map((r) => Number(r.toFixed(2))),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  await a.pool.close();
  await b.pool.close();
})();
