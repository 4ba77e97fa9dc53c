/**
 * `npm run demo`: the three examples of the Nim original's README, rewritten, then a look at
 * thread contexts across several threads. (A richer demo comes with its own issue.)
 */
import { threadId } from 'node:worker_threads';
import { ThreadPool } from '../src';
import { main as threadPoolExample } from '../examples/thread-pool';
import { main as poollessExample } from '../examples/poolless-spawn';
import { main as threadContextExample } from '../examples/thread-context';
import { Counter } from '../tasks/math';
import { ThreadInfoTasks } from '../tasks/threads';

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
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
