// Lifecycle: close() is graceful (queued calls finish, every thread's context is disposed), destroy()
// is immediate (unfinished calls reject with ERR_POOL_CLOSED, no context is disposed).
import { AsyncThreadPoolError, ThreadPool } from '../src';
import { Resource, ResourceTasks } from '../tasks/examples-lifecycle';

const codeOf = (call: Promise<unknown>): Promise<unknown> =>
  call.then(() => 'fulfilled', (error: unknown) => (AsyncThreadPoolError.is(error) ? error.code : error));

export async function main() {
  // Each Resource counts its disposal in shared memory, which both threads and this one see.
  const disposals = new Int32Array(new SharedArrayBuffer(4));
  const pool = new ThreadPool({ context: Resource, contextArgs: [disposals], threads: 2 });
  const calls = Array.from({ length: 10 }, () => pool.spawn(ResourceTasks).use());
  await pool.close(); // waits for the 10 calls, then disposes both contexts, then ends the threads
  const closed = {
    finished: (await Promise.all(calls)).length, // 10: nothing queued was dropped
    disposed: Atomics.load(disposals, 0), // 2: one context per thread
    afterClose: await codeOf(pool.spawn(ResourceTasks).use()), // 'ERR_POOL_CLOSED'
  };

  const abrupt = new Int32Array(new SharedArrayBuffer(4));
  const doomed = new ThreadPool({ context: Resource, contextArgs: [abrupt], threads: 1 });
  await doomed.spawn(ResourceTasks).use(); // the thread and its context exist
  const running = codeOf(doomed.spawn(ResourceTasks).forever()); // runs on the only thread
  const queued = codeOf(doomed.spawn(ResourceTasks).use()); // waits behind it
  await doomed.destroy(); // does not wait for them
  const destroyed = {
    running: await running, // 'ERR_POOL_CLOSED'
    queued: await queued, // 'ERR_POOL_CLOSED'
    disposed: Atomics.load(abrupt, 0), // 0: destroy() skips dispose
  };
  return { closed, destroyed };
}

if (require.main === module) void main().then((r) => { console.log(r); });
