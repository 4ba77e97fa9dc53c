// Elastic threads: `threads: { min, max, idleTimeout }`. The pool starts with `min` threads, starts
// one more (up to `max`) while calls wait and every thread is busy, and ends a thread above `min`
// once it has been idle for `idleTimeout` ms, after disposing its context.
import { setTimeout as sleep } from 'node:timers/promises';
import { ThreadPool } from '../src';
import { Connection, ElasticJobs } from '../tasks/examples-elastic';

export async function main() {
  const closed = new Int32Array(new SharedArrayBuffer(4)); // counts the contexts disposed
  const gate = new Int32Array(new SharedArrayBuffer(4)); // the calls hold their threads until it opens
  const pool = new ThreadPool({ context: Connection, contextArgs: [closed], threads: { min: 1, max: 3, idleTimeout: 50 } });
  const atStart = pool.stats.threads;

  // Three calls that hold their threads: two wait, so the pool grows, one thread at a time, to 3.
  const calls = [1, 2, 3].map(() => pool.spawn(ElasticJobs).work(gate));
  while (pool.stats.running < 3) await sleep(5);
  const grown = pool.stats.threads;
  Atomics.store(gate, 0, 1);
  Atomics.notify(gate, 0);
  const threadsUsed = new Set(await Promise.all(calls)).size;

  // Idle now: the two threads above `min` end after 50 ms, each disposing its context first.
  while (pool.stats.reaped < 2) await sleep(10);
  const { threads, started, reaped } = pool.stats;
  const disposedBeforeClose = Atomics.load(closed, 0);
  await pool.close(); // the last thread's context is disposed too
  return { atStart, grown, threadsUsed, afterIdle: { threads, started, reaped }, disposedBeforeClose, disposed: Atomics.load(closed, 0) };
}

if (require.main === module) void main().then((r) => { console.log(r); });
