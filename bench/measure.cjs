'use strict';
// One measurement in a fresh process: `node bench/measure.cjs <measure> <contender> <json-params>`.
// Prints exactly one JSON line on stdout: `{"ok":true,...figures}` or `{"ok":false,"error":"..."}`.
//
// Nothing but Node's built-ins is loaded before the measurement starts: each contender's library is
// required inside its own branch, so that the cold-start figures (e) include loading it.
const { performance } = require('node:perf_hooks');

/** Milliseconds from the process's time origin to the start of this module (benchmark e). */
const moduleStart = performance.now();

const path = require('node:path');
const { clearInterval, clearTimeout, setInterval, setTimeout } = require('node:timers');
const { rawWorkerAdd } = require('./workers/raw-spawn.cjs');

const ROOT = path.join(__dirname, '..');
const WORKERS = path.join(__dirname, 'workers');
/** The worker file of each raw contender, by task kind. */
const FILES = {
  add: path.join(WORKERS, 'add.cjs'),
  spin: path.join(WORKERS, 'spin.cjs'),
  poolifierAdd: path.join(WORKERS, 'poolifier-add.mjs'),
};

/**
 * @typedef {object} Pool
 * @property {(a: number, b: number) => Promise<number>} add
 * @property {(iterations: number) => Promise<number>} spin
 * @property {() => Promise<number | undefined>} contextCount how many context calls the threads counted (context pools only)
 * @property {() => Promise<void>} close
 */

/** @typedef {Record<string, number>} Params */

/** @returns {typeof import('../src')} the built library (dist/), typed from its sources */
function library() {
  /** @type {typeof import('../src')} */
  const lib = require(path.join(ROOT, 'dist'));
  return lib;
}

/** @returns {typeof import('./tasks.cjs')} */
function benchTasks() {
  return require('./tasks.cjs');
}

const notForSpin = () => Promise.reject(new Error('this contender has no spin task'));

/**
 * A pool of `threads` threads of one contender, running the trivial task (`kind` 'add') or the
 * CPU-bound one ('spin'). Every contender gets the same thread count and its library's defaults.
 * @param {string} contender
 * @param {number} threads
 * @param {'add' | 'spin'} kind
 * @returns {Promise<Pool>}
 */
async function makePool(contender, threads, kind) {
  switch (contender) {
    case 'asyncthreadpool': {
      const { ThreadPool } = library();
      const { BenchTasks } = benchTasks();
      const pool = new ThreadPool({ threads });
      const remote = pool.spawn(BenchTasks);
      return {
        add: (a, b) => remote.add(a, b),
        spin: (iterations) => remote.spin(iterations),
        contextCount: () => Promise.resolve(undefined),
        close: () => pool.close(),
      };
    }
    case 'asyncthreadpool-context': {
      const { ThreadPool } = library();
      const { BenchTasks, BenchCounter } = benchTasks();
      const pool = new ThreadPool({ threads, context: BenchCounter });
      const remote = pool.spawn(BenchTasks);
      return {
        add: (a, b) => remote.addCounted(a, b),
        spin: notForSpin,
        contextCount: async () => (await pool.broadcast(BenchTasks).count()).reduce((sum, n) => sum + n, 0),
        close: () => pool.close(),
      };
    }
    case 'piscina':
    case 'piscina-async': {
      const { Piscina } = require('piscina');
      const piscina = new Piscina({
        filename: kind === 'spin' ? FILES.spin : FILES.add,
        minThreads: threads,
        maxThreads: threads,
        ...(contender === 'piscina-async' ? { atomics: /** @type {const} */ ('async') } : {}),
      });
      return {
        add: (a, b) => /** @type {Promise<number>} */ (piscina.run([a, b])),
        spin: (iterations) => /** @type {Promise<number>} */ (piscina.run(iterations)),
        contextCount: () => Promise.resolve(undefined),
        close: () => piscina.destroy(),
      };
    }
    case 'poolifier': {
      // Loaded as an ES module: its type declarations are an ES module's (it also ships CommonJS).
      const { FixedThreadPool } = await import('poolifier');
      /** @type {InstanceType<typeof FixedThreadPool<[number, number], number>>} */
      const pool = new FixedThreadPool(threads, FILES.poolifierAdd);
      return {
        add: (a, b) => pool.execute([a, b]),
        spin: notForSpin,
        contextCount: () => Promise.resolve(undefined),
        close: () => pool.destroy(),
      };
    }
    case 'tinypool': {
      // Tinypool ships as an ES module only.
      const { Tinypool } = await import('tinypool');
      const pool = new Tinypool({ filename: FILES.add, minThreads: threads, maxThreads: threads });
      return {
        add: (a, b) => /** @type {Promise<number>} */ (pool.run([a, b])),
        spin: notForSpin,
        contextCount: () => Promise.resolve(undefined),
        close: () => pool.destroy(),
      };
    }
    default:
      throw new Error(`unknown contender ${contender}`);
  }
}

