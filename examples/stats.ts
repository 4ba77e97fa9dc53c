// Stats: pool.stats is a cheap snapshot of the pool's activity, here after 200 calls and 1 failure.
import { ThreadPool } from '../src';
import { InventoryTasks } from '../tasks/examples-errors';
import { MathTasks } from '../tasks/math';

export async function main() {
  const pool = new ThreadPool({ threads: 2 });

  // 200 calls at once: the first go out alone, the backlog in batches (fewer messages than calls).
  await Promise.all(Array.from({ length: 200 }, (_, i) => pool.spawn(MathTasks).add(i, i)));
  // One call that throws (a RangeError): it counts as failed.
  await pool.spawn(InventoryTasks).reserve('widget', -1).catch(() => undefined);

  const s = pool.stats;
  await pool.close();
  return {
    threads: s.threads, // 2
    completed: s.completed, // 200
    failed: s.failed, // 1
    queued: s.queued, // 0
    running: s.running, // 0
    messages: s.messages, // fewer than 201
    utilization: s.utilization, // between 0 and 1: share of the threads' time spent running calls
    runTimeMs: { p50: s.runTime.p50, max: s.runTime.max }, // from a histogram over every call
  };
}

if (require.main === module) void main().then((r) => { console.log(r); });
