'use strict';
// One side of one measurement of `npm run bench:bullmq` (bench/bullmq.mjs runs it in a fresh process):
//
//   node bench/bullmq-child.cjs server <atp|bullmq> <redis port> <queue> <json params>
//     serves the queue until SIGTERM, then closes and exits; prints `ready` once it takes jobs.
//     atp:    `serve()` with a `ThreadPool` of `threads` threads (dist/), tasks of bench/tasks.cjs.
//     bullmq: a plain BullMQ `Worker` whose inline processor does the same work on the main thread.
//     threads: a plain BullMQ `Worker` whose processor hands each job to one of `threads` raw
//             `worker_threads` (one message each way, nothing else): the ceiling of any server that
//             runs its jobs off the main thread, on this machine.
//   node bench/bullmq-child.cjs caller <atp|bullmq> <redis port> <queue> <json params>
//     runs `warmup` jobs, then the measure, and prints one JSON line.
//     atp:    `RemotePool` calls (`remote.spawn(BenchTasks).add(i, 1)`).
//     bullmq, threads: `queue.add(name, data)` then `job.waitUntilFinished(queueEvents)`, BullMQ's own way.
//
// Measures: `throughput` (n jobs of `task` submitted at once, first submit → last result, jobs/s),
// `latency` (n jobs one at a time, each submit → its result: median and p99 in ms).
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { Worker: Thread } = require('node:worker_threads');
const { Queue, QueueEvents, Worker } = require('bullmq');
const { spin } = require('./spin.cjs');
const { BenchTasks } = require('./tasks.cjs');
// The built library, by a computed path (as bench/tasks.cjs does: tsc must not need dist/ to exist);
// the same module instances that bench/tasks.cjs loads.
/** @type {typeof import('../src')} */
const lib = require(path.join(__dirname, '..', 'dist'));
/** @type {typeof import('../src/bullmq')} */
const remoteLib = require(path.join(__dirname, '..', 'dist', 'bullmq'));

const [role, kind, portText, queueName, paramsText] = process.argv.slice(2);
const connection = { host: '127.0.0.1', port: Number(portText) };
/** @type {{ threads?: number, spinWait?: number, concurrency?: number, n?: number, warmup?: number, task?: string, iterations?: number, measure?: string }} */
const params = JSON.parse(paramsText ?? '{}');
const queue = String(queueName);
const KEEP = { age: 3600 };
/** Linux's USER_HZ: /proc reports thread CPU time in these ticks. */
const CLOCK_TICKS = 100;

/**
 * The work of a job, as the plain Worker's inline processor does it.
 * @param {string} name
 * @param {{ a: number, b: number, iterations: number }} data
 * @returns {number}
 */
function work(name, data) {
  return name === 'spin' ? spin(data.iterations) : data.a + data.b;
}

