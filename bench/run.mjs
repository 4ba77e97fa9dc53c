// `npm run bench [-- --quick]`: asyncthreadpool against raw Piscina, Piscina with `atomics: 'async'`,
// poolifier and Tinypool, side by side, as ratios measured in the same run.
//
// Every single measurement runs in a fresh process (`node bench/measure.cjs <measure> <contender>
// <json-params>`, one JSON line out). The contenders of a measure are interleaved (A B C D, A B C D,
// ...) over several rounds, so that the drift of a shared, noisy machine spreads over all of them.
// Each figure is the median over the rounds, with its min–max, and the ratio of that median to raw
// Piscina's (or to the measure's own baseline; the per-thread start under ts-jest is held against an
// absolute target instead). Writes bench/results/latest.{json,md,svg} and the same as
// bench/results/<YYYY-MM-DD>-<quick|full>.* (or in the folder given by `--out <dir>`); prints the
// Markdown on stdout, progress on stderr.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(HERE, '..');
const MEASURE = path.join(HERE, 'measure.cjs');
/** `--out <dir>` writes the results there instead of bench/results (for trial runs). */
const outIndex = process.argv.indexOf('--out');
const outArg = outIndex === -1 ? undefined : process.argv[outIndex + 1];
const RESULTS = outArg === undefined ? path.join(HERE, 'results') : path.resolve(outArg);

const QUICK = process.argv.includes('--quick');
/** `--only <id,...>` runs only those measures (e.g. `stream,progress`), for trial runs. */
const onlyIndex = process.argv.indexOf('--only');
const ONLY = onlyIndex === -1 ? undefined : new Set((process.argv[onlyIndex + 1] ?? '').split(','));
const MODE = QUICK ? 'quick' : 'full';

/**
 * Sizes of each mode. The full mode's sizes are the brief's; the quick mode is meant to finish in
 * well under two minutes on a 2-core machine.
 */
const CONFIG = QUICK
  ? { rounds: 3, throughputN: 50_000, throughputWarmup: 2_000, latencyN: 500, latencyWarmup: 200, cpuTasks: 200, spawns: 10, tsJestRounds: 2, streamItems: 100_000, progressUnits: 1_000_000, childTimeoutMs: 60_000 }
  : { rounds: 7, throughputN: 200_000, throughputWarmup: 2_000, latencyN: 2_000, latencyWarmup: 200, cpuTasks: 400, spawns: 20, tsJestRounds: 7, streamItems: 1_000_000, progressUnits: 1_000_000, childTimeoutMs: 180_000 };

/** (i) progress: the arithmetic steps of one unit of work (about 0.1 µs on a 2020s core). */
const PROGRESS_WORK = 100;
/** (h) streaming: the bar of issue 14, stream time / array time. */
const STREAM_TARGET = 1.5;

/**
 * The targets of the start under ts-jest (issue 12, item 8), per contender: absolute figures, not
 * ratios, each held against the contender's median `allReadyMs`.
 */
const TS_JEST_TARGETS_MS = /** @type {Record<string, number>} */ ({ 'warm-cache': 100, 'cold-cache': 250 });

const THREADS = 2;
const BASELINE = 'piscina';
const POOLS = ['asyncthreadpool', 'asyncthreadpool-context', 'piscina', 'piscina-async', 'poolifier', 'tinypool'];

/** What each contender is, for the report. */
const DESCRIPTIONS = /** @type {Record<string, string>} */ ({
  asyncthreadpool: '`new ThreadPool({ threads: 2 })` from dist/, task `BenchTasks.add` (bench/tasks.cjs)',
  'asyncthreadpool-context': 'the same with `context: BenchCounter`, task `addCounted` (increments the thread\'s counter)',
  piscina: 'raw Piscina, default options, `minThreads = maxThreads = 2`',
  'piscina-async': 'raw Piscina as above with `atomics: \'async\'`',
  poolifier: '`new FixedThreadPool(2, file)`, default options',
  tinypool: '`new Tinypool({ minThreads: 2, maxThreads: 2 })`, default options',
  'raw-worker': '`new Worker(file)` → postMessage → result message → `terminate()`, settled on exit',
  'warm-cache':
    '(e, ts-jest) jest + ts-jest running bench/ts-jest/start.bench-test.ts: `new ThreadPool({ threads: 2 })` from src/ (TypeScript), TypeScript task module bench/ts-jest/tasks.ts, transpile cache warm (node_modules/.cache/asyncthreadpool)',
  'cold-cache':
    "(e, ts-jest) the same with `ASYNCTHREADPOOL_TS_CACHE` pointing at a new empty folder: the main thread, which holds ts-jest's compiler, transpiles the task module before the threads start (the library's own files come from dist/, built from the same sources)",
  array: '(h) `new ThreadPool({ threads: 1 })`, task `StreamBench.rowsArray(n)` (bench/stream-tasks.cjs) returns the items as one array, which the caller iterates',
  stream: '(h) the same items from the async generator task `StreamBench.rowsStream(n)`, iterated with `for await`, default `highWaterMark` (16)',
  'stream-hwm-1024': '(h) the same stream with `with({ highWaterMark: 1024 })`',
  generator: '(h) the same items from the (synchronous) generator task `StreamBench.rowsGenerated(n)`, iterated with `for await`, default `highWaterMark`',
  silent: '(i) `new ThreadPool({ threads: 1 })`, task `StreamBench.crunch(n, work)`: n units of work, no report',
  reports: '(i) task `StreamBench.crunchReporting(n, work)`: the same work, a `@TaskProgress()` report after every unit, the caller listening with `onProgress`',
  unheard: '(i) the same reporting task called without `onProgress`',
});

