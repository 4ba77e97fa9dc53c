'use strict';
// `node bench/ab-stream.cjs <rootA> <rootB> [rounds] [n] [reps] [kinds]` (not part of `npm run bench`):
// streamed vs returned as one array (the (h) rows of `npm run bench`, issue 14 item 1) for two
// builds of this library (two checkouts, each built with `npm run build`), in fresh processes
// alternating A B, B A, … for `rounds` pairs, so that both see the same machine load. Each process
// loads one build (bench/ab/stream-tasks.cjs: the same task code for both), makes a 1-thread pool
// and, after warm-up calls, times `reps` pairs of `rowsArray(n)` and `rowsStream(n)` (numbers, then
// small objects; `kinds`, e.g. `numbers`, for one of them), each pair in alternating order. Per process, the median over its pairs of:
// stream / array wall time, and the CPU time of the caller's thread and of the pool's thread
// (/proc on Linux: what the machine's load moves least), and the stream-control messages the caller
// posted per stream (`credit`, or `wake`: counted on `MessagePort.prototype.postMessage`). Peak
// RSS: `maxRSS` of a process that made one call of each kind (after a small warm-up), in the first
// three rounds. Prints one JSON line per kind: for each build, the median over the rounds of each
// figure, and `wallRatioBoverA`, the median of the per-round ratios of B's stream/array to A's.
//
// Example: main against the working tree:
//   git worktree add --detach /tmp/base main && cp -al node_modules /tmp/base/ && (cd /tmp/base && npm run build)
//   npm run build && node bench/ab-stream.cjs /tmp/base . 10 1000000 3
// and instruction counts (valgrind, slow: n 100,000 is enough):
//   node bench/ab-stream.cjs --instructions /tmp/base . 100000
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { execFileSync } = require('node:child_process');
const { median } = require('./ab/args.cjs');

/** Counts the stream-control messages this thread posts. */
function countControls() {
  const { MessagePort } = require('node:worker_threads');
  const counter = { controls: 0 };
  const post = Reflect.get(MessagePort.prototype, 'postMessage');
  /** @this {unknown} @param {unknown} message @param {unknown} transfer */
  const counted = function (message, transfer) {
    const type = typeof message === 'object' && message !== null ? Reflect.get(message, 'type') : undefined;
    if (type === 'credit' || type === 'wake') counter.controls++;
    Reflect.apply(post, this, [message, transfer]);
  };
  Reflect.set(MessagePort.prototype, 'postMessage', counted);
  return counter;
}

/**
 * The child: `--child <root> <n> <numbers 0|1> <reps> <both|array|stream>`.
 * @param {string[]} argv
 */
