/**
 * `npm run demo`: the three examples of the Nim original's README, rewritten, a look at thread
 * contexts across several threads, and a thread-pooled HTTP client with one keep-alive socket per
 * thread (local server only).
 */
import { threadId } from 'node:worker_threads';
import { ThreadPool } from '../src';
import { main as threadPoolExample } from '../examples/thread-pool';
import { main as poollessExample } from '../examples/poolless-spawn';
import { main as threadContextExample } from '../examples/thread-context';
import { Counter } from '../tasks/math';
import { ThreadInfoTasks } from '../tasks/threads';
import { HttpClient, HttpTasks } from '../tasks/http';
import { startCountingServer } from './http-server';

async function main(): Promise<void> {
  console.log('asyncthreadpool demo (main thread id %d)\n', threadId);

  console.log('1. spawn on a pool:            pool.spawn(MyTasks).myTask(3, 2)  =>', await threadPoolExample());
  console.log('2. spawn without a pool:       spawn(MyTasks).myTask(2, 3)       =>', await poollessExample());
  console.log('3. thread context, 1 thread:   myTaskWithContext x2, getContext  =>', await threadContextExample());

  const threads = 2;
  const pool = new ThreadPool({ context: Counter, threads });
  const calls = 20;
  await Promise.all(Array.from({ length: calls }, () => pool.spawn(ThreadInfoTasks).countHere()));
  // One more call on every thread: each reports its own Counter (its count includes this call).
  const perThread = await pool.broadcast(ThreadInfoTasks).countHere();
  await pool.close();
  console.log(`\n4. ${String(calls)} calls on a pool of ${String(threads)} threads, each thread counting in its own Counter context,`);
  console.log('   then pool.broadcast() asking every thread for its count:');
  for (const { threadId: id, count } of perThread) console.log(`   thread ${String(id)}: ${String(count - 1)} of the ${String(calls)} calls`);
  const total = perThread.reduce((sum, r) => sum + r.count - 1, 0);
  console.log(`   total ${String(total)}: no call lost, no context shared`);

  await httpDemo();
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