/** CPU milliseconds of this process's main thread (user + system), NaN where /proc is missing. */
function mainThreadCpuMs() {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${String(process.pid)}/stat`, 'utf8');
    // Fields after the command name (which is in parentheses): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/**
 * `size` raw worker threads that run `work` (the same code as the inline processor), one job at a
 * time each: a job goes to a free thread, or waits in line for one.
 * @param {number} size
 */
async function rawThreads(size) {
  const source = `const { parentPort } = require('node:worker_threads');
const { spin } = require(${JSON.stringify(path.join(__dirname, 'spin.cjs'))});
parentPort.on('message', ({ name, data }) => parentPort.postMessage(name === 'spin' ? spin(data.iterations) : data.a + data.b));`;
  const workers = Array.from({ length: size }, () => new Thread(source, { eval: true }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('online', resolve))));
  /** @type {Thread[]} */
  const free = [...workers];
  /** @type {{ name: string, data: unknown, resolve: (value: number) => void }[]} */
  const line = [];
  /** @type {Map<Thread, (value: number) => void>} */
  const running = new Map();
  /** @param {Thread} w @param {{ name: string, data: unknown, resolve: (value: number) => void }} job */
  const start = (w, job) => {
    running.set(w, job.resolve);
    w.postMessage({ name: job.name, data: job.data });
  };
  for (const w of workers) {
    w.on('message', (/** @type {number} */ value) => {
      const resolve = running.get(w);
      running.delete(w);
      const next = line.shift();
      if (next === undefined) free.push(w);
      else start(w, next);
      resolve?.(value);
    });
  }
  return {
    size,
    /** @param {string} name @param {unknown} data @returns {Promise<number>} */
    run: (name, data) =>
      new Promise((resolve) => {
        const job = { name, data, resolve };
        const w = free.pop();
        if (w === undefined) line.push(job);
        else start(w, job);
      }),
    close: () => Promise.all(workers.map((w) => w.terminate())),
  };
}

async function server() {
  /** @type {() => Promise<void>} */
  let close;
  if (kind === 'atp') {
    const pool = new lib.ThreadPool({ threads: params.threads ?? 2, ...(params.spinWait === undefined ? {} : { spinWait: params.spinWait }) });
    await pool.broadcast(BenchTasks).add(0, 0); // every thread started, task module loaded
    const served = await remoteLib.serve({ queue, connection, pool, tasks: [BenchTasks], ...(params.concurrency === undefined ? {} : { concurrency: params.concurrency }) });
    close = async () => {
      await served.close();
      await pool.close();
    };
  } else if (kind === 'threads') {
    const threads = await rawThreads(params.threads ?? 2);
    /** @param {import('bullmq').Job<{ a: number, b: number, iterations: number }>} job */
    const processor = (job) => threads.run(job.name, job.data);
    const worker = new Worker(queue, processor, { connection, concurrency: params.concurrency ?? threads.size });
    worker.on('error', () => undefined);
    await worker.waitUntilReady();
    close = async () => {
      await worker.close();
      await threads.close();
    };
  } else {
    /** @param {import('bullmq').Job<{ a: number, b: number, iterations: number }>} job */
    const processor = (job) => Promise.resolve(work(job.name, job.data));
    const worker = new Worker(queue, processor, { connection, concurrency: params.concurrency ?? 1 });
    worker.on('error', () => undefined);
    await worker.waitUntilReady();
    close = () => worker.close();
  }
  // What this process spent on the measured jobs: CPU of all its threads, and of its main thread
  // alone (Linux: /proc, in clock ticks), from `ready` or the last SIGUSR2 (sent once the caller's
  // warm-up is over) to SIGTERM; printed as the last line before it closes.
  let cpu = process.cpuUsage();
  let main = mainThreadCpuMs();
  process.on('SIGUSR2', () => {
    cpu = process.cpuUsage();
    main = mainThreadCpuMs();
  });
  process.once('SIGTERM', () => {
    const used = process.cpuUsage(cpu);
    process.stdout.write(`${JSON.stringify({ serverCpuMs: (used.user + used.system) / 1000, serverMainMs: mainThreadCpuMs() - main })}\n`);
    void close().then(() => process.exit(0));
  });
  process.stdout.write('ready\n');
}

/**
 * A function that runs job `i` and resolves with its result.
 * @returns {Promise<{ run: (i: number) => Promise<number>, close: () => Promise<void> }>}
 */
async function caller() {
  const task = params.task ?? 'add';
  const iterations = params.iterations ?? 0;
  if (kind === 'atp') {
    const remote = new remoteLib.RemotePool({ queue, connection });
    const tasks = remote.spawn(BenchTasks);
    return {
      run: (i) => (task === 'spin' ? tasks.spin(iterations) : tasks.add(i, 1)),
      close: () => remote.close(),
    };
  }
  const q = new Queue(queue, { connection });
  // `waitUntilFinished` adds a 'closing' listener to the Queue per waiting job: with more than 10 at
  // once Node warns of a leak (MaxListenersExceededWarning), which this is not.
  q.setMaxListeners(0);
  // From the stream's start (the queue is new): with the default '$' the events of jobs that finish
  // before its first XREAD are lost, and `waitUntilFinished` then waits forever (seen in a trial run).
  const events = new QueueEvents(queue, { connection, lastEventId: '0-0' });
  await Promise.all([q.waitUntilReady(), events.waitUntilReady()]);
  return {
    run: async (i) => {
      const job = await q.add(task, { a: i, b: 1, iterations }, { removeOnComplete: KEEP, removeOnFail: KEEP });
      return Number(await job.waitUntilFinished(events));
    },
    close: async () => {
      await events.close();
      await q.close();
    },
  };
}

/**
 * @param {number[]} sorted
 * @param {number} q
 */
function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function measure() {
  const { run, close } = await caller();
  const n = params.n ?? 1000;
  const warmup = params.warmup ?? 100;
  for (let i = 0; i < warmup; i += 50) await Promise.all(Array.from({ length: Math.min(50, warmup - i) }, (_, j) => run(i + j)));
  // Tells bench/bullmq.mjs that the measured jobs start (it resets the server's and Redis's counters).
  process.stdout.write('warm\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  const cpu = process.cpuUsage();
  /** @type {Record<string, number>} */
  let result;
  if (params.measure === 'latency') {
    const times = [];
    for (let i = 0; i < n; i++) {
      const started = performance.now();
      const value = await run(i);
      times.push(performance.now() - started);
      if (value !== i + 1) throw new Error(`job ${String(i)} returned ${String(value)}`);
    }
    times.sort((a, b) => a - b);
    result = { medianMs: quantile(times, 0.5), p99Ms: quantile(times, 0.99) };
  } else {
    const started = performance.now();
    const values = await Promise.all(Array.from({ length: n }, (_, i) => run(i)));
    const ms = performance.now() - started;
    if (params.task !== 'spin' && values.some((v, i) => v !== i + 1)) throw new Error('a job returned a wrong value');
    result = { jobsPerSec: n / (ms / 1000), ms };
  }
  const used = process.cpuUsage(cpu);
  result.callerCpuMs = (used.user + used.system) / 1000;
  await close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/**
 * @param {unknown} error
 * @returns {never}
 */
function fatal(error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}

if (role === 'server') {
  server().catch(fatal);
} else {
  // Exits once the JSON line is out (pipes are synchronous on Linux): nothing else to wait for.
  measure().then(() => process.exit(0), fatal);
}
