// Cancellation and timeouts: pool.with({ signal }) and pool.with({ timeout }) reject the call at
// once; the running task sees its @TaskSignal() parameter aborted and stops by itself.
import { AsyncThreadPoolError, ThreadPool } from '../src';
import { CrawlLog, CrawlTasks } from '../tasks/examples-cancellation';

/** Resolves once the task has published some progress in slot 0 (no timers, no polling). */
async function started(progress: Int32Array): Promise<void> {
  while (Atomics.load(progress, 0) === 0) {
    const wait = Atomics.waitAsync(progress, 0, 0);
    if (wait.async) await wait.value;
  }
}

const failure = (call: Promise<unknown>): Promise<unknown> => call.then(() => undefined, (error: unknown) => error);

export async function main() {
  // abortGracePeriod: Infinity trusts the task to stop, so its thread (and CrawlLog) lives on.
  const pool = new ThreadPool({ context: CrawlLog, threads: 1, abortGracePeriod: Infinity });

  // Abort a running call with an AbortController.
  const controller = new AbortController();
  const progress = new Int32Array(new SharedArrayBuffer(4));
  const crawl = pool.with({ signal: controller.signal }).spawn(CrawlTasks).crawl(Infinity, progress);
  await started(progress);
  controller.abort(new Error('user left'));
  const abort = await failure(crawl);
  const aborted = AsyncThreadPoolError.is(abort, 'ERR_TASK_ABORTED') ? `${abort.name}, cause: ${(abort.cause as Error).message}` : 'not aborted';

  // A timeout counts from when the call starts running; the error is coded ERR_TASK_TIMEOUT.
  const late = await failure(pool.with({ timeout: 20 }).spawn(CrawlTasks).crawl(Infinity, new Int32Array(new SharedArrayBuffer(4))));
  const timedOut = AsyncThreadPoolError.is(late) ? late.code : 'no timeout';

  // A call without options gets a signal that never aborts, and runs to the end.
  const finished = await pool.spawn(CrawlTasks).crawl(3, new Int32Array(new SharedArrayBuffer(4)));

  // The same thread ran all three, with the same context: it saw each stop.
  const endings = await pool.spawn(CrawlTasks).endings();
  await pool.close();
  // { aborted: 'AbortError, cause: user left', timedOut: 'ERR_TASK_TIMEOUT', finished: 3,
  //   endings: ['stopped by AbortError', 'stopped by AsyncThreadPoolError', 'finished 3 pages'] }
  return { aborted, timedOut, finished, endings };
}

if (require.main === module) void main().then((r) => { console.log(r); });
