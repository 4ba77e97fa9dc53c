// Broadcast: run a task once on every thread, each part with that thread's own context.
import { ThreadPool } from '../src';
import { Counter, MathTasks } from '../tasks/math';
import { ThreadInfoTasks } from '../tasks/threads';

export async function main() {
  const pool = new ThreadPool({ context: Counter, threads: 2 });

  // Each thread's Counter goes from 0 to 10: two results, one per thread.
  const perThread = await pool.broadcast(MathTasks).incr(10); // [10, 10]

  // Then from 10 to 11; each part says which thread ran it. No thread runs two parts.
  const here = await pool.broadcast(ThreadInfoTasks).countHere();

  await pool.close();
  return {
    perThread,
    counts: here.map((h) => h.count), // [11, 11]: both counters saw both broadcasts
    threads: new Set(here.map((h) => h.threadId)).size, // 2: one part on each thread
  };
}

if (require.main === module) void main().then((r) => { console.log(r); });