/**
 * @param {boolean} condition
 * @param {string} message
 * @returns {asserts condition}
 */
function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

/** @param {number[]} values sorted ascending; @param {number} q in [0, 1]; nearest-rank percentile */
function percentile(values, q) {
  const index = Math.min(values.length - 1, Math.max(0, Math.ceil(q * values.length) - 1));
  return values[index] ?? NaN;
}

const MB = 1024 * 1024;

/** Pools whose close did not settle in time (reported, not fatal: closing is never timed). */
let closeTimeouts = 0;

/**
 * Closes a pool, keeping this process alive meanwhile with a timer, for at most `ms`. poolifier's
 * `destroy()` unreferences its workers before awaiting their exit: with nothing else holding the
 * event loop the process could end quietly before the promise settles and print nothing, and now and
 * then that promise does not settle at all. Closing is outside every timed window, so a close that
 * does not settle is counted (`closeTimeouts`) and the figures stand.
 * @param {Pool} pool
 * @param {number} [ms]
 */
async function closePool(pool, ms = 3_000) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const timedOut = new Promise((resolve) => {
    timer = setTimeout(() => {
      resolve(true);
    }, ms);
  });
  const outcome = await Promise.race([pool.close().then(() => false), timedOut]);
  clearTimeout(timer);
  if (outcome === true) closeTimeouts++;
}

/** Samples the process's RSS every `everyMs` (a timer) until stopped; `sample()` adds one at once. */
function rssSampler(everyMs = 5) {
  let peak = process.memoryUsage().rss;
  let samples = 1;
  const sample = () => {
    const rss = process.memoryUsage().rss;
    samples++;
    if (rss > peak) peak = rss;
  };
  const timer = setInterval(sample, everyMs);
  return {
    sample,
    stop() {
      clearInterval(timer);
      sample();
      return { peakRssMB: peak / MB, rssSamples: samples };
    },
  };
}

/**
 * Submits `count` trivial tasks at once and awaits them all; returns their sum.
 * @param {Pool} pool
 * @param {number} count
 * @param {() => void} [afterSubmit]
 */
async function burst(pool, count, afterSubmit) {
  /** @type {Promise<number>[]} */
  const pending = new Array(count);
  for (let i = 0; i < count; i++) pending[i] = pool.add(i, 1);
  afterSubmit?.();
  const results = await Promise.all(pending);
  let sum = 0;
  for (const value of results) sum += value;
  return sum;
}

/** The sum of `i + 1` for i in [0, count). */
const expectedSum = (/** @type {number} */ count) => (count * (count - 1)) / 2 + count;

/**
 * (a) throughput and (f) peak RSS: `n` tiny tasks submitted at once, timed from the first submit to
 * the last settle, after `warmup` tasks (also submitted at once) that start the threads and warm the JIT.
 * @param {string} contender
 * @param {Params} p
 */
async function throughput(contender, p) {
  const n = p.n ?? 0;
  const warmup = p.warmup ?? 0;
  const pool = await makePool(contender, p.threads ?? 2, 'add');
  check((await burst(pool, warmup)) === expectedSum(warmup), 'warm-up results');
  const rssBefore = process.memoryUsage().rss / MB;
  const sampler = rssSampler(p.rssEveryMs ?? 5);
  const started = performance.now();
  const sum = await burst(pool, n, sampler.sample);
  const elapsed = performance.now() - started;
  const { peakRssMB, rssSamples } = sampler.stop();
  check(sum === expectedSum(n), `sum of ${n} results`);
  const counted = await pool.contextCount();
  if (counted !== undefined) check(counted === warmup + n, `context counters ${counted} = ${warmup + n} calls`);
  await closePool(pool);
  return { tasksPerSec: n / (elapsed / 1000), elapsedMs: elapsed, peakRssMB, rssBeforeMB: rssBefore, rssSamples, contextCount: counted };
}