/**
 * @typedef {object} Plan
 * @property {string} id
 * @property {string} measure the measure of bench/measure.cjs
 * @property {string[]} contenders
 * @property {Record<string, number>} params
 * @property {number} [rounds] this measure's rounds, if not CONFIG.rounds
 */

/** @type {Plan[]} */
const PLANS = [
  {
    id: 'throughput',
    measure: 'throughput',
    contenders: POOLS,
    params: { n: CONFIG.throughputN, warmup: CONFIG.throughputWarmup, threads: THREADS, rssEveryMs: 5 },
  },
  { id: 'latency', measure: 'latency', contenders: POOLS, params: { n: CONFIG.latencyN, warmup: CONFIG.latencyWarmup, threads: THREADS } },
  { id: 'cpu', measure: 'cpu', contenders: ['asyncthreadpool', 'piscina'], params: { tasks: CONFIG.cpuTasks, taskMs: 5 } },
  { id: 'spawn', measure: 'spawn', contenders: ['asyncthreadpool', 'raw-worker'], params: { count: CONFIG.spawns } },
  { id: 'cold', measure: 'cold', contenders: ['asyncthreadpool', 'piscina'], params: {} },
  // A jest process per run (2–4 s each): fewer rounds in the quick mode.
  { id: 'tsJestStart', measure: 'ts-jest-start', contenders: ['warm-cache', 'cold-cache'], params: { jestLimitMs: 50_000 }, rounds: CONFIG.tsJestRounds },
  // (h) issue 14: small objects (`{ id, name }`, as rows of a parsed file), then plain numbers.
  { id: 'stream', measure: 'stream', contenders: ['array', 'stream', 'stream-hwm-1024', 'generator'], params: { n: CONFIG.streamItems, numbers: 0, rssEveryMs: 5 } },
  { id: 'streamNumbers', measure: 'stream', contenders: ['array', 'stream', 'stream-hwm-1024', 'generator'], params: { n: CONFIG.streamItems, numbers: 1, rssEveryMs: 5 } },
  // (i) issue 14.
  { id: 'progress', measure: 'progress', contenders: ['silent', 'reports', 'unheard'], params: { n: CONFIG.progressUnits, work: PROGRESS_WORK } },
];

/** @typedef {Record<string, unknown>} Run one measurement's JSON line */

/**
 * @typedef {object} Outcome
 * @property {Run[]} runs the successful measurements, in round order
 * @property {string[]} errors
 * @property {boolean} skipped true once the contender failed twice in this measure
 */

/** @param {string} text */
function log(text) {
  process.stderr.write(`${text}\n`);
}

/**
 * Runs one measurement in a fresh process.
 * @param {string} measure
 * @param {string} contender
 * @param {Record<string, number>} params
 * @returns {Promise<{ ok: true, run: Run } | { ok: false, error: string }>}
 */
function measureOnce(measure, contender, params) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MEASURE, measure, contender, JSON.stringify(params)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (/** @type {string} */ chunk) => (stdout += chunk));
    child.stderr.on('data', (/** @type {string} */ chunk) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, CONFIG.childTimeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop() ?? '';
      const value = parseJson(line);
      /** @type {Run | undefined} */
      const parsed = isRecord(value) ? value : undefined;
      if (parsed?.ok === true) {
        resolve({ ok: true, run: parsed });
        return;
      }
      const reason =
        typeof parsed?.error === 'string'
          ? parsed.error
          : timedOut
            ? `no result within ${CONFIG.childTimeoutMs} ms (killed)`
            : `exited with ${code === null ? `signal ${String(signal)}` : `code ${code}`} and no result${stderr === '' ? '' : `: ${stderr.trim()}`}`;
      resolve({ ok: false, error: reason.split('\n').slice(0, 4).join(' | ') });
    });
  });
}

/**
 * @param {string} text
 * @returns {unknown} the parsed value, or undefined for text that is not JSON
 */
function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isRecord(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** @param {number[]} values */
function summary(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = Math.floor(n / 2);
  const median = n % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted[n - 1] ?? NaN, n };
}

/** @typedef {ReturnType<typeof summary>} Summary */

/**
 * @param {Run} run
 * @param {string} key
 */
function num(run, key) {
  const value = run[key];
  return typeof value === 'number' ? value : NaN;
}

/** @param {string} file */
function readVersion(file) {
  if (!existsSync(file)) return 'not installed';
  const pkg = parseJson(readFileSync(file, 'utf8'));
  return isRecord(pkg) && typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

function gitCommit() {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', timeout: 5_000 }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8', timeout: 5_000 }).trim() !== '';
    return dirty ? `${commit} with uncommitted changes in src/` : commit;
  } catch {
    return 'unknown';
  }
}

/** The newest modification time of the files under `dir` (recursively). */
function newestMtime(/** @type {string} */ dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(file) : statSync(file).mtimeMs);
  }
  return newest;
}

function host() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    availableParallelism: os.availableParallelism(),
    memoryGB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    date: new Date().toISOString(),
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

// ---------------------------------------------------------------------------------------------
// Formatting

