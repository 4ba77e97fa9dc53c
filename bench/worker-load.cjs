'use strict';
// What a thread of this library loads before its first call, timed inside fresh workers:
// `node bench/worker-load.cjs [workers]` (after `npm run build`). Two ways a task module imports the
// library, side by side, one fresh worker each in turn: the task entry (`asyncthreadpool/task`,
// dist/task.js) and the full index (`asyncthreadpool`, dist/index.js), each after the file a thread
// starts from (dist/worker/bootstrap.cjs, which loads dist/worker/thread.js: built as one file that
// holds the worker side and the task entry, see scripts/bundle.cjs). The worker's `workerData` is
// not a library thread's, so the entry starts no role, but holds the start the library's main side
// hands its threads (the bundle and its code cache, which it reads once). Prints the median per step of 15 workers (or
// the count given) per way, in ms, the median of the totals, and the modules each way left loaded.
// The bundle is compiled from its V8 code cache (see src/worker/bootstrap.cjs), which a first
// pool-less spawn saves if there is none; a third way, the first one with the cache off
// (ASYNCTHREADPOOL_CODE_CACHE=0), shows what it saves, and each way what the cache's state was.
// `--against <root>` adds the first way of another checkout's build (its own dist/ and
// bench/tasks.cjs, say main's), in the same rounds. Ratios are medians of the per-round ratios.
const path = require('node:path');
const { Worker } = require('node:worker_threads');

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const args = process.argv.slice(2);
const againstAt = args.indexOf('--against');
const AGAINST = againstAt === -1 ? undefined : path.resolve(args.splice(againstAt, 2)[1] ?? '');
const WORKERS = Number(args[0] ?? 15);

/** What a thread starts from: Piscina's `filename`, and a temporary thread's file; it loads dist/worker/thread.js. */
const START = path.join(DIST, 'worker', 'bootstrap.cjs');

