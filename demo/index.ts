/**
 * `npm run demo`: the three examples of the Nim original's README, rewritten, a look at thread
 * contexts across several threads, a thread-pooled HTTP client with one keep-alive socket per
 * thread (local server only), and a CPU-heavy job on the main thread then on the pool, with progress.
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

/** A progress display: a bar redrawn in place on a terminal, one plain line per quarter otherwise. */
function progress(label: string, total: number): (done: number) => void {
  const tty = process.stdout.isTTY;
  let lastQuarter = 0;
  return (done) => {
    if (tty) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      process.stdout.write(`\r   ${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(done)}/${String(total)}`);
      if (done === total) process.stdout.write('\n');
    } else if (done === total || Math.floor((done / total) * 4) > lastQuarter) {
      lastQuarter = Math.floor((done / total) * 4);
      console.log(`   ${label} ${String(done)}/${String(total)} chunks`);
    }
  };
}

/** A CPU-heavy job (counting primes, chunk by chunk) on the main thread, then on the pool. */
async function cpuDemo(): Promise<void> {
  const chunks = 48;
  const size = 40_000;
  const threads = os.availableParallelism();
  const range = (i: number): [number, number] => [i * size, (i + 1) * size];
  console.log(`\n6. CPU job: counting the primes below ${String(chunks * size)}, in ${String(chunks)} chunks`);

  let show = progress('main thread', chunks);
  let started = performance.now();
  const onMain: number[] = [];
  for (let i = 0; i < chunks; i++) {
    onMain.push(countPrimes(...range(i)));
    show(i + 1);
    // Let the progress line reach the terminal between chunks.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const mainMs = performance.now() - started;

  const pool = new ThreadPool({ threads });
  try {
    await pool.broadcast(CpuTasks).countPrimes(0, 1000); // threads started and module loaded
    show = progress(`pool of ${String(threads)}`, chunks);
    let done = 0;
    started = performance.now();
    const onPool = await Promise.all(
      Array.from({ length: chunks }, (_, i) =>
        pool.spawn(CpuTasks).countPrimes(...range(i)).then((count) => {
          show(++done);
          return count;
        }),
      ),
    );
    const poolMs = performance.now() - started;
    const same = onPool.every((count, i) => count === onMain[i]);
    const primes = onPool.reduce((sum, count) => sum + count, 0);
    console.log(
      `   ${String(primes)} primes. main thread ${mainMs.toFixed(0)} ms, pool of ${String(threads)} ${poolMs.toFixed(0)} ms: speedup ${(mainMs / poolMs).toFixed(2)}x (results ${same ? 'identical' : 'DIFFERENT'})`,
    );
  } finally {
    await pool.close();
  }
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
