import { setImmediate as nextTurn } from 'node:timers/promises';
import { task, TaskSignal, ThreadContext } from '../src/task';

/** A thread context that remembers how each crawl on its thread ended. */
export class CrawlLog {
  readonly endings: string[] = [];
}

/** The tasks of `examples/cancellation-and-timeouts.ts`. */
export class CrawlTasks {
  /**
   * "Fetches" up to `pages` pages, one per turn of the event loop, publishing the count in slot 0 of
   * `progress`; stops early, cooperatively, when its call is aborted or times out.
   */
  @task static async crawl(
    pages: number,
    progress: Int32Array,
    @TaskSignal() signal: AbortSignal,
    @ThreadContext() log: CrawlLog,
  ): Promise<number> {
    let done = 0;
    while (done < pages && !signal.aborted) {
      await nextTurn();
      done++;
      Atomics.store(progress, 0, done);
      Atomics.notify(progress, 0);
    }
    log.endings.push(signal.aborted ? `stopped by ${(signal.reason as Error).name}` : `finished ${done} pages`);
    return done;
  }

  /** How the crawls on this thread ended, in order. */
  @task static endings(@ThreadContext() log: CrawlLog): string[] {
    return log.endings;
  }
}
