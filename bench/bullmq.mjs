// `npm run bench:bullmq [-- --quick] [-- --only tiny,cpu,latency] [-- --rounds N] [-- --out <dir>]`
// (or `node bench/bullmq.mjs ...` once dist/ is built): asyncthreadpool/bullmq (`RemotePool` +
// `serve`) against a plain BullMQ `Worker` with an inline processor, side by side against one Redis
// that this script starts (Debian's `redis-server`, free loopback port, no persistence).
//
// Measures (issue 13, item 11):
//   (a) tiny tasks (`add`), N submitted at once: jobs/s; target asyncthreadpool ≥ 0.9× plain Worker.
//   (b) ~5 ms CPU tasks (`spin`, calibrated once here, so both do the same work): one serving process
//       with 2 threads (default concurrency: threads + 1) vs a plain Worker with concurrency 2 (its processor runs on one thread):
//       jobs/s; target ≥ 1.8×.
//   (c) caller-side latency of one job at a time: median and p99, both.
// Beside them, a ceiling (`threads`, not a contender): a plain Worker whose processor hands each job to
// 2 raw worker_threads, what any server running jobs off its main thread can reach on this machine.
// Every measurement runs in fresh processes (a server, then a caller: bench/bullmq-child.cjs) on a
// fresh queue; the contenders alternate within each round (A B, B A, ...). Each figure is the
// median over the rounds with its min–max, followed by the costs of a job (CPU of each process and
// of Redis, Redis commands), which a loaded machine distorts less than the rates. Writes bench/results/bullmq-latest.{md,json} (or into
// `--out <dir>`); prints the Markdown on stdout, progress on stderr.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import spinModule from './spin.cjs';

const { spin } = spinModule;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(HERE, 'bullmq-child.cjs');
const outIndex = process.argv.indexOf('--out');
const outArg = outIndex === -1 ? undefined : process.argv[outIndex + 1];
const RESULTS = outArg === undefined ? path.join(HERE, 'results') : path.resolve(outArg);
const QUICK = process.argv.includes('--quick');
const CONFIG = QUICK
  ? { rounds: 2, tinyN: 2_000, tinyWarmup: 200, cpuN: 200, cpuWarmup: 20, latencyN: 200, latencyWarmup: 50, childTimeoutMs: 120_000 }
  : { rounds: 5, tinyN: 10_000, tinyWarmup: 500, cpuN: 400, cpuWarmup: 40, latencyN: 1_000, latencyWarmup: 100, childTimeoutMs: 300_000 };
const CONTENDERS = ['atp', 'bullmq', 'threads'];

/**
 * @typedef {object} Plan
 * @property {string} id
 * @property {string} title
 * @property {'jobsPerSec' | 'latency'} figure
 * @property {Record<string, Record<string, unknown>>} server the server params of each contender
 * @property {Record<string, unknown>} caller
 * @property {number} [target] asyncthreadpool's jobs/s over the plain Worker's, at least
 */

/** @param {number} taskMs */
function calibrate(taskMs) {
  let iterations = 100_000;
  for (;;) {
    // CPU time, not wall time (a loaded machine's wall time includes time this process did not
    // run); the fastest of 5 runs, once the loop is optimised.
    let ms = Infinity;
    for (let run = 0; run < 5; run++) {
      const started = process.cpuUsage();
      spin(iterations);
      const used = process.cpuUsage(started);
      ms = Math.min(ms, (used.user + used.system) / 1000);
    }
    if (ms > 50) return Math.round((iterations * taskMs) / ms);
    iterations *= 2;
  }
}

/** @param {number[]} values */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
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
 * A child's JSON line as figures.
 * @param {unknown} value
 * @returns {Record<string, number>}
 */
function figuresOf(value) {
  if (typeof value !== 'object' || value === null) throw new Error(`bullmq-child printed no figures: ${String(value)}`);
  return Object.fromEntries(Object.entries(value).map(([key, figure]) => [key, Number(figure)]));
}

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = /** @type {net.AddressInfo} */ (server.address());
      server.close(() => {
        resolve(address.port);
      });
    });
  });
}

/** Starts redis-server on a free loopback port; resolves with its port and a stop function. */
async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise((resolve, reject) => {
    let out = '';
    child.once('error', (error) => {
      reject(new Error(`cannot start redis-server (install it with \`apt-get install redis-server\`): ${error.message}`));
    });
    child.once('exit', (code) => {
      reject(new Error(`redis-server exited (${String(code)}): ${out}`));
    });
    child.stdout.on('data', (chunk) => {
      out += String(chunk);
      if (out.includes('Ready to accept connections')) resolve(undefined);
    });
    child.stderr.resume();
  });
  child.removeAllListeners('exit');
  return {
    port,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGKILL');
      }),
  };
}

