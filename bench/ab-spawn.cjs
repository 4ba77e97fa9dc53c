'use strict';
// `node bench/ab-spawn.cjs <rootA> <rootB> [rounds]` (not part of `npm run bench`): benchmark (d),
// a pool-less spawn of a temporary thread, for two builds of this library (two checkouts, each
// built) and a raw `new Worker` → message → `terminate()` (bench/workers/raw-add.cjs), side by side
// in one process: each round times one spawn of each, in an order that rotates from round to round,
// so that all three see the same load (separate processes on a shared machine do not). Each build's
// task module (bench/ab/spawn-tasks-a.cjs, -b.cjs) imports that build's task entry, as
// bench/tasks.cjs does. One uncounted spawn of each first. Prints one JSON line: each contender's
// median ms per spawn (settled once its thread has exited), and the medians over rounds of the
// per-round ratios B/A, A/raw and B/raw (the figure (d) holds against its target).
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { abArgs, median } = require('./ab/args.cjs');
const { rawWorkerAdd } = require('./workers/raw-spawn.cjs');

const { rootA, rootB, rounds } = abArgs('ab-spawn.cjs', { rounds: '40', n: '1' });
/** @type {typeof import('../src')} */
const libA = require(path.join(path.resolve(rootA), 'dist'));
/** @type {typeof import('../src')} */
const libB = require(path.join(path.resolve(rootB), 'dist'));
const { Tasks: TasksA } = require('./ab/spawn-tasks-a.cjs');
const { Tasks: TasksB } = require('./ab/spawn-tasks-b.cjs');

/** @type {Record<string, (i: number) => Promise<number>>} */
const CONTENDERS = {
  A: (i) => libA.spawn(TasksA).add(i, 2),
  B: (i) => libB.spawn(TasksB).add(i, 2),
  raw: (i) => rawWorkerAdd(i, 2),
};
const names = Object.keys(CONTENDERS);

void (async () => {
  for (const once of Object.values(CONTENDERS)) await once(0);
  /** @type {Record<string, number[]>} */
  const times = { A: [], B: [], raw: [] };
  /** @type {Record<string, number[]>} */
  const ratios = { 'B/A': [], 'A/raw': [], 'B/raw': [] };
  for (let round = 0; round < rounds; round++) {
    /** @type {Record<string, number>} */
    const row = {};
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length] ?? '';
      const started = performance.now();
      if ((await CONTENDERS[name]?.(round)) !== round + 2) throw new Error(`${name}: a wrong sum`);
      row[name] = performance.now() - started;
      times[name]?.push(row[name] ?? NaN);
    }
    const { A = NaN, B = NaN, raw: r = NaN } = row;
    ratios['B/A']?.push(B / A);
    ratios['A/raw']?.push(A / r);
    ratios['B/raw']?.push(B / r);
  }
  const round3 = (/** @type {number} */ x) => Math.round(x * 1000) / 1000;
  process.stdout.write(
    `${JSON.stringify({
      rounds,
      medianMsPerSpawn: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, round3(median(v))])),
      medianRatios: Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, round3(median(v))])),
    })}\n`,
  );
})();
