// Backpressure: with maxQueue, a full queue makes spawn reject with ERR_QUEUE_FULL and trySpawn
// return undefined; a producer awaits whenRoom() instead of queueing without bound.
import { AsyncThreadPoolError, ThreadPool } from '../src';
import { MathTasks } from '../tasks/math';

export async function main() {
  const pool = new ThreadPool({ threads: 1, maxQueue: 2 });

  // The first call goes straight to the idle thread; the next two fill the queue.
  const calls = [0, 1, 2].map((i) => pool.spawn(MathTasks).add(i, 1));
  const queuedWhenFull = pool.queueSize; // 2
  const trySpawnWhenFull = pool.trySpawn(MathTasks).add(3, 1); // undefined: nothing queued, nothing thrown
  const spawnWhenFull = await pool.spawn(MathTasks).add(3, 1).then(
    () => 'queued',
    (error: unknown) => (AsyncThreadPoolError.is(error) ? error.code : error), // 'ERR_QUEUE_FULL'
  );

  // A producer of 100 calls that never overfills the queue: it waits for room when trySpawn refuses.
  let waits = 0;
  let maxQueued = 0;
  for (let i = 3; i < 100; i++) {
    let call = pool.trySpawn(MathTasks).add(i, 1);
    while (call === undefined) {
      waits++;
      await pool.whenRoom();
      call = pool.trySpawn(MathTasks).add(i, 1);
    }
    calls.push(call);
    maxQueued = Math.max(maxQueued, pool.queueSize);
  }
  const results = (await Promise.all(calls)).filter((r, i) => r === i + 1).length; // 100: all, in order

  await pool.close();
  return { queuedWhenFull, spawnWhenFull, trySpawnWhenFull, waits, maxQueued, results };
}

if (require.main === module) void main().then((r) => { console.log(r); });
