/**
 * `npm run demo`: the three examples of the Nim original's README, rewritten, a look at thread
 * contexts across several threads, a thread-pooled HTTP client with one keep-alive socket per
 * thread (local server only), and a CPU-heavy job on the main thread and on the pool, round by round.
 */
import { threadId } from 'node:worker_threads';
import { ThreadPool } from '../src';
import { main as threadPoolExample } from '../examples/thread-pool';
import { main as poollessExample } from '../examples/poolless-spawn';
import { main as threadContextExample } from '../examples/thread-context';
import { Counter } from '../tasks/math';
import { ThreadInfoTasks } from '../tasks/threads';
import { HttpClient, HttpTasks } from '../tasks/http';
import { CpuTasks, countPrimes } from '../tasks/cpu';
import * as os from 'node:os';
import { startCountingServer } from './http-server';

async function main(): Promise<void> {
  console.log('asyncthreadpool demo (main thread id %d)\n', threadId);

  console.log('1. spawn on a pool:            pool.spawn(MyTasks).myTask(3, 2)  =>', await threadPoolExample());
  console.log('2. spawn without a pool:       spawn(MyTasks).myTask(2, 3)       =>', await poollessExample());
  console.log('3. thread context, 1 thread:   myTaskWithContext x2, getContext  =>', await threadContextExample());

  const threads = 2;
  const pool = new ThreadPool({ context: Counter, threads });
  const calls = 20;
  await pool.broadcast(ThreadInfoTasks).threadId(); // every thread started (a broadcast waits for all)
  await Promise.all(Array.from({ length: calls }, () => pool.spawn(ThreadInfoTasks).countHere(2)));
  // One more call on every thread: each reports its own Counter (its count includes this call).
  const perThread = await pool.broadcast(ThreadInfoTasks).countHere();
  await pool.close();
  console.log(`\n4. ${String(calls)} calls on a pool of ${String(threads)} threads, each thread counting in its own Counter context,`);
  console.log('   then pool.broadcast() asking every thread for its count:');
  for (const { threadId: id, count } of perThread) console.log(`   thread ${String(id)}: ${String(count - 1)} of the ${String(calls)} calls`);
  const total = perThread.reduce((sum, r) => sum + r.count - 1, 0);
  console.log(`   total ${String(total)}: no call lost, no context shared`);

  await httpDemo();
  await cpuDemo();
  console.log('\nScaling out: `npm run demo:cluster` runs 2,000 HTTP jobs on two serving processes through BullMQ (needs redis-server) and kills one midway.');
}

/**
 * A CPU-heavy job (counting primes, chunk by chunk) on the main thread and on the pool, in rounds:
 * after a warm-up on both sides, each round runs its share of the chunks on the main thread and on
 * the pool, one after the other (the order alternating from round to round, so that a spike of load
 * from elsewhere hits both sides alike), and the speedup shown is the median of the rounds' ratios,
 * so that one noisy round does not decide it. The rounds together do the whole job once on each side.
 */
async function cpuDemo(): Promise<void> {
  const threads = os.availableParallelism();
  const rounds = 6;
  // Each round gives every thread a few chunks, so that the pool's threads share its work evenly.
  const perRound = Math.max(8, 4 * threads);
  const chunks = rounds * perRound;
  const below = 1_920_000;
  const size = Math.ceil(below / chunks);
  const range = (i: number): [number, number] => [i * size, Math.min(below, (i + 1) * size)];
  // Round r takes every rounds-th chunk from r: the rounds cost alike (higher numbers cost more).
  const chunksOf = (round: number): number[] => Array.from({ length: perRound }, (_, k) => round + k * rounds);
  console.log(`\n6. CPU job: counting the primes below ${String(below)}, in ${String(chunks)} chunks, main thread vs pool`);
  console.log(`   in ${String(rounds)} rounds of ${String(perRound)} chunks after a warm-up; the speedup is the median of the rounds' ratios`);
  console.log("   each chunk on the pool reports its progress (@TaskProgress() in the task, onProgress per call)");

  const pool = new ThreadPool({ threads });
  try {
    // Warm-up: threads started, module loaded and countPrimes compiled, on every thread and here.
    await pool.broadcast(CpuTasks).countPrimes(0, 20_000);
    countPrimes(0, 20_000);
    const onMain: number[] = [];
    const onPool: number[] = [];
    const mainMs: number[] = [];
    const poolMs: number[] = [];
    const onMainThread = (round: number): void => {
      const started = performance.now();
      for (const i of chunksOf(round)) onMain[i] = countPrimes(...range(i));
      mainMs.push(performance.now() - started);
    };
    const onThePool = async (round: number): Promise<void> => {
      const started = performance.now();
      const counts = await Promise.all(
        chunksOf(round).map((i) =>
          pool
            .with({
              onProgress: (done) => {
                progress.report(i, done);
              },
            })
            .spawn(CpuTasks)
            .countPrimesReporting(...range(i))
            .then((count) => progress.finished(i, count)),
        ),
      );
      poolMs.push(performance.now() - started);
      progress.clearLine();
      chunksOf(round).forEach((i, k) => (onPool[i] = counts[k] ?? -1));
    };
    const ratios: number[] = [];
    const progress = new ChunkProgress(chunks, threads);
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        onMainThread(round);
        await onThePool(round);
      } else {
        await onThePool(round);
        onMainThread(round);
      }
      const main = mainMs[round] ?? 0;
      const onPoolMs = poolMs[round] ?? 0;
      ratios.push(main / onPoolMs);
      console.log(
        `   round ${String(round + 1)}/${String(rounds)}: main thread ${main.toFixed(0).padStart(4)} ms, pool of ${String(threads)} ${onPoolMs.toFixed(0).padStart(4)} ms, ${(main / onPoolMs).toFixed(2)}x`,
      );
    }
    const sorted = [...ratios].sort((a, b) => a - b);
    const median = ((sorted[(rounds - 1) >> 1] ?? 0) + (sorted[rounds >> 1] ?? 0)) / 2;
    const same = onPool.length === chunks && onPool.every((count, i) => count === onMain[i]);
    const primes = onPool.reduce((sum, count) => sum + count, 0);
    const total = (times: number[]): string => times.reduce((sum, ms) => sum + ms, 0).toFixed(0);
    console.log(
      `   ${String(primes)} primes. main thread ${total(mainMs)} ms, pool of ${String(threads)} ${total(poolMs)} ms in all; speedup ${median.toFixed(2)}x, the median of ${String(rounds)} rounds (${ratios.map((r) => r.toFixed(2)).join(', ')}) (results ${same ? 'identical' : 'DIFFERENT'})`,
    );
    console.log(`   progress: ${progress.summary()}`);
  } finally {
    await pool.close();
  }
}