/** @type {[string, string][]} */
const LIGHT = [
  ['worker side (bootstrap.cjs, thread.js)', START],
  ['task entry (dist/task.js)', path.join(DIST, 'task.js')],
  ['the task module itself (bench/tasks.cjs)', path.join(__dirname, 'tasks.cjs')],
];
/** @type {{ name: string, steps: [string, string][], env?: Record<string, string> }[]} */
const WAYS = [
  {
    name: "task module importing 'asyncthreadpool/task'",
    steps: LIGHT,
  },
  {
    name: "task module importing 'asyncthreadpool/task', code cache off",
    steps: LIGHT,
    env: { ASYNCTHREADPOOL_CODE_CACHE: '0' },
  },
  {
    name: "task module importing 'asyncthreadpool'",
    steps: [
      ['worker side (bootstrap.cjs, thread.js)', START],
      ['library index (dist/index.js)', path.join(DIST, 'index.js')],
      ['the task module itself (bench/tasks.cjs)', path.join(__dirname, 'tasks.cjs')],
    ],
  },
];
if (AGAINST !== undefined) {
  WAYS.push({
    name: `task module importing 'asyncthreadpool/task', the build in ${AGAINST}`,
    steps: [
      ['worker side (bootstrap.cjs, thread.js)', path.join(AGAINST, 'dist', 'worker', 'bootstrap.cjs')],
      ['task entry (dist/task.js)', path.join(AGAINST, 'dist', 'task.js')],
      ['the task module itself (bench/tasks.cjs)', path.join(AGAINST, 'bench', 'tasks.cjs')],
    ],
  });
}
const CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const times = [];
const before = new Set(Object.keys(require.cache));
for (const file of workerData.files) {
  const started = performance.now();
  require(file);
  times.push(performance.now() - started);
}
const bundle = require.cache[require('node:path').join(require('node:path').dirname(workerData.files[0]), 'thread.js')];
const cache = bundle?.[Symbol.for('asyncthreadpool.codeCache')]?.state ?? 'none';
parentPort.postMessage({ times, cache, loaded: Object.keys(require.cache).filter((f) => !before.has(f)) });
`;

/**
 * How the main side of the build in `dist` starts a thread (its src/main/thread-start.ts: the
 * bundle and its code cache, read once by the main side), as the library hands it to each thread
 * in `workerData.start`; undefined for a build without it, whose threads read those files themselves.
 * @param {string} dist
 * @returns {unknown}
 */
function threadStartOf(dist) {
  const file = path.join(dist, 'main', 'thread-start.js');
  if (!require('node:fs').existsSync(file)) return undefined;
  /** @type {{ threadStart(): unknown }} */
  const main = require(file);
  return main.threadStart();
}

/** @param {string[]} files @param {Record<string, string>} [env] @returns {Promise<{ times: number[], cache: string, loaded: string[] }>} */
async function once(files, env) {
  const start = threadStartOf(path.dirname(path.dirname(files[0] ?? START)));
  const worker = new Worker(CODE, { eval: true, workerData: { files, start }, env: { ...process.env, ...env } });
  /** @type {{ times: number[], cache: string, loaded: string[] }} */
  const row = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  return row;
}

void (async () => {
  // A thread that answers a call saves the code cache where there is none for this build and Node.
  /** @type {typeof import('../src')} */
  const lib = require(path.join(DIST, 'index.js'));
  const { BenchTasks } = require('./tasks.cjs');
  await lib.spawn(BenchTasks).add(1, 2);
  if (AGAINST !== undefined) {
    // Its own library and task module, in a process of their own (one process holds one task of a name).
    const warm = `require(${JSON.stringify(path.join(AGAINST, 'dist', 'index.js'))}).spawn(require(${JSON.stringify(path.join(AGAINST, 'bench', 'tasks.cjs'))}).BenchTasks).add(1, 2)`;
    require('node:child_process').execFileSync(process.execPath, ['-e', warm]);
  }
  /** @type {{ times: number[], cache: string, loaded: string[] }[][]} */
  const rows = WAYS.map(() => []);
  for (let i = 0; i < WORKERS; i++) {
    for (const [index, way] of WAYS.entries()) rows[index]?.push(await once(way.steps.map(([, file]) => file), way.env));
  }
  /** @type {number[]} */
  const totals = [];
  WAYS.forEach((way, w) => {
    const runs = rows[w] ?? [];
    process.stdout.write(`${way.name} (code cache: ${[...new Set(runs.map((run) => run.cache))].join(', ')})\n`);
    let total = 0;
    way.steps.forEach(([name], index) => {
      const sorted = runs.map((run) => run.times[index] ?? 0).sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
      total += median;
      process.stdout.write(`  ${name.padEnd(44)} ${median.toFixed(1)} ms\n`);
    });
    totals.push(total);
    const loaded = runs[0]?.loaded ?? [];
    // The way's own dist/ (the folder of its worker/bootstrap.cjs's folder).
    const dist = path.dirname(path.dirname(way.steps[0]?.[1] ?? START));
    const library = loaded.filter((f) => f.startsWith(dist)).map((f) => path.relative(dist, f));
    const packages = [...new Set(loaded.flatMap((f) => /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(f)?.[1] ?? []))];
    const wholes = runs.map((run) => run.times.reduce((sum, t) => sum + t, 0)).sort((a, b) => a - b);
    const whole = wholes[Math.floor(wholes.length / 2)] ?? 0;
    process.stdout.write(`  ${'total'.padEnd(44)} ${total.toFixed(1)} ms (median of the per-worker totals: ${whole.toFixed(1)} ms)\n`);
    process.stdout.write(`  loads ${String(library.length)} library modules (${library.join(', ')}) and packages: ${packages.join(', ') || 'none'}\n`);
  });
  const [light, , full] = totals;
  /** The median over rounds of way `a`'s total / way `b`'s. @param {number} a @param {number} b */
  const pairRatio = (a, b) => {
    const sum = (/** @type {{ times: number[] } | undefined} */ run) => run?.times.reduce((x, t) => x + t, 0) ?? NaN;
    const ratios = (rows[a] ?? []).map((run, i) => sum(run) / sum(rows[b]?.[i])).sort((x, y) => x - y);
    return ratios[Math.floor(ratios.length / 2)] ?? NaN;
  };
  process.stdout.write(`code cache on / off: ${pairRatio(0, 1).toFixed(2)}× (median of the per-round ratios of the totals)\n`);
  if (AGAINST !== undefined) process.stdout.write(`this build / the build in ${AGAINST}: ${pairRatio(0, 3).toFixed(2)}× (median of the per-round ratios of the totals)\n`);
  if (light !== undefined && full !== undefined && light > 0) {
    process.stdout.write(`index / task entry: ${(full / light).toFixed(2)}× (${(full - light).toFixed(1)} ms more per thread)\n`);
  }
})();
