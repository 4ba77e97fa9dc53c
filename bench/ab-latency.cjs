'use strict';
// `node bench/ab-latency.cjs <rootA> <rootB> [rounds] [n]` (not part of `npm run bench`): the
// one-at-a-time latency of two builds of this library (two checkouts, each built with `npm run
// build`) side by side in one process, so that both see the same machine load: the figure (b) of
// `npm run bench`. Each build has a 2-thread pool (default options) running the trivial task; after
// a warm-up, each round times `n` calls of one build, each awaited before the next, then `n` of the
// other, the order alternating A B, B A, … for `rounds` rounds. Prints one JSON line: each build's
// median and p99 (µs, over all its calls), and the median over rounds of the per-round ratios B/A
// of the median and of the p99 (above 1, B is slower), overall and for each slot order (A first,
// B first), since the slot a build runs in biases its figures by a few per cent.
//
// Example: an old commit against the working tree:
//   git worktree add --detach /tmp/old <commit> && cp -al node_modules /tmp/old/ && (cd /tmp/old && npm run build)
//   npm run build && node bench/ab-latency.cjs /tmp/old . 20 2000
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { abArgs, median } = require('./ab/args.cjs');

const { rootA, rootB, rounds, n } = abArgs('ab-latency.cjs', { rounds: '20', n: '2000' });

/** @param {number[]} values @param {number} q */
function quantile(values, q) {
  const sorted = [...values].sort((x, y) => x - y);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/**
 * @typedef {object} Side
 * @property {string} root
 * @property {{ close(): Promise<void> }} pool
 * @property {(a: number, b: number) => Promise<number>} add
 * @property {number[]} all every timed call's µs
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
  return { root: path.resolve(root), pool, add: (a, b) => remote.add(a, b), all: [] };
}

/**
 * `count` calls one at a time; their µs.
 * @param {Side} s
 * @param {number} count
 */
async function oneAtATime(s, count) {
  /** @type {number[]} */
  const micros = new Array(count);
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const value = await s.add(i, 1);
    micros[i] = (performance.now() - started) * 1000;
    if (value !== i + 1) throw new Error(`wrong result from ${s.root}`);
  }
  return micros;
}

/** @param {number} value */
const fixed = (value) => Number(value.toFixed(3));

void (async () => {
  const a = side(rootA, './ab/tasks-a.cjs');
  const b = side(rootB, './ab/tasks-b.cjs');
  for (const s of [a, b]) await oneAtATime(s, 2000);
  /** @type {{ aFirst: boolean, median: number, p99: number }[]} */
  const ratios = [];
  for (let round = 0; round < rounds; round++) {
    const aFirst = round % 2 === 0;
    /** @type {Map<Side, number[]>} */
    const timed = new Map();
    for (const s of aFirst ? [a, b] : [b, a]) {
      const micros = await oneAtATime(s, n);
      timed.set(s, micros);
      for (const us of micros) s.all.push(us);
    }
    const ofA = timed.get(a) ?? [];
    const ofB = timed.get(b) ?? [];
    ratios.push({ aFirst, median: quantile(ofB, 0.5) / quantile(ofA, 0.5), p99: quantile(ofB, 0.99) / quantile(ofA, 0.99) });
  }
  /** @param {boolean | undefined} aFirst */
  const summary = (aFirst) => {
    const some = ratios.filter((r) => aFirst === undefined || r.aFirst === aFirst);
    return { rounds: some.length, medianRatioBOverA: fixed(median(some.map((r) => r.median))), p99RatioBOverA: fixed(median(some.map((r) => r.p99))) };
  };
  /** @param {Side} s */
  const figures = (s) => ({ root: s.root, medianUs: fixed(quantile(s.all, 0.5)), p99Us: fixed(quantile(s.all, 0.99)) });
  const report = {
    rounds,
    n,
    a: figures(a),
    b: figures(b),
    all: summary(undefined),
    aFirst: summary(true),
    bFirst: summary(false),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  await a.pool.close();
  await b.pool.close();
})();