/** @param {number} value @param {number} [digits] */
function fmt(value, digits = 1) {
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** @param {Summary} s @param {number} [digits] */
function range(s, digits = 1) {
  return s.n === 0 ? '–' : `${fmt(s.min, digits)} – ${fmt(s.max, digits)}`;
}

/** @param {number} ratio */
function fmtRatio(ratio) {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '–';
}

/**
 * @param {string[]} header
 * @param {string[][]} rows
 */
function table(header, rows) {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

/** @param {string} text */
function xml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  const renderIndex = process.argv.indexOf('--render');
  if (renderIndex !== -1) {
    rerender(process.argv[renderIndex + 1] ?? '');
    return;
  }
  const distIndex = path.join(ROOT, 'dist', 'index.js');
  if (!existsSync(distIndex)) {
    log('dist/ is missing: build the library first with `npx tsc -p tsconfig.build.json` (or `npm run build`).');
    process.exitCode = 1;
    return;
  }
  /** @type {string[]} */
  const notes = [];
  const distBuilt = newestMtime(path.join(ROOT, 'dist'));
  if (newestMtime(path.join(ROOT, 'src')) > distBuilt) {
    const stale = 'dist/ is older than src/: these figures are for the last build, not the current sources (`npm run build`).';
    log(`warning: ${stale}`);
    notes.push(stale);
  }

  const started = performance.now();
  const hostInfo = host();
  const versions = {
    asyncthreadpool: `${readVersion(path.join(ROOT, 'package.json'))} (dist/ built ${new Date(distBuilt).toISOString()}, repository at ${gitCommit()})`,
    piscina: readVersion(path.join(ROOT, 'node_modules', 'piscina', 'package.json')),
    poolifier: readVersion(path.join(ROOT, 'node_modules', 'poolifier', 'package.json')),
    tinypool: readVersion(path.join(ROOT, 'node_modules', 'tinypool', 'package.json')),
  };
  log(`bench (${MODE}): ${CONFIG.rounds} rounds; ${hostInfo.cpu}, ${hostInfo.cores} cores, Node ${hostInfo.node}`);

  /** @type {Record<string, Record<string, Outcome>>} */
  const outcomes = {};
  for (const plan of PLANS) {
    if (ONLY !== undefined && !ONLY.has(plan.id)) continue;
    /** @type {Record<string, Outcome>} */
    const byContender = {};
    for (const contender of plan.contenders) byContender[contender] = { runs: [], errors: [], skipped: false };
    outcomes[plan.id] = byContender;
    const rounds = plan.rounds ?? CONFIG.rounds;
    for (let round = 1; round <= rounds; round++) {
      for (const contender of plan.contenders) {
        const outcome = byContender[contender];
        if (outcome === undefined || outcome.skipped) continue;
        const t = performance.now();
        const result = await measureOnce(plan.measure, contender, plan.params);
        const seconds = ((performance.now() - t) / 1000).toFixed(1);
        if (result.ok) {
          outcome.runs.push(result.run);
          log(`  ${plan.id} round ${round}/${rounds} ${contender}: ok (${seconds} s)`);
        } else {
          outcome.errors.push(result.error);
          if (outcome.errors.length >= 2) outcome.skipped = true;
          log(`  ${plan.id} round ${round}/${rounds} ${contender}: FAILED (${seconds} s): ${result.error}`);
        }
      }
    }
  }
  const durationS = (performance.now() - started) / 1000;
  if (newestMtime(path.join(ROOT, 'dist')) !== distBuilt) {
    const rebuilt = 'dist/ was rebuilt while the benchmark ran: runs before and after may have measured different builds.';
    log(`warning: ${rebuilt}`);
    notes.push(rebuilt);
  }

  const report = buildReport(outcomes, notes);
  const endLoad = os.loadavg().map((l) => Math.round(l * 100) / 100);
  const json = {
    mode: MODE,
    host: { ...hostInfo, loadAverageAtEnd: endLoad },
    versions,
    config: { ...CONFIG, threads: THREADS, baseline: BASELINE, tsJestTargetsMs: TS_JEST_TARGETS_MS },
    durationS: Math.round(durationS * 10) / 10,
    contenders: DESCRIPTIONS,
    summary: report.summary,
    notes: report.notes,
    runs: outcomes,
  };
  const markdown = renderMarkdown(report, json.host, versions, durationS);
  const svg = renderSvg(report, json.host);

  mkdirSync(RESULTS, { recursive: true });
  const dated = `${hostInfo.date.slice(0, 10)}-${MODE}`;
  for (const base of ['latest', dated]) {
    writeFileSync(path.join(RESULTS, `${base}.json`), `${JSON.stringify(json, null, 2)}\n`);
    writeFileSync(path.join(RESULTS, `${base}.md`), markdown);
    writeFileSync(path.join(RESULTS, `${base}.svg`), svg);
  }
  process.stdout.write(markdown);
  const relative = path.relative(ROOT, RESULTS);
  const where = relative.startsWith('..') || path.isAbsolute(relative) ? RESULTS : relative;
  log(`\nwrote ${where}/latest.{json,md,svg} and ${where}/${dated}.{json,md,svg} (${durationS.toFixed(1)} s)`);
}

/**
 * `--render <results.json>` (with `--quick` for a quick run's file): writes the Markdown report again
 * beside the JSON, from the figures it holds, without measuring anything (after the report's format
 * changed).
 * @param {string} file
 */
function rerender(file) {
  const json = /** @type {{ host: Parameters<typeof renderMarkdown>[1], versions: Record<string, string>, durationS: number, summary: Omit<Report['summary'], 'stream' | 'streamNumbers' | 'progress'> & Partial<Report['summary']>, notes: string[] }} */ (
    parseJson(readFileSync(file, 'utf8'))
  );
  // Results written before (h) and (i) existed have none of their figures.
  const none = { rows: [], timeRatioToArray: {}, maxRssRatioToArray: {} };
  const summary = { stream: none, streamNumbers: none, progress: { rows: [], ratioToSilent: {}, nsPerReport: {} }, ...json.summary };
  const markdown = renderMarkdown({ summary, notes: json.notes }, json.host, json.versions, json.durationS);
  writeFileSync(file.replace(/\.json$/, '.md'), markdown);
  process.stdout.write(markdown);
}

// ---------------------------------------------------------------------------------------------
// Report

/**
 * @typedef {object} Row
 * @property {string} contender
 * @property {number} runs
 * @property {string | undefined} skipped why the contender has no figures
 * @property {Record<string, Summary>} figures
 */

/**
 * The summaries of one measure: per contender, per figure.
 * @param {Record<string, Outcome> | undefined} byContender
 * @param {string[]} keys
 * @returns {Row[]}
 */
function rowsOf(byContender, keys) {
  return Object.entries(byContender ?? {}).map(([contender, outcome]) => {
    /** @type {Record<string, Summary>} */
    const figures = {};
    for (const key of keys) figures[key] = summary(outcome.runs.map((run) => num(run, key)));
    return {
      contender,
      runs: outcome.runs.length,
      skipped: outcome.runs.length === 0 ? (outcome.errors[0] ?? 'no run') : undefined,
      figures,
    };
  });
}

/**
 * @param {Row[]} rows
 * @param {string} key
 * @param {string} baseline
 */
function ratios(rows, key, baseline) {
  const base = rows.find((r) => r.contender === baseline)?.figures[key]?.median ?? NaN;
  /** @type {Record<string, number>} */
  const out = {};
  for (const row of rows) out[row.contender] = (row.figures[key]?.median ?? NaN) / base;
  return out;
}

/**
 * @param {Record<string, Record<string, Outcome>>} outcomes
 * @param {string[]} notes
 */
function buildReport(outcomes, notes) {
  const throughput = rowsOf(outcomes.throughput, ['tasksPerSec', 'peakRssMB', 'rssBeforeMB']);
  const latency = rowsOf(outcomes.latency, ['medianUs', 'p99Us']);
  const cpu = rowsOf(outcomes.cpu, ['ms1', 'ms2', 'speedup', 'taskMs1']);
  const spawnRows = rowsOf(outcomes.spawn, ['perSpawnMs', 'medianSpawnMs']);
  const cold = rowsOf(outcomes.cold, ['sinceProcessStartMs', 'sinceModuleStartMs']);
  const tsJest = rowsOf(outcomes.tsJestStart, [
    'allReadyMs',
    'firstThreadReadyMs',
    'amortizedPerThreadMs',
    'secondPoolAllReadyMs',
    'typescriptLoadedThreads',
    'jestProcessMs',
    'uncountedRuns',
  ]);
  const streamKeys = ['elapsedMs', 'itemsPerSec', 'maxRssMB', 'peakRssMB', 'rssBeforeMB', 'callerPeakHeapMB', 'workerPeakHeapMB'];
  const stream = rowsOf(outcomes.stream, streamKeys);
  const streamNumbers = rowsOf(outcomes.streamNumbers, streamKeys);
  const progress = rowsOf(outcomes.progress, ['elapsedMs', 'nsPerUnit', 'reportsReceived']);
  const progressSilent = progress.find((r) => r.contender === 'silent')?.figures.nsPerUnit?.median ?? NaN;

  for (const [id, byContender] of Object.entries(outcomes)) {
    for (const [contender, outcome] of Object.entries(byContender)) {
      if (outcome.errors.length > 0) {
        const what = outcome.runs.length === 0 ? 'skipped: it failed' : `${outcome.errors.length} failed run(s), kept ${outcome.runs.length}`;
        notes.push(`${id} / ${contender}: ${what}: ${outcome.errors[0] ?? ''}`);
      }
      const hung = outcome.runs.filter((run) => num(run, 'closeTimeouts') > 0).length;
      if (hung > 0) {
        notes.push(
          `${id} / ${contender}: in ${hung} of ${outcome.runs.length} runs closing the pool did not settle within 3 s (after the timed window; figures kept).`,
        );
      }
    }
  }

  const retried = (outcomes.tsJestStart?.['warm-cache']?.runs ?? []).filter((run) => num(run, 'uncountedRuns') > 0).length;
  if (retried > 0) {
    notes.push(
      `tsJestStart / warm-cache: in ${retried} run(s) a thread still loaded the compiler (a source changed since the cache was written); that jest run was not counted and jest ran again.`,
    );
  }

  const summaryJson = {
    throughput: { rows: throughput, ratioToPiscina: ratios(throughput, 'tasksPerSec', BASELINE) },
    peakRss: { ratioToPiscina: ratios(throughput, 'peakRssMB', BASELINE) },
    latency: {
      rows: latency,
      medianRatioToPiscina: ratios(latency, 'medianUs', BASELINE),
      p99RatioToPiscina: ratios(latency, 'p99Us', BASELINE),
    },
    cpu: { rows: cpu, speedupRatioToPiscina: ratios(cpu, 'speedup', BASELINE) },
    spawn: { rows: spawnRows, ratioToRawWorker: ratios(spawnRows, 'perSpawnMs', 'raw-worker') },
    cold: {
      rows: cold,
      ratioToPiscina: ratios(cold, 'sinceProcessStartMs', BASELINE),
      sinceModuleStartRatioToPiscina: ratios(cold, 'sinceModuleStartMs', BASELINE),
    },
    tsJestStart: {
      rows: tsJest,
      /** Per contender. */
      targetsMs: TS_JEST_TARGETS_MS,
      targetFigure: 'allReadyMs',
      /** Per contender: the median of allReadyMs against that contender's target. */
      verdict: Object.fromEntries(tsJest.map((r) => [r.contender, verdict(r.figures.allReadyMs, TS_JEST_TARGETS_MS[r.contender])])),
    },
    stream: { rows: stream, timeRatioToArray: ratios(stream, 'elapsedMs', 'array'), maxRssRatioToArray: ratios(stream, 'maxRssMB', 'array') },
    streamNumbers: {
      rows: streamNumbers,
      timeRatioToArray: ratios(streamNumbers, 'elapsedMs', 'array'),
      maxRssRatioToArray: ratios(streamNumbers, 'maxRssMB', 'array'),
    },
    progress: {
      rows: progress,
      ratioToSilent: ratios(progress, 'elapsedMs', 'silent'),
      /** Per contender: ns per unit more than `silent`'s (the cost of one report). */
      nsPerReport: Object.fromEntries(progress.map((r) => [r.contender, (r.figures.nsPerUnit?.median ?? NaN) - progressSilent])),
    },
    context: {
      throughputRatio: ratios(throughput, 'tasksPerSec', 'asyncthreadpool')['asyncthreadpool-context'] ?? NaN,
      latencyMedianRatio: ratios(latency, 'medianUs', 'asyncthreadpool')['asyncthreadpool-context'] ?? NaN,
      latencyP99Ratio: ratios(latency, 'p99Us', 'asyncthreadpool')['asyncthreadpool-context'] ?? NaN,
    },
  };
  return { summary: summaryJson, notes };
}

/**
 * @param {Summary | undefined} figure
 * @param {number | undefined} targetMs
 * @returns {'met' | 'missed' | 'no figure' | 'no target'}
 */
function verdict(figure, targetMs) {
  if (targetMs === undefined) return 'no target';
  if (figure === undefined || figure.n === 0) return 'no figure';
  return figure.median <= targetMs ? 'met' : 'missed';
}

/**
 * The issue's targets, each as the ratio (or figure) measured in this run and whether it is met.
 * @param {Report['summary']} s
 * @returns {string[]} Markdown table lines
 */
function targetTable(s) {
  const us = 'asyncthreadpool';
  const speedup = s.cpu.rows.find((row) => row.contender === us)?.figures.speedup?.median ?? NaN;
  /** @param {string} contender */
  const tsJest = (contender) => s.tsJestStart.rows.find((row) => row.contender === contender)?.figures.allReadyMs?.median ?? NaN;
  const warmTarget = TS_JEST_TARGETS_MS['warm-cache'] ?? NaN;
  const coldTarget = TS_JEST_TARGETS_MS['cold-cache'] ?? NaN;
  /** @type {[string, number, string, (value: number) => boolean, string][]} */
  const targets = [
    ['(a) throughput, ratio to Piscina', s.throughput.ratioToPiscina[us] ?? NaN, '≥ 3×', (v) => v >= 3, '×'],
    ['(b) latency median, ratio to Piscina', s.latency.medianRatioToPiscina[us] ?? NaN, '≤ 1.1×', (v) => v <= 1.1, '×'],
    ['(c) speedup, 1 → 2 threads', speedup, '≥ 1.9', (v) => v >= 1.9, ''],
    ['(d) pool-less spawn, ratio to a raw Worker', s.spawn.ratioToRawWorker[us] ?? NaN, '≤ 1.15×', (v) => v <= 1.15, '×'],
    ['(e) cold start (compiled), ratio to Piscina', s.cold.ratioToPiscina[us] ?? NaN, '≤ 1.1×', (v) => v <= 1.1, '×'],
    ['(e) every thread ready under ts-jest, warm cache, ms', tsJest('warm-cache'), `≤ ${String(warmTarget)} ms`, (v) => v <= warmTarget, ''],
    ['(e) every thread ready under ts-jest, cold cache, ms', tsJest('cold-cache'), `≤ ${String(coldTarget)} ms`, (v) => v <= coldTarget, ''],
    ['(f) peak RSS, ratio to Piscina', s.peakRss.ratioToPiscina[us] ?? NaN, '≤ 0.5×', (v) => v <= 0.5, '×'],
    ['(g) context: throughput, with / without', s.context.throughputRatio, '≥ 0.95×', (v) => v >= 0.95, '×'],
    ['(g) context: median latency, with / without', s.context.latencyMedianRatio, '≤ 1.05×', (v) => v <= 1.05, '×'],
    ['(h, issue 14) stream / array time, small objects', s.stream.timeRatioToArray.stream ?? NaN, `≤ ${STREAM_TARGET}×`, (v) => v <= STREAM_TARGET, '×'],
    ['(h, issue 14) stream / array time, numbers', s.streamNumbers.timeRatioToArray.stream ?? NaN, `≤ ${STREAM_TARGET}×`, (v) => v <= STREAM_TARGET, '×'],
    ['(h, issue 14) generator stream / array time, small objects', s.stream.timeRatioToArray.generator ?? NaN, `≤ ${STREAM_TARGET}×`, (v) => v <= STREAM_TARGET, '×'],
    ['(h, issue 14) generator stream / array time, numbers', s.streamNumbers.timeRatioToArray.generator ?? NaN, `≤ ${STREAM_TARGET}×`, (v) => v <= STREAM_TARGET, '×'],
    ['(h, issue 14) stream / array peak RSS, small objects', s.stream.maxRssRatioToArray.stream ?? NaN, '≤ 1× (bounded)', (v) => v <= 1, '×'],
    ['(i, issue 14) progress: a report per unit / no report, time', s.progress.ratioToSilent.reports ?? NaN, '≤ 1.05×', (v) => v <= 1.05, '×'],
  ];
  return [
    '| target | measured | bar | verdict |',
    '| --- | ---: | ---: | --- |',
    ...targets.map(([name, value, bar, met, unit]) =>
      `| ${name} | ${Number.isNaN(value) ? 'no figure' : `${value.toFixed(2)}${unit}`} | ${bar} | ${Number.isNaN(value) ? '—' : met(value) ? 'met' : '**missed**'} |`,
    ),
  ];
}

/** @typedef {ReturnType<typeof buildReport>} Report */

/**
 * @param {Row} row
 * @param {number} columns the number of figure columns after the name
 */
function skippedRow(row, columns) {
  const reason = (row.skipped ?? '').split(' | ')[0] ?? '';
  return [row.contender, `skipped: ${reason.replace(/\|/g, '\\|').slice(0, 160)}`, ...Array.from({ length: columns - 1 }, () => '')];
}

/**
 * Table rows of two figures per contender, each as median, min – max and ratio to the baseline.
 * @param {Row[]} rows
 * @param {[string, Record<string, number>]} first the figure's key and its ratios by contender
 * @param {[string, Record<string, number>]} second
 * @returns {string[][]}
 */
function twoFigureRows(rows, first, second) {
  return rows.map((r) => {
    const cells = [first, second].map(([key, ratios]) => {
      const figure = r.figures[key];
      return figure === undefined ? undefined : [fmt(figure.median), range(figure), fmtRatio(ratios[r.contender] ?? NaN)];
    });
    if (r.skipped !== undefined || cells.includes(undefined)) return skippedRow(r, 6);
    return [r.contender, ...cells.flatMap((cell) => cell ?? [])];
  });
}

/**
 * @param {Report} report
 * @param {ReturnType<typeof host> & { loadAverageAtEnd: number[] }} hostInfo
 * @param {Record<string, string>} versions
 * @param {number} durationS
 */
function renderMarkdown(report, hostInfo, versions, durationS) {
  const s = report.summary;
  const out = [];
  out.push(`# asyncthreadpool benchmarks (${MODE})`, '');
  out.push(
    `Host: ${hostInfo.cpu}, ${hostInfo.cores} cores (available parallelism ${hostInfo.availableParallelism}), ${hostInfo.memoryGB} GB, ${hostInfo.os}, Node ${hostInfo.node}; ${hostInfo.date}; load average ${hostInfo.loadAverageAtStart.join(' / ')} at start, ${hostInfo.loadAverageAtEnd.join(' / ')} at end.`,
    '',
    `Versions: ${Object.entries(versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}.`,
    '',
    `Method: every measurement in a fresh process, contenders interleaved over ${CONFIG.rounds} rounds (${CONFIG.tsJestRounds} for the ts-jest start); each cell is the median over the rounds, with min – max; ratio = that median / raw Piscina's median (for (d): / the raw Worker's; for (g): with context / without). Same task \`(a, b) => a + b\` and ${THREADS} threads for all. Run time ${durationS.toFixed(0)} s.`,
    '',
  );

  out.push('## Targets (issue 5; h and i: issue 14), from the tables below', '', ...targetTable(s), '');

  const tput = s.throughput;
  out.push(
    `## (a) Throughput: ${fmt(CONFIG.throughputN, 0)} tasks submitted at once (higher is better)`,
    '',
    `From the first submit to the last settle, after ${fmt(CONFIG.throughputWarmup, 0)} warm-up tasks.`,
    '',
    table(
      ['contender', 'tasks/s (median)', 'min – max', 'runs', 'ratio to piscina'],
      tput.rows.map((r) => {
        const f = r.figures.tasksPerSec;
        if (r.skipped !== undefined || f === undefined) return skippedRow(r, 4);
        return [r.contender, fmt(f.median, 0), range(f, 0), String(r.runs), fmtRatio(tput.ratioToPiscina[r.contender] ?? NaN)];
      }),
    ),
    '',
  );

  const lat = s.latency;
  out.push(
    `## (b) Latency: one task at a time, each awaited (lower is better)`,
    '',
    `${fmt(CONFIG.latencyN, 0)} tasks after ${fmt(CONFIG.latencyWarmup, 0)} warm-up; per run the median and p99 of the round trips, then the median of those over the runs.`,
    '',
    table(
      ['contender', 'median µs', 'min – max', 'ratio to piscina', 'p99 µs', 'min – max', 'ratio to piscina'],
      twoFigureRows(lat.rows, ['medianUs', lat.medianRatioToPiscina], ['p99Us', lat.p99RatioToPiscina]),
    ),
    '',
  );

  const cpu = s.cpu;
  out.push(
    `## (c) CPU scaling: ${CONFIG.cpuTasks} tasks of ~5 ms CPU, 1 thread vs 2 threads (higher speedup is better)`,
    '',
    'The busy loop is calibrated once per process to ~5 ms on the main thread; speedup = time(1 thread) / time(2 threads) within one process.',
    '',
    table(
      ['contender', '1 thread ms', '2 threads ms', 'speedup (median)', 'min – max', 'ratio to piscina'],
      cpu.rows.map((r) => {
        const sp = r.figures.speedup;
        if (r.skipped !== undefined || sp === undefined) return skippedRow(r, 5);
        return [
          r.contender,
          fmt(r.figures.ms1?.median ?? NaN, 0),
          fmt(r.figures.ms2?.median ?? NaN, 0),
          fmt(sp.median, 2),
          range(sp, 2),
          fmtRatio(cpu.speedupRatioToPiscina[r.contender] ?? NaN),
        ];
      }),
    ),
    '',
  );

  const sp = s.spawn;
  out.push(
    `## (d) Pool-less spawn: ${CONFIG.spawns} sequential temporary threads (lower is better)`,
    '',
    "asyncthreadpool's `spawn(BenchTasks).add(i, 2)` vs a raw `new Worker(file)` → message → `terminate()`; both settle once the thread has exited; one uncounted spawn first.",
    '',
    table(
      ['contender', 'ms per spawn (median)', 'min – max', 'ratio to raw Worker'],
      sp.rows.map((r) => {
        const f = r.figures.perSpawnMs;
        if (r.skipped !== undefined || f === undefined) return skippedRow(r, 3);
        return [r.contender, fmt(f.median, 2), range(f, 2), fmtRatio(sp.ratioToRawWorker[r.contender] ?? NaN)];
      }),
    ),
    '',
  );

  const cold = s.cold;
  out.push(
    '## (e) Cold start: process start → first result of a 2-thread pool (lower is better)',
    '',
    'Measured inside the child: `performance.now()` (relative to `performance.timeOrigin`) at the first result, and the same minus its value when measure.cjs started (after Node booted). Both from compiled JavaScript, the library loaded after that start.',
    '',
    table(
      ['contender', 'since process start ms', 'min – max', 'ratio to piscina', 'since module start ms', 'min – max', 'ratio to piscina'],
      twoFigureRows(cold.rows, ['sinceProcessStartMs', cold.ratioToPiscina], ['sinceModuleStartMs', cold.sinceModuleStartRatioToPiscina]),
    ),
    '',
  );

  const tj = s.tsJestStart;
  const tjRounds = CONFIG.tsJestRounds;
  out.push(
    `## (e) Per-thread start with TypeScript task modules under ts-jest (lower is better; targets: warm cache ≤ ${String(TS_JEST_TARGETS_MS['warm-cache'])} ms, cold ≤ ${String(TS_JEST_TARGETS_MS['cold-cache'])} ms)`,
    '',
    `jest + ts-jest (bench/ts-jest/jest.config.cjs) runs bench/ts-jest/start.bench-test.ts, which imports the library from src/ and a TypeScript task module; timed inside the test from just before \`new ThreadPool({ threads: ${THREADS} })\` until a broadcast task has answered on every thread (the threads start in parallel, so this wall time is what each thread takes to be ready, and is the figure held against the target). ${tjRounds} rounds, warm and cold interleaved. Warm: the usual cache (a run in which a thread still loaded the compiler is not counted, and jest runs again). Cold: \`ASYNCTHREADPOOL_TS_CACHE\` set to an empty folder: the main thread, which holds ts-jest's compiler, transpiles the task module before the threads start, and the threads load the library's own files from dist/ (used only if built from the same sources), so no thread loads \`typescript\`. Each cache is held against its own target. "÷ threads" is the same wall time divided by ${THREADS}, not a per-thread cost; "2nd pool" is a second pool in the same test (main-thread side already loaded, cache written by the first). The jest process time (startup, ts-jest, test, exit) is for scale only.`,
    '',
    table(
      ['cache', 'all threads ready ms (median)', 'min – max', 'target', 'first thread ms', '÷ threads ms', '2nd pool ms', 'threads that loaded typescript', 'jest process s', 'runs'],
      tj.rows.map((r) => {
        const f = r.figures.allReadyMs;
        if (r.skipped !== undefined || f === undefined) return skippedRow(r, 9);
        return [
          r.contender,
          fmt(f.median),
          range(f),
          `≤ ${String(TS_JEST_TARGETS_MS[r.contender] ?? NaN)}: ${tj.verdict[r.contender] ?? 'no figure'}`,
          fmt(r.figures.firstThreadReadyMs?.median ?? NaN),
          fmt(r.figures.amortizedPerThreadMs?.median ?? NaN),
          fmt(r.figures.secondPoolAllReadyMs?.median ?? NaN),
          fmt(r.figures.typescriptLoadedThreads?.median ?? NaN, 0),
          fmt((r.figures.jestProcessMs?.median ?? NaN) / 1000),
          String(r.runs),
        ];
      }),
    ),
    '',
  );

  out.push(
    '## (f) Peak RSS during (a) (lower is better)',
    '',
    "The measuring process's `process.memoryUsage().rss`, sampled every 5 ms by a timer (plus once right after the last submit) from the first submit to the last settle.",
    '',
    table(
      ['contender', 'peak RSS MB (median)', 'min – max', 'RSS before MB', 'ratio to piscina'],
      tput.rows.map((r) => {
        const f = r.figures.peakRssMB;
        if (r.skipped !== undefined || f === undefined) return skippedRow(r, 4);
        return [r.contender, fmt(f.median), range(f), fmt(r.figures.rssBeforeMB?.median ?? NaN), fmtRatio(s.peakRss.ratioToPiscina[r.contender] ?? NaN)];
      }),
    ),
    '',
  );

  const plain = tput.rows.find((r) => r.contender === 'asyncthreadpool');
  const ctx = tput.rows.find((r) => r.contender === 'asyncthreadpool-context');
  const plainLat = lat.rows.find((r) => r.contender === 'asyncthreadpool');
  const ctxLat = lat.rows.find((r) => r.contender === 'asyncthreadpool-context');
  /** @param {Row | undefined} row @param {string} key @param {number} digits */
  const cell = (row, key, digits) => {
    const f = row?.figures[key];
    return f === undefined || f.n === 0 ? '–' : `${fmt(f.median, digits)} (${range(f, digits)})`;
  };
  out.push(
    '## (g) Context overhead (asyncthreadpool only)',
    '',
    "The (a) and (b) runs of `asyncthreadpool` (task `add`, no context) and `asyncthreadpool-context` (pool with `context: BenchCounter`, task `addCounted` whose `@ThreadContext()` counter it increments; the counters are checked to add up to the calls). Median (min – max).",
    '',
    table(
      ['figure', 'without context', 'with context', 'ratio with / without'],
      [
        ['throughput tasks/s (higher is better)', cell(plain, 'tasksPerSec', 0), cell(ctx, 'tasksPerSec', 0), fmtRatio(s.context.throughputRatio)],
        ['latency median µs (lower is better)', cell(plainLat, 'medianUs', 1), cell(ctxLat, 'medianUs', 1), fmtRatio(s.context.latencyMedianRatio)],
        ['latency p99 µs (lower is better)', cell(plainLat, 'p99Us', 1), cell(ctxLat, 'p99Us', 1), fmtRatio(s.context.latencyP99Ratio)],
      ],
    ),
    '',
  );

  for (const [key, what] of /** @type {const} */ ([
    ['stream', 'small objects `{ id, name }`'],
    ['streamNumbers', 'numbers'],
  ])) {
    const st = s[key];
    out.push(
      `## (h) Streaming: ${fmt(CONFIG.streamItems, 0)} ${what}, streamed vs returned as one array (lower is better; target ≤ ${STREAM_TARGET}× the array's time)`,
      '',
      "A 1-thread pool; timed from the call to the last item summed by the caller, after warm-up calls of both tasks. Max RSS: `process.resourceUsage().maxRSS` of the measuring process over its life (its threads share it: the caller's and the worker's memory together); peak RSS: sampled every 5 ms in the timed window; heap peaks: `v8.getHeapStatistics().used_heap_size` of the calling thread and of the worker thread, sampled.",
      '',
      table(
        ['contender', 'ms (median)', 'min – max', 'ratio to array', 'max RSS MB', 'ratio to array', 'peak RSS in window MB', 'RSS before MB', 'caller heap peak MB', 'worker heap peak MB'],
        st.rows.map((r) => {
          const f = r.figures.elapsedMs;
          if (r.skipped !== undefined || f === undefined) return skippedRow(r, 9);
          return [
            r.contender,
            fmt(f.median, 0),
            range(f, 0),
            fmtRatio(st.timeRatioToArray[r.contender] ?? NaN),
            fmt(r.figures.maxRssMB?.median ?? NaN),
            fmtRatio(st.maxRssRatioToArray[r.contender] ?? NaN),
            fmt(r.figures.peakRssMB?.median ?? NaN),
            fmt(r.figures.rssBeforeMB?.median ?? NaN),
            fmt(r.figures.callerPeakHeapMB?.median ?? NaN),
            fmt(r.figures.workerPeakHeapMB?.median ?? NaN),
          ];
        }),
      ),
      '',
    );
  }

  const pr = s.progress;
  {
    out.push(
      `## (i) Progress: ${fmt(CONFIG.progressUnits, 0)} units of work, a report after each vs none (lower is better)`,
      '',
      `A 1-thread pool; one call timed from the call to its result, after 3 warm-up calls; a unit is ${PROGRESS_WORK} arithmetic steps. "ns per report" = ns per unit minus \`silent\`'s.`,
      '',
      table(
        ['contender', 'ms (median)', 'min – max', 'ratio to silent', 'ns per unit', 'ns per report', 'reports that reached onProgress'],
        pr.rows.map((r) => {
          const f = r.figures.elapsedMs;
          if (r.skipped !== undefined || f === undefined) return skippedRow(r, 6);
          return [
            r.contender,
            fmt(f.median),
            range(f),
            fmtRatio(pr.ratioToSilent[r.contender] ?? NaN),
            fmt(r.figures.nsPerUnit?.median ?? NaN),
            r.contender === 'silent' ? '–' : fmt(pr.nsPerReport[r.contender] ?? NaN),
            fmt(r.figures.reportsReceived?.median ?? NaN, 0),
          ];
        }),
      ),
      '',
    );
  }

  out.push('## Contenders', '');
  for (const [name, text] of Object.entries(DESCRIPTIONS)) out.push(`- \`${name}\`: ${text}`);
  out.push('');
  if (report.notes.length > 0) {
    out.push('## Notes', '');
    for (const note of report.notes) out.push(`- ${note}`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

/**
 * A two-panel horizontal bar chart of the ratio to raw Piscina: (a) throughput and (b) median latency.
 * @param {Report} report
 * @param {ReturnType<typeof host>} hostInfo
 */
function renderSvg(report, hostInfo) {
  const width = 760;
  const labelWidth = 190;
  const barArea = width - labelWidth - 90;
  const rowHeight = 26;
  /** @type {{ title: string, values: [string, number][] }[]} */
  const panels = [
    {
      title: `(a) Throughput, ratio to raw Piscina (higher is better)`,
      values: Object.entries(report.summary.throughput.ratioToPiscina),
    },
    {
      title: `(b) Median latency, ratio to raw Piscina (lower is better)`,
      values: Object.entries(report.summary.latency.medianRatioToPiscina),
    },
  ];
  const parts = [];
  let y = 44;
  for (const panel of panels) {
    const finite = panel.values.map(([, v]) => v).filter((v) => Number.isFinite(v));
    const scaleMax = Math.max(1, ...finite) * 1.1;
    const x = (/** @type {number} */ v) => labelWidth + (v / scaleMax) * barArea;
    parts.push(`<text x="10" y="${y}" font-size="15" font-weight="bold">${xml(panel.title)}</text>`);
    y += 12;
    const top = y;
    for (const [name, value] of panel.values) {
      const color = name.startsWith('asyncthreadpool') ? '#d9480f' : name === BASELINE ? '#495057' : '#4c6ef5';
      parts.push(`<text x="${labelWidth - 8}" y="${y + 17}" font-size="13" text-anchor="end">${xml(name)}</text>`);
      if (Number.isFinite(value)) {
        parts.push(`<rect x="${labelWidth}" y="${y + 4}" width="${(x(value) - labelWidth).toFixed(1)}" height="${rowHeight - 8}" fill="${color}"/>`);
        parts.push(`<text x="${(x(value) + 6).toFixed(1)}" y="${y + 17}" font-size="12">${value.toFixed(2)}×</text>`);
      } else {
        parts.push(`<text x="${labelWidth + 6}" y="${y + 17}" font-size="12" fill="#868e96">no figure (skipped)</text>`);
      }
      y += rowHeight;
    }
    const one = x(1).toFixed(1);
    parts.push(`<line x1="${one}" y1="${top}" x2="${one}" y2="${y}" stroke="#212529" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${one}" y="${y + 14}" font-size="11" text-anchor="middle">piscina = 1</text>`);
    y += 44;
  }
  const height = y;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="22" font-size="13" fill="#495057">${xml(`asyncthreadpool bench (${MODE}), medians of ${CONFIG.rounds} rounds, ${THREADS} threads; ${hostInfo.cpu}, ${hostInfo.cores} cores, Node ${hostInfo.node}, ${hostInfo.date.slice(0, 10)}`)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

await main();