/**
 * Runs a child; resolves with its stdout once it exits (or, with `ready`, once it prints `ready`).
 * `onWarm` runs when it prints `warm` (a caller whose warm-up is over, waiting for a line on stdin).
 * @param {string[]} args
 * @param {boolean} ready
 * @param {(proc: import('node:child_process').ChildProcess) => void} [onWarm]
 */
function child(args, ready, onWarm) {
  const proc = spawn(process.execPath, [CHILD, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let warm = false;
  proc.stdout.on('data', (chunk) => {
    out += String(chunk);
    if (!warm && onWarm !== undefined && out.includes('warm\n')) {
      warm = true;
      onWarm(proc);
    }
  });
  proc.stderr.on('data', (chunk) => (err += String(chunk)));
  const timer = setTimeout(() => {
    proc.kill('SIGKILL');
  }, CONFIG.childTimeoutMs);
  /** @type {Promise<number | null>} */
  const exited = new Promise((resolve) => proc.once('exit', (code) => { clearTimeout(timer); resolve(code); }));
  /** @type {Promise<string>} */
  const done = new Promise((resolve, reject) => {
    if (ready) {
      proc.stdout.on('data', () => {
        if (out.includes('ready')) resolve(out);
      });
    }
    void exited.then((code) => {
      if (code === 0 && !ready) resolve(out);
      else reject(new Error(`bullmq-child ${args.join(' ')} exited (${String(code)}): ${err || out}`));
    });
  });
  return { proc, exited, done, output: () => out };
}

/**
 * Redis's CPU seconds and its command calls by command, from INFO.
 * @param {Redis} client
 */
async function redisCounters(client) {
  const info = `${await client.info('cpu')}\n${await client.info('commandstats')}`;
  const field = (/** @type {string} */ name) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  /** @type {Record<string, number>} */
  const calls = {};
  for (const match of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) calls[String(match[1])] = Number(match[2]);
  return { cpuMs: (field('used_cpu_user') + field('used_cpu_sys')) * 1000, calls };
}

/**
 * One measurement: a server of `contender`, then a caller, on a fresh queue. Besides the caller's
 * figures, the costs per measured job (warm-up excluded): CPU of the server (all its threads), of
 * its main thread (busy time), of the caller, and of Redis, and Redis commands by name.
 * @param {Plan} plan
 * @param {string} contender
 * @param {number} port
 * @param {number} round
 * @param {Redis} client
 */
async function measureOnce(plan, contender, port, round, client) {
  const queue = `bench-${plan.id}-${contender}-${String(round)}`;
  const server = child(['server', contender, String(port), queue, JSON.stringify(plan.server[contender])], true);
  const n = Number(plan.caller.n);
  /** @type {Record<string, number>} */
  let figures;
  try {
    await server.done;
    /** @type {Promise<Awaited<ReturnType<typeof redisCounters>>> | undefined} */
    let before;
    const caller = child(['caller', contender, String(port), queue, JSON.stringify(plan.caller)], false, (proc) => {
      server.proc.kill('SIGUSR2');
      before = redisCounters(client);
      void before.then(() => proc.stdin?.write('go\n'));
    });
    const out = await caller.done;
    const after = await redisCounters(client);
    const start = await before;
    figures = figuresOf(parseJson(out.trim().split('\n').pop() ?? ''));
    figures.callerCpuMsPerJob = (figures.callerCpuMs ?? NaN) / n;
    delete figures.callerCpuMs;
    figures.redisCpuMsPerJob = (after.cpuMs - (start?.cpuMs ?? NaN)) / n;
    for (const [name, count] of Object.entries(after.calls)) {
      const per = (count - (start?.calls[name] ?? 0)) / n;
      if (per >= 0.05 && name !== 'info') figures[`redis.${name}`] = per;
    }
  } finally {
    server.proc.kill('SIGTERM');
    await server.exited;
  }
  const costs = figuresOf(parseJson(server.output().trim().split('\n').pop() ?? ''));
  figures.serverCpuMsPerJob = (costs.serverCpuMs ?? NaN) / n;
  figures.serverMainMsPerJob = (costs.serverMainMs ?? NaN) / n;
  return figures;
}

const iterations = calibrate(5);
/** @type {Plan[]} */
const PLANS = [
  {
    id: 'tiny',
    title: '(a) tiny tasks (`add`), submitted at once: jobs/s',
    figure: 'jobsPerSec',
    server: { atp: { threads: 2, concurrency: 8 }, bullmq: { concurrency: 8 }, threads: { threads: 2, concurrency: 8 } },
    caller: { measure: 'throughput', task: 'add', n: CONFIG.tinyN, warmup: CONFIG.tinyWarmup },
    target: 0.9,
  },
  {
    id: 'cpu',
    title: '(b) ~5 ms CPU tasks (`spin`), submitted at once: jobs/s',
    figure: 'jobsPerSec',
    server: { atp: { threads: 2 }, bullmq: { concurrency: 2 }, threads: { threads: 2, concurrency: 3 } },
    caller: { measure: 'throughput', task: 'spin', iterations, n: CONFIG.cpuN, warmup: CONFIG.cpuWarmup },
    target: 1.8,
  },
  {
    id: 'latency',
    title: '(c) caller-side latency, one `add` job at a time: median and p99 (ms)',
    figure: 'latency',
    server: { atp: { threads: 2, concurrency: 2 }, bullmq: { concurrency: 2 }, threads: { threads: 2, concurrency: 2 } },
    caller: { measure: 'latency', task: 'add', n: CONFIG.latencyN, warmup: CONFIG.latencyWarmup },
  },
];

const DESCRIPTIONS = {
  atp: '`RemotePool` (caller process) → `serve()` on a `ThreadPool` (dist/, server process), task of bench/tasks.cjs on a pool thread',
  bullmq: '`queue.add()` + `job.waitUntilFinished(queueEvents)` (caller process) → plain BullMQ `Worker`, inline processor on the main thread (server process)',
  threads:
    'the ceiling of running jobs off the main thread: the plain caller → a plain BullMQ `Worker` whose processor hands each job to one of 2 raw `worker_threads` (one message each way, nothing else; same concurrency as atp)',
};

const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex === -1 ? undefined : String(process.argv[onlyIndex + 1]).split(',');
const ACTIVE = only === undefined ? PLANS : PLANS.filter((plan) => only.includes(plan.id));
const roundsIndex = process.argv.indexOf('--rounds');
if (roundsIndex !== -1) CONFIG.rounds = Number(process.argv[roundsIndex + 1]);
if (ACTIVE.length === 0) throw new Error(`--only takes plan ids, comma-separated: ${PLANS.map((plan) => plan.id).join(', ')}`);

const redis = await startRedis();
const client = new Redis({ host: '127.0.0.1', port: redis.port });
/** @type {Record<string, Record<string, Record<string, number>[]>>} */
const raw = {};
const startedAt = new Date();
try {
  for (const plan of ACTIVE) {
    raw[plan.id] = { atp: [], bullmq: [], threads: [] };
    for (let round = 0; round < CONFIG.rounds; round++) {
      const order = round % 2 === 0 ? CONTENDERS : [...CONTENDERS].reverse();
      for (const contender of order) {
        process.stderr.write(`${plan.id} round ${String(round + 1)}/${String(CONFIG.rounds)} ${contender} ... `);
        const result = await measureOnce(plan, contender, redis.port, round, client);
        process.stderr.write(`${JSON.stringify(result)}\n`);
        raw[plan.id]?.[contender]?.push(result);
      }
    }
  }
} finally {
  client.disconnect();
  await redis.stop();
}

/**
 * @param {string} planId
 * @param {string} contender
 * @param {string} key
 */
function figures(planId, contender, key) {
  const values = (raw[planId]?.[contender] ?? []).map((r) => r[key] ?? NaN);
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** @param {{ median: number, min: number, max: number }} f @param {number} digits */
const show = (f, digits) => `${f.median.toFixed(digits)} (${f.min.toFixed(digits)}–${f.max.toFixed(digits)})`;

const lines = [
  `# asyncthreadpool/bullmq benchmark (${QUICK ? 'quick' : 'full'})`,
  '',
  `${startedAt.toISOString()}, Node ${process.version}, ${String(os.availableParallelism())} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}. ` +
    `${String(CONFIG.rounds)} rounds, contenders alternating; each figure is the median over the rounds (min–max). One local redis-server for everything; ` +
    `every measurement in fresh processes on a fresh queue. (b)'s task is ${String(iterations)} spin iterations (~5 ms on this machine, calibrated once).`,
  '',
  '| contender | what it is |',
  '|---|---|',
  ...CONTENDERS.map((c) => `| ${c} | ${DESCRIPTIONS[/** @type {'atp' | 'bullmq' | 'threads'} */ (c)]} |`),
  '',
  '## Targets',
  '',
  '| measure | asyncthreadpool | plain Worker | ratio | target | verdict | raw threads (ceiling) | its ratio |',
  '|---|---|---|---|---|---|---|---|',
];
/** @type {Record<string, unknown>} */
const summary = {};
for (const plan of ACTIVE) {
  if (plan.figure === 'jobsPerSec') {
    const a = figures(plan.id, 'atp', 'jobsPerSec');
    const b = figures(plan.id, 'bullmq', 'jobsPerSec');
    const c = figures(plan.id, 'threads', 'jobsPerSec');
    const ratio = a.median / b.median;
    const ceiling = c.median / b.median;
    const met = plan.target === undefined ? undefined : ratio >= plan.target;
    summary[plan.id] = { atp: a, bullmq: b, threads: c, ratio, ceiling, target: plan.target, met };
    lines.push(`| ${plan.title} | ${show(a, 0)} | ${show(b, 0)} | ${ratio.toFixed(2)}× | ≥ ${String(plan.target)}× | ${met === true ? 'met' : 'MISSED'} | ${show(c, 0)} | ${ceiling.toFixed(2)}× |`);
  } else {
    for (const [key, label] of /** @type {const} */ ([['medianMs', 'median'], ['p99Ms', 'p99']])) {
      const a = figures(plan.id, 'atp', key);
      const b = figures(plan.id, 'bullmq', key);
      const c = figures(plan.id, 'threads', key);
      summary[`${plan.id}-${label}`] = { atp: a, bullmq: b, threads: c, ratio: a.median / b.median, ceiling: c.median / b.median };
      lines.push(`| ${plan.title.replace('median and p99', label)} | ${show(a, 2)} | ${show(b, 2)} | ${(a.median / b.median).toFixed(2)}× | reported | — | ${show(c, 2)} | ${(c.median / b.median).toFixed(2)}× |`);
    }
  }
}
const COSTS = /** @type {const} */ ([
  ['serverCpuMsPerJob', 'server CPU, all threads (ms)'],
  ['serverMainMsPerJob', "server's main thread CPU (ms)"],
  ['callerCpuMsPerJob', 'caller CPU (ms)'],
  ['redisCpuMsPerJob', 'Redis CPU (ms)'],
]);
lines.push('', '## Costs per measured job', '', 'Medians over the rounds; on a loaded machine these move less than the rates above. Redis commands are those every contender\'s processes sent.', '');
lines.push(`| measure | ${ACTIVE.flatMap((plan) => CONTENDERS.map((c) => `${plan.id} ${c}`)).join(' | ')} |`, `|---|${ACTIVE.flatMap(() => CONTENDERS.map(() => '---|')).join('')}`);
const commands = [...new Set(ACTIVE.flatMap((plan) => CONTENDERS.flatMap((c) => (raw[plan.id]?.[c] ?? []).flatMap((r) => Object.keys(r).filter((k) => k.startsWith('redis.'))))))].sort();
for (const [key, label] of [...COSTS, ...commands.map((k) => /** @type {const} */ ([k, `Redis ${k.slice(6).toUpperCase()} calls`]))]) {
  lines.push(`| ${label} | ${ACTIVE.flatMap((plan) => CONTENDERS.map((c) => median((raw[plan.id]?.[c] ?? []).map((r) => r[key] ?? 0)).toFixed(key.startsWith('redis.') ? 2 : 3))).join(' | ')} |`);
}
lines.push(
  '',
  'Ratios are asyncthreadpool over the plain Worker: for jobs/s higher is better, for latency lower is better.',
  `(a): every server takes 8 jobs at a time (\`concurrency: 8\`; the pool has 2 threads). (b): the pool has 2 threads and serve's default concurrency (threads + 1), the raw-threads server the same 3, the plain Worker 2 (its processor runs on its main thread). (c): every server takes 2 at a time.`,
  'The raw-threads column is no contender but the ceiling: what any server that runs its jobs on 2 threads off the main thread can reach on this machine (caller, Redis and server share its cores). A target above that ratio cannot be met here by asyncthreadpool either.',
  '',
);
const markdown = lines.join('\n');
mkdirSync(RESULTS, { recursive: true });
writeFileSync(path.join(RESULTS, 'bullmq-latest.md'), markdown);
writeFileSync(
  path.join(RESULTS, 'bullmq-latest.json'),
  `${JSON.stringify({ startedAt: startedAt.toISOString(), mode: QUICK ? 'quick' : 'full', config: CONFIG, iterations, plans: PLANS, summary, raw }, null, 2)}\n`,
);
process.stdout.write(markdown);
