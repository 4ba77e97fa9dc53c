'use strict';
// `node bench/ab-ts-jest.cjs <rootA> <rootB> [rounds] [cold]` (not part of `npm run bench`; run
// `npm run build` in each root first): benchmark (e, ts-jest), every thread of a 2-thread pool
// ready under ts-jest, for two builds of this library (two checkouts, e.g. main and a branch) and
// the compiled floor, side by side. Each round runs one jest process (`--runInBand`) of each, in an
// order that rotates from round to round, so that all see the same load:
//   A, B   this checkout's bench/ts-jest/start.bench-test.ts and tasks.ts, copied into each root (so
//          both run the same test and report the same figures) and run against that root's src/,
//          transpile cache warm (a warm-up run of each is not counted; a run in which a thread
//          loaded the compiler stops the script);
//   floor  bench/ts-jest/floor.ab-test.ts in root A: the same pool and task under the same jest,
//          but the library from dist/ and a JavaScript task module: what a thread costs with no
//          TypeScript to load;
//   B-dist bench/ts-jest/dist.ab-test.ts in root B: a user's case, the library from dist/ (an
//          installed package) with a TypeScript task module, cache warm.
// With `cold`, A-cold and B-cold too: the same as A and B with `ASYNCTHREADPOOL_TS_CACHE` set to a
// new empty folder per run. The copies go to `<root>/bench/ts-jest-ab-<pid>/`, removed at the end.
// Prints one JSON line: per contender the medians of the wall times (all threads ready, the
// constructor) and the means of the CPU times (the process's from `new ThreadPool` until every
// thread answered, the calling thread's, each pool thread's from birth to answer: on Linux these
// count scheduler ticks, so means over rounds, not single runs, are the figures), and the medians
// over rounds of the per-round ratios B/A, A/floor, B/floor and B-dist/floor of the wall time and of the CPU time.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { median } = require('./ab/args.cjs');

const [rootAArg = '', rootBArg = '', roundsArg = '10', coldArg = ''] = process.argv.slice(2);
if (rootAArg === '' || rootBArg === '') {
  process.stderr.write('usage: node bench/ab-ts-jest.cjs <rootA> <rootB> [rounds] [cold]\n');
  process.exit(2);
}
const rounds = Number(roundsArg);
const withCold = coldArg === 'cold';
const rootA = path.resolve(rootAArg);
const rootB = path.resolve(rootBArg);
const FILES = ['start.bench-test.ts', 'tasks.ts', 'floor.ab-test.ts', 'floor-tasks.cjs', 'floor-cpu.cjs', 'dist.ab-test.ts', 'dist-tasks.ts', 'time-start.ts'];
const folder = `ts-jest-ab-${String(process.pid)}`;

/**
 * Copies this checkout's test files into `root`'s bench/ and writes a jest config for them.
 * @param {string} root
 * @returns {string} the config's path
 */
function prepare(root) {
  const dir = path.join(root, 'bench', folder);
  fs.mkdirSync(dir, { recursive: true });
  for (const file of FILES) fs.copyFileSync(path.join(__dirname, 'ts-jest', file), path.join(dir, file));
  const config = path.join(dir, 'jest.config.cjs');
  const body = {
    rootDir: root,
    roots: [dir],
    testMatch: ['**/*.bench-test.ts', '**/*.ab-test.ts'],
    testEnvironment: 'node',
    transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
    testTimeout: 60_000,
  };
  fs.writeFileSync(config, `module.exports = ${JSON.stringify(body)};\n`);
  return config;
}

/** @typedef {{ allReadyMs: number, constructMs: number, cpuMs: number, mainThreadCpuMs: number | null, threadCpuMs: (number | null)[], typescriptLoadedThreads: number }} Figures */

/**
 * @param {string} root
 * @param {string} config
 * @param {string} test the test file's name
 * @param {Record<string, string>} env
 * @returns {Figures}
 */