/**
 * (b) latency: tasks one at a time, each awaited before the next, after `warmup` of them.
 * @param {string} contender
 * @param {Params} p
 */
async function latency(contender, p) {
  const n = p.n ?? 0;
  const warmup = p.warmup ?? 0;
  const pool = await makePool(contender, p.threads ?? 2, 'add');
  for (let i = 0; i < warmup; i++) check((await pool.add(i, 1)) === i + 1, 'warm-up result');
  /** @type {number[]} */
  const micros = new Array(n);
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const value = await pool.add(i, 1);
    micros[i] = (performance.now() - started) * 1000;
    check(value === i + 1, 'result');
  }
  const counted = await pool.contextCount();
  if (counted !== undefined) check(counted === warmup + n, `context counters ${counted} = ${warmup + n} calls`);
  await closePool(pool);
  micros.sort((a, b) => a - b);
  return { medianUs: percentile(micros, 0.5), p99Us: percentile(micros, 0.99), minUs: micros[0], maxUs: micros[n - 1], contextCount: counted };
}

/**
 * Iterations of `spin` that take about `targetMs` on this thread, measured once per process.
 * @param {number} targetMs
 */
function calibrate(targetMs) {
  const { spin } = require('./spin.cjs');
  for (let i = 0; i < 20; i++) spin(100_000);
  let iterations = 100_000;
  let elapsed = 0;
  for (;;) {
    const started = performance.now();
    spin(iterations);
    elapsed = performance.now() - started;
    if (elapsed >= 50) break;
    iterations *= 2;
  }
  // The best of three at that size, against the noise of a shared machine.
  for (let i = 0; i < 2; i++) {
    const started = performance.now();
    spin(iterations);
    elapsed = Math.min(elapsed, performance.now() - started);
  }
  return Math.max(1, Math.round((iterations * targetMs) / elapsed));
}

/**
 * (c) CPU scaling: `tasks` CPU-bound tasks of ~`taskMs` each, submitted at once, on a pool of 1
 * thread, then on a pool of 2; the busy loop is calibrated once in this process for both.
 * @param {string} contender
 * @param {Params} p
 */
async function cpu(contender, p) {
  const tasks = p.tasks ?? 0;
  const iterations = calibrate(p.taskMs ?? 5);
  /** @type {Record<string, number>} */
  const elapsed = {};
  for (const threads of [1, 2]) {
    const pool = await makePool(contender, threads, 'spin');
    // Warm-up: start every thread and let its JIT compile the loop.
    await Promise.all(Array.from({ length: 4 * threads }, () => pool.spin(iterations)));
    const started = performance.now();
    await Promise.all(Array.from({ length: tasks }, () => pool.spin(iterations)));
    elapsed[threads] = performance.now() - started;
    await closePool(pool);
  }
  const ms1 = elapsed[1] ?? NaN;
  const ms2 = elapsed[2] ?? NaN;
  return { iterationsPerTask: iterations, ms1, ms2, speedup: ms1 / ms2, taskMs1: ms1 / tasks };
}

/**
 * (d) pool-less spawn: `count` sequential spawns of a temporary thread running the addition, after
 * one that is not counted (it loads the modules of the main thread's side).
 * @param {string} contender
 * @param {Params} p
 */
async function spawnBench(contender, p) {
  const count = p.count ?? 0;
  /** @type {(a: number, b: number) => Promise<number>} */
  let once;
  if (contender === 'asyncthreadpool') {
    const { spawn } = library();
    const { BenchTasks } = benchTasks();
    once = (a, b) => spawn(BenchTasks).add(a, b);
  } else if (contender === 'raw-worker') {
    once = rawWorkerAdd;
  } else {
    throw new Error(`unknown contender ${contender} for spawn`);
  }
  check((await once(1, 2)) === 3, 'warm-up spawn');
  /** @type {number[]} */
  const each = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    check((await once(i, 2)) === i + 2, 'spawn result');
    each.push(performance.now() - t);
  }
  const elapsed = performance.now() - started;
  each.sort((a, b) => a - b);
  return { perSpawnMs: elapsed / count, medianSpawnMs: percentile(each, 0.5), maxSpawnMs: each[count - 1] };
}