/**
 * The per-task progress of the CPU job's chunks on the pool: the latest fraction each reported. On
 * a terminal, a status line shows the running chunks as they go; in every case a summary says how
 * many reports came and whether each chunk's last one (100%) came before its result.
 */
class ChunkProgress {
  readonly #latest: (number | undefined)[];
  readonly #atResult: (number | undefined)[];
  readonly #shown: number;
  #reports = 0;
  #done = 0;
  #drawn = 0;
  readonly #live = process.stdout.isTTY;

  constructor(chunks: number, threads: number) {
    this.#latest = new Array<number | undefined>(chunks);
    this.#atResult = new Array<number | undefined>(chunks);
    this.#shown = Math.min(threads, 8);
  }

  report(chunk: number, done: unknown): void {
    this.#reports++;
    this.#latest[chunk] = typeof done === 'number' ? done : NaN;
    if (this.#live && performance.now() - this.#drawn >= 50) this.#draw();
  }

  finished(chunk: number, count: number): number {
    this.#atResult[chunk] = this.#latest[chunk];
    this.#done++;
    return count;
  }

  clearLine(): void {
    if (this.#live) process.stdout.write('\r\x1b[K');
  }

  summary(): string {
    const tasks = this.#atResult.length;
    const complete = this.#atResult.filter((fraction) => fraction === 1).length;
    return `${String(tasks)} tasks sent ${String(this.#reports)} reports (coalesced: the latest every 10 ms at most); ${String(complete)} of ${String(tasks)} reported 100% before their result`;
  }

  #draw(): void {
    this.#drawn = performance.now();
    const running = this.#latest
      .map((fraction, chunk) => ({ fraction, chunk }))
      .filter(({ fraction, chunk }) => fraction !== undefined && this.#atResult[chunk] === undefined)
      .slice(0, this.#shown)
      .map(({ fraction, chunk }) => `#${String(chunk + 1)} ${bar(fraction ?? 0)} ${((fraction ?? 0) * 100).toFixed(0).padStart(3)}%`);
    process.stdout.write(`\r\x1b[K   pool: ${String(this.#done)}/${String(this.#latest.length)} chunks done  ${running.join('  ')}`);
  }
}

function bar(fraction: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * 10);
  return `[${'#'.repeat(filled)}${'.'.repeat(10 - filled)}]`;
}

/**
 * The Nim README's motivating case: a thread-pooled HTTP client with one keep-alive socket per
 * thread, against a local server that counts the TCP connections it accepts.
 */
async function httpDemo(): Promise<void> {
  const threads = 4;
  const requests = 2000;
  const server = await startCountingServer();
  const pool = new ThreadPool({ context: HttpClient, threads });
  try {
    const http = pool.spawn(HttpTasks);
    // Every thread started, with its socket open, before the clock starts (one GET per thread).
    await pool.broadcast(HttpTasks).get(`${server.url}/warm-up`);
    let started = performance.now();
    await Promise.all(Array.from({ length: requests }, (_, i) => http.get(`${server.url}/${String(i)}`)));
    const keepAliveRate = requests / ((performance.now() - started) / 1000);
    const keepAliveConnections = server.connections();

    started = performance.now();
    await Promise.all(Array.from({ length: requests }, (_, i) => http.getWithoutKeepAlive(`${server.url}/${String(i)}`)));
    const baselineRate = requests / ((performance.now() - started) / 1000);
    const baselineConnections = server.connections() - keepAliveConnections;

    console.log(`\n5. HTTP client on ${String(threads)} threads, ${String(requests)} GETs to a local server (127.0.0.1):`);
    console.log(`   one keep-alive socket per thread (context): ${keepAliveRate.toFixed(0).padStart(6)} requests/s, ${String(keepAliveConnections)} connections`);
    console.log(`   a new connection per request (baseline):    ${baselineRate.toFixed(0).padStart(6)} requests/s, ${String(baselineConnections)} connections`);
  } finally {
    await pool.close();
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