function runJest(root, config, test, env) {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'asyncthreadpool-ab-ts-jest-')), 'figures.json');
  try {
    const jest = require.resolve('jest/bin/jest', { paths: [root] });
    const run = spawnSync(process.execPath, [jest, '--config', config, '--runInBand', '--ci', test.replace(/\./g, '\\.')], {
      cwd: root,
      env: { ...process.env, ...env, ASYNCTHREADPOOL_BENCH_OUT: out },
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (run.status !== 0 || !fs.existsSync(out)) throw new Error(`jest in ${root} (${test}) failed: ${`${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-15).join('\n')}`);
    const figures = /** @type {Figures} */ (JSON.parse(fs.readFileSync(out, 'utf8')));
    return figures;
  } finally {
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  }
}

const configA = prepare(rootA);
const configB = prepare(rootB);
/** @type {{ name: string, run: () => Figures }[]} */
const CONTENDERS = [
  { name: 'A', run: () => runJest(rootA, configA, 'start.bench-test.ts', {}) },
  { name: 'B', run: () => runJest(rootB, configB, 'start.bench-test.ts', {}) },
  { name: 'floor', run: () => runJest(rootA, configA, 'floor.ab-test.ts', {}) },
  { name: 'B-dist', run: () => runJest(rootB, configB, 'dist.ab-test.ts', {}) },
];
if (withCold) {
  /** @param {string} root @param {string} config @returns {Figures} */
  const cold = (root, config) => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncthreadpool-ab-ts-cache-'));
    try {
      return runJest(root, config, 'start.bench-test.ts', { ASYNCTHREADPOOL_TS_CACHE: cache });
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  };
  CONTENDERS.push({ name: 'A-cold', run: () => cold(rootA, configA) }, { name: 'B-cold', run: () => cold(rootB, configB) });
}

/** @type {Record<string, Figures[]>} */
const runs = Object.fromEntries(CONTENDERS.map((c) => [c.name, []]));
/** @type {Record<string, number[]>} */
const ratios = { 'B/A': [], 'A/floor': [], 'B/floor': [], 'B-dist/floor': [], 'B/A cpu': [], 'A/floor cpu': [], 'B/floor cpu': [], 'B-dist/floor cpu': [] };
try {
  // Warm-up: the jest cache and the transpile cache of the copied files.
  for (const who of CONTENDERS) who.run();
  for (let round = 0; round < rounds; round++) {
    /** @type {Record<string, Figures>} */
    const rows = {};
    for (let i = 0; i < CONTENDERS.length; i++) {
      const who = CONTENDERS[(round + i) % CONTENDERS.length];
      if (who === undefined) continue;
      const row = who.run();
      if (!who.name.endsWith('cold') && row.typescriptLoadedThreads !== 0) throw new Error(`${who.name}: a thread loaded the compiler with a warm cache`);
      rows[who.name] = row;
      runs[who.name]?.push(row);
    }
    const { A, B, floor } = rows;
    const dist = rows['B-dist'];
    if (A === undefined || B === undefined || floor === undefined || dist === undefined) continue;
    ratios['B-dist/floor']?.push(dist.allReadyMs / floor.allReadyMs);
    ratios['B-dist/floor cpu']?.push(dist.cpuMs / floor.cpuMs);
    ratios['B/A']?.push(B.allReadyMs / A.allReadyMs);
    ratios['A/floor']?.push(A.allReadyMs / floor.allReadyMs);
    ratios['B/floor']?.push(B.allReadyMs / floor.allReadyMs);
    ratios['B/A cpu']?.push(B.cpuMs / A.cpuMs);
    ratios['A/floor cpu']?.push(A.cpuMs / floor.cpuMs);
    ratios['B/floor cpu']?.push(B.cpuMs / floor.cpuMs);
  }
} finally {
  for (const root of [rootA, rootB]) fs.rmSync(path.join(root, 'bench', folder), { recursive: true, force: true });
}

const r1 = (/** @type {number} */ x) => Math.round(x * 10) / 10;
const mean = (/** @type {number[]} */ xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
/** @param {Figures[]} rows */
function summary(rows) {
  const threadCpu = rows.flatMap((r) => r.threadCpuMs.filter((x) => x !== null));
  const mainCpu = rows.map((r) => r.mainThreadCpuMs).filter((x) => x !== null);
  return {
    allReadyMs: r1(median(rows.map((r) => r.allReadyMs))),
    constructMs: r1(median(rows.map((r) => r.constructMs))),
    meanCpuMs: r1(mean(rows.map((r) => r.cpuMs))),
    meanMainThreadCpuMs: mainCpu.length === 0 ? null : r1(mean(mainCpu)),
    meanPoolThreadCpuMs: threadCpu.length === 0 ? null : r1(mean(threadCpu)),
  };
}
process.stdout.write(
  `${JSON.stringify({
    rounds,
    loadAverage1m: os.loadavg()[0],
    contenders: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, summary(v)])),
    medianRatios: Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, Math.round(median(v) * 1000) / 1000])),
  })}\n`,
);