async function child(argv) {
  const [root = '.', nArg = '0', numbersArg = '1', repsArg = '5', only = 'both'] = argv;
  const n = Number(nArg);
  const numbers = numbersArg === '1';
  const reps = Number(repsArg);
  const counter = countControls();
  process.env.ASYNCTHREADPOOL_AB_ROOT = path.resolve(root);
  /** @type {typeof import('../src')} */
  const { ThreadPool } = require(path.join(path.resolve(root), 'dist'));
  /** @type {typeof import('./ab/stream-tasks.cjs')} */
  const { AbStreamTasks, threadCpuMs } = require('./ab/stream-tasks.cjs');
  const pool = new ThreadPool({ threads: 1 });
  const remote = pool.spawn(AbStreamTasks);
  /** @param {{ id: number } | number} row */
  const idOf = (row) => (typeof row === 'number' ? row : row.id);
  const expected = (n * (n - 1)) / 2;
  const array = async () => {
    let sum = 0;
    for (const row of await remote.rowsArray(n, numbers)) sum += idOf(row);
    if (sum !== expected) throw new Error('array: wrong sum');
  };
  const stream = async () => {
    let sum = 0;
    for await (const row of remote.rowsStream(n, numbers)) sum += idOf(row);
    if (sum !== expected) throw new Error('stream: wrong sum');
  };
  /** @param {() => Promise<void>} run */
  const timed = async (run) => {
    const worker = await remote.threadCpuMs();
    const caller = threadCpuMs();
    const controls = counter.controls;
    const started = performance.now();
    await run();
    const ms = performance.now() - started;
    return { ms, caller: threadCpuMs() - caller, worker: (await remote.threadCpuMs()) - worker, controls: counter.controls - controls };
  };
  if (only !== 'both') {
    // One call (after a small warm-up of both), or with `none` none: what a run under callgrind counts.
    const small = Math.min(n, 20_000);
    await remote.rowsArray(small, numbers);
    for await (const row of remote.rowsStream(small, numbers)) idOf(row);
    if (only !== 'none') await (only === 'array' ? array() : stream());
    await pool.close();
    process.stdout.write(`${JSON.stringify({ maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
    return;
  }
  await array();
  await stream();
  /** @type {Record<string, number[]>} */
  const figures = { wallRatio: [], arrayMs: [], streamMs: [], arrayCallerCpuMs: [], arrayWorkerCpuMs: [], streamCallerCpuMs: [], streamWorkerCpuMs: [], controlsPerStream: [] };
  /** @param {string} key @param {number} value */
  const add = (key, value) => {
    figures[key]?.push(value);
  };
  for (let rep = 0; rep < reps; rep++) {
    const arrayFirst = rep % 2 === 0;
    const early = arrayFirst ? await timed(array) : undefined;
    const s = await timed(stream);
    const a = early ?? (await timed(array));
    add('wallRatio', s.ms / a.ms);
    add('arrayMs', a.ms);
    add('streamMs', s.ms);
    add('arrayCallerCpuMs', a.caller);
    add('arrayWorkerCpuMs', a.worker);
    add('streamCallerCpuMs', s.caller);
    add('streamWorkerCpuMs', s.worker);
    add('controlsPerStream', s.controls);
  }
  await pool.close();
  /** @type {Record<string, number>} */
  const out = {};
  for (const [key, values] of Object.entries(figures)) out[key] = median(values);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** @param {string[]} argv */
function parent(argv) {
  const [rootA = '', rootB = '', roundsArg = '10', nArg = '1000000', repsArg = '3', kindsArg = 'numbers,objects'] = argv;
  if (rootA === '' || rootB === '') {
    process.stderr.write('usage: node bench/ab-stream.cjs <rootA> <rootB> [rounds] [n] [reps] [numbers,objects]\n');
    process.exit(2);
  }
  const rounds = Number(roundsArg);
  /**
   * @param {string} root
   * @param {string[]} rest
   * @returns {Record<string, number>}
   */
  const run = (root, rest) => {
    const out = execFileSync(process.execPath, [path.join(__dirname, 'ab-stream.cjs'), '--child', root, nArg, ...rest], { encoding: 'utf8', maxBuffer: 1 << 20 });
    /** @type {Record<string, number>} */
    const figures = JSON.parse(out);
    return figures;
  };
  for (const [kind, numbers] of [
    ['numbers', '1'],
    ['objects', '0'],
  ].filter(([name]) => kindsArg.split(',').includes(name ?? ''))) {
    /** @type {Record<string, Record<string, number>[]>} */
    const got = { A: [], B: [] };
    /** @type {Record<string, Record<string, number[]>>} */
    const rss = { A: { array: [], stream: [] }, B: { array: [], stream: [] } };
    for (let round = 0; round < rounds; round++) {
      for (const which of round % 2 === 0 ? ['A', 'B'] : ['B', 'A']) {
        const root = which === 'A' ? rootA : rootB;
        got[which]?.push(run(root, [numbers ?? '1', repsArg, 'both']));
        if (round >= 3) continue;
        for (const only of ['array', 'stream']) rss[which]?.[only]?.push(run(root, [numbers ?? '1', '1', only]).maxRssMB ?? NaN);
      }
    }
    /** @param {string} which */
    const summary = (which) => {
      /** @type {Record<string, number>} */
      const out = {};
      for (const key of Object.keys(got[which]?.[0] ?? {})) out[key] = Math.round(median((got[which] ?? []).map((one) => one[key] ?? NaN)) * 1000) / 1000;
      out.streamCpuRatio = Math.round(((out.streamCallerCpuMs ?? NaN) + (out.streamWorkerCpuMs ?? NaN)) / ((out.arrayCallerCpuMs ?? NaN) + (out.arrayWorkerCpuMs ?? NaN)) * 1000) / 1000;
      out.arrayMaxRssMB = median(rss[which]?.array ?? []);
      out.streamMaxRssMB = median(rss[which]?.stream ?? []);
      return out;
    };
    const pairs = (got.A ?? []).map((a, i) => (got.B?.[i]?.wallRatio ?? NaN) / (a.wallRatio ?? NaN));
    process.stdout.write(`${JSON.stringify({ kind, n: Number(nArg), rounds, A: summary('A'), B: summary('B'), wallRatioBoverA: Math.round(median(pairs) * 1000) / 1000 })}\n`);
  }
}

/**
 * `--instructions <rootA> <rootB> [n]`: the instructions (valgrind's callgrind, all threads) of one
 * call of each kind, less those of a run that makes none: figures the machine's load does not move.
 * @param {string[]} argv
 */
function instructions(argv) {
  const [rootA = '', rootB = '', nArg = '200000'] = argv;
  /** @param {string} root @param {string} numbers @param {string} only */
  const count = (root, numbers, only) => {
    const { spawnSync } = require('node:child_process');
    const run = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, path.join(__dirname, 'ab-stream.cjs'), '--child', root, nArg, numbers, '1', only], { encoding: 'utf8' });
    const match = /Collected : (\d+)/.exec(run.stderr);
    if (match === null) throw new Error(`callgrind failed: ${run.stderr.slice(-500)}`);
    return Number(match[1]);
  };
  for (const [kind, numbers] of [
    ['numbers', '1'],
    ['objects', '0'],
  ]) {
    /** @type {Record<string, Record<string, number>>} */
    const out = {};
    for (const [which, root] of [
      ['A', rootA],
      ['B', rootB],
    ]) {
      const none = count(root ?? '', numbers ?? '1', 'none');
      const array = count(root ?? '', numbers ?? '1', 'array') - none;
      const stream = count(root ?? '', numbers ?? '1', 'stream') - none;
      out[which ?? ''] = { arrayPerItem: array / Number(nArg), streamPerItem: stream / Number(nArg), ratio: Math.round((stream / array) * 1000) / 1000 };
    }
    process.stdout.write(`${JSON.stringify({ kind, n: Number(nArg), instructions: out })}\n`);
  }
}

if (process.argv[2] === '--instructions') {
  instructions(process.argv.slice(3));
} else if (process.argv[2] === '--child') {
  child(process.argv.slice(3)).catch((/** @type {unknown} */ error) => {
    process.stderr.write(`${error instanceof Error ? String(error.stack) : String(error)}\n`);
    process.exit(1);
  });
} else {
  parent(process.argv.slice(2));
}