/**
 * (e) cold start: a 2-thread pool created from compiled JavaScript, timed to its first result, from
 * the process's time origin and from the start of this module.
 * @param {string} contender
 */
async function cold(contender) {
  /** @type {number} */
  let value;
  /** @type {Pool['close']} */
  let close;
  if (contender === 'asyncthreadpool') {
    const { ThreadPool } = library();
    const { BenchTasks } = benchTasks();
    const pool = new ThreadPool({ threads: 2 });
    value = await pool.spawn(BenchTasks).add(1, 2);
    close = () => pool.close();
  } else if (contender === 'piscina') {
    const { Piscina } = require('piscina');
    const piscina = new Piscina({ filename: FILES.add, minThreads: 2, maxThreads: 2 });
    value = /** @type {number} */ (await piscina.run([1, 2]));
    close = () => piscina.destroy();
  } else {
    throw new Error(`unknown contender ${contender} for cold start`);
  }
  const firstResult = performance.now();
  check(value === 3, 'first result');
  await closePool({ add: notForSpin, spin: notForSpin, contextCount: () => Promise.resolve(undefined), close });
  return { sinceProcessStartMs: firstResult, sinceModuleStartMs: firstResult - moduleStart, moduleStartMs: moduleStart };
}

/**
 * One jest run of bench/ts-jest (its own config, the project's jest and ts-jest), in band; the
 * test writes its figures to a file that this reads back.
 * @param {Record<string, string>} extraEnv
 * @param {number} limitMs the run is killed after this long
 * @returns {Promise<{ figures: Record<string, unknown>, jestProcessMs: number, loadAverage1m: number }>}
 */
function runJest(extraEnv, limitMs) {
  const fs = require('node:fs');
  const os = require('node:os');
  const { spawn } = require('node:child_process');
  const jest = require.resolve('jest/bin/jest', { paths: [ROOT] });
  const config = path.join(__dirname, 'ts-jest', 'jest.config.cjs');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncthreadpool-bench-out-'));
  const out = path.join(dir, 'figures.json');
  const loadAverage1m = os.loadavg()[0] ?? NaN;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [jest, '--config', config, '--runInBand', '--ci'], {
      cwd: ROOT,
      env: { ...process.env, ...extraEnv, ASYNCTHREADPOOL_BENCH_OUT: out },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (/** @type {string} */ chunk) => (output += chunk));
    child.stderr.on('data', (/** @type {string} */ chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const jestProcessMs = performance.now() - started;
      /** @type {string | undefined} */
      let text;
      try {
        text = fs.readFileSync(out, 'utf8');
      } catch {
        text = undefined;
      }
      fs.rmSync(dir, { recursive: true, force: true });
      if (code !== 0 || text === undefined) {
        const how = code === null ? `signal ${String(signal)}` : `code ${code}`;
        reject(new Error(`jest exited with ${how}${text === undefined ? ' and no figures' : ''}: ${output.trim().split('\n').slice(-12).join(' | ')}`));
        return;
      }
      resolve({ figures: /** @type {Record<string, unknown>} */ (JSON.parse(text)), jestProcessMs, loadAverage1m });
    });
  });
}

/**
 * (e, TypeScript) per-thread start under ts-jest: jest runs bench/ts-jest/start.bench-test.ts, which
 * times a 2-thread pool of the TypeScript sources from `new ThreadPool()` until every thread has
 * answered (a broadcast), its threads loading the library and a TypeScript task module through the
 * library's hook. Contender `warm-cache`: the transpile cache where a user's runs keep it
 * (node_modules/.cache/asyncthreadpool, or $ASYNCTHREADPOOL_TS_CACHE), warm: if a thread still had
 * to load the compiler (a source changed since the last run), that run is not counted and jest runs
 * again. Contender `cold-cache`: $ASYNCTHREADPOOL_TS_CACHE set to a new empty folder, removed after.
 * @param {string} contender
 * @param {Params} p
 */
async function tsJestStart(contender, p) {
  const limitMs = p.jestLimitMs ?? 50_000;
  if (contender === 'warm-cache') {
    let uncountedRuns = 0;
    for (;;) {
      const { figures, jestProcessMs, loadAverage1m } = await runJest({}, limitMs);
      if (figures.typescriptLoadedThreads === 0) return { ...figures, jestProcessMs, loadAverage1m, uncountedRuns };
      uncountedRuns++;
      if (uncountedRuns >= 2) {
        throw new Error(`the transpile cache stays cold: a thread loaded the compiler in ${uncountedRuns} runs in a row (is $ASYNCTHREADPOOL_TS_CACHE 'off'?)`);
      }
    }
  }
  if (contender === 'cold-cache') {
    const fs = require('node:fs');
    const os = require('node:os');
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncthreadpool-bench-ts-cache-'));
    try {
      const { figures, jestProcessMs, loadAverage1m } = await runJest({ ASYNCTHREADPOOL_TS_CACHE: cache }, limitMs);
      return { ...figures, jestProcessMs, loadAverage1m, uncountedRuns: 0 };
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  }
  throw new Error(`unknown contender ${contender} for ts-jest-start (warm-cache or cold-cache)`);
}

/** @returns {typeof import('./stream-tasks.cjs')} */
function streamTasks() {
  return require('./stream-tasks.cjs');
}

/**
 * Samples this thread's V8 heap use: `sample()` when asked (the loop that consumes items), plus a
 * timer every `everyMs`.
 * @param {number} everyMs
 */
function heapSampler(everyMs) {
  const v8 = require('node:v8');
  let peak = v8.getHeapStatistics().used_heap_size;
  const sample = () => {
    const used = v8.getHeapStatistics().used_heap_size;
    if (used > peak) peak = used;
  };
  const timer = setInterval(sample, everyMs);
  return {
    sample,
    stop() {
      clearInterval(timer);
      sample();
      return peak / MB;
    },
  };
}

/**
 * (h) streaming: `n` small items (`{ id, name }`, or numbers with `numbers: 1`) from a 1-thread pool, iterated by the caller with
 * `for await` from a streaming task (contender `stream`: an async generator, default `highWaterMark`,
 * 16; `stream-hwm-1024`: `with({ highWaterMark: 1024 })`; `generator`: a synchronous generator,
 * default `highWaterMark`), or returned as one array and iterated (`array`). Timed from
 * the call to the last item summed; after warm-up calls of both tasks. Memory: this process's peak
 * RSS over its life (`process.resourceUsage().maxRSS`: the threads share it, so it is the caller's
 * and the worker's together), RSS sampled in the timed window, and the V8 heap peaks of the calling
 * thread and of the worker thread, each sampled.
 * @param {string} contender
 * @param {Params} p
 */
async function streamItems(contender, p) {
  const n = p.n ?? 0;
  const numbers = p.numbers === 1;
  /** @param {{ id: number } | number} row */
  const idOf = (row) => (typeof row === 'number' ? row : row.id);
  const { ThreadPool } = library();
  const { StreamBench } = streamTasks();
  const pool = new ThreadPool({ threads: 1 });
  const plain = pool.spawn(StreamBench);
  const remote = contender === 'stream-hwm-1024' ? pool.with({ highWaterMark: 1024 }).spawn(StreamBench) : plain;
  const warm = 20_000;
  check((await plain.rowsArray(warm, numbers)).length === warm, 'warm-up array');
  /** @param {number} count */
  const streamed = (count) => (contender === 'generator' ? remote.rowsGenerated(count, numbers) : remote.rowsStream(count, numbers));
  let warmCount = 0;
  for await (const row of streamed(warm)) warmCount += idOf(row) >= 0 ? 1 : 0;
  check(warmCount === warm, 'warm-up stream');
  await plain.heap();
  const rssBefore = process.memoryUsage().rss / MB;
  const rss = rssSampler(p.rssEveryMs ?? 5);
  const heap = heapSampler(p.rssEveryMs ?? 5);
  let count = 0;
  let sum = 0;
  const started = performance.now();
  if (contender === 'array') {
    const rows = await plain.rowsArray(n, numbers);
    heap.sample();
    for (const row of rows) {
      sum += idOf(row);
      count++;
    }
  } else if (contender === 'stream' || contender === 'stream-hwm-1024' || contender === 'generator') {
    for await (const row of streamed(n)) {
      sum += idOf(row);
      if ((++count & 0x3fff) === 0) heap.sample();
    }
  } else {
    throw new Error(`unknown contender ${contender} for stream (stream, stream-hwm-1024, generator or array)`);
  }
  const elapsed = performance.now() - started;
  const { peakRssMB } = rss.stop();
  const callerPeakHeapMB = heap.stop();
  check(count === n && sum === (n * (n - 1)) / 2, `${n} items, their ids summed`);
  const worker = await plain.heap();
  await closePool({ add: notForSpin, spin: notForSpin, contextCount: () => Promise.resolve(undefined), close: () => pool.close() });
  return {
    elapsedMs: elapsed,
    itemsPerSec: n / (elapsed / 1000),
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    peakRssMB,
    rssBeforeMB: rssBefore,
    callerPeakHeapMB,
    workerPeakHeapMB: worker.peakHeapMB,
  };
}

/**
 * (i) progress: a task doing `n` small units of work (`work` arithmetic steps each) on a 1-thread
 * pool, timed from the call to its result. `reports`: it reports progress after every unit and the
 * caller listens (`onProgress`); `unheard`: it reports, the caller does not listen; `silent`: the
 * same work with no report (the baseline).
 * @param {string} contender
 * @param {Params} p
 */
async function progressBench(contender, p) {
  const n = p.n ?? 0;
  const work = p.work ?? 0;
  const { ThreadPool } = library();
  const { StreamBench } = streamTasks();
  const pool = new ThreadPool({ threads: 1 });
  let received = 0;
  let last = 0;
  const listening = pool
    .with({
      onProgress: (done) => {
        received++;
        last = typeof done === 'number' ? done : NaN;
      },
    })
    .spawn(StreamBench);
  const plain = pool.spawn(StreamBench);
  /** @type {() => Promise<number>} */
  let once;
  if (contender === 'reports') once = () => listening.crunchReporting(n, work);
  else if (contender === 'unheard') once = () => plain.crunchReporting(n, work);
  else if (contender === 'silent') once = () => plain.crunch(n, work);
  else throw new Error(`unknown contender ${contender} for progress (reports, unheard or silent)`);
  const expected = await plain.crunch(n, work);
  // Warm-up: the thread's JIT compiles the loop.
  for (let i = 0; i < 3; i++) check((await once()) === expected, 'warm-up result');
  received = 0;
  const started = performance.now();
  const value = await once();
  const elapsed = performance.now() - started;
  check(value === expected, 'result');
  if (contender === 'reports') check(last === n && received > 0, `the last report (${last}) is ${n}`);
  await closePool({ add: notForSpin, spin: notForSpin, contextCount: () => Promise.resolve(undefined), close: () => pool.close() });
  return { elapsedMs: elapsed, nsPerUnit: (elapsed * 1e6) / n, reportsReceived: contender === 'reports' ? received : 0 };
}

/** @type {Record<string, (contender: string, params: Params) => Promise<Record<string, unknown>>>} */
const MEASURES = { throughput, latency, cpu, spawn: spawnBench, cold, 'ts-jest-start': tsJestStart, stream: streamItems, progress: progressBench };

async function main() {
  const [measure = '', contender = '', json = '{}'] = process.argv.slice(2);
  const run = MEASURES[measure];
  if (run === undefined) throw new Error(`unknown measure ${measure}; one of ${Object.keys(MEASURES).join(', ')}`);
  const params = /** @type {Params} */ (JSON.parse(json));
  const figures = await run(contender, params);
  return { ok: true, measure, contender, ...figures, ...(closeTimeouts > 0 ? { closeTimeouts } : {}) };
}

main().then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    // A library that leaves a handle behind must not stall the benchmark: the figures are out.
    setTimeout(() => process.exit(0), 2_000).unref();
  },
  (/** @type {unknown} */ error) => {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stdout.write(`${JSON.stringify({ ok: false, error: message })}\n`);
    process.exit(1);
  },
);
