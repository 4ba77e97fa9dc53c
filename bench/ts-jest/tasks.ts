import { performance } from 'node:perf_hooks';
import { threadId } from 'node:worker_threads';
import { task } from '../../src/task';

/**
 * The TypeScript task module of the bench's ts-jest start-up measure (`start.bench-test.ts`). The
 * worker threads load it through the library's TypeScript hook (`src/shared/ts-hook.cjs`), as they
 * load a user's task modules under ts-jest; it imports the library's task entry from its sources, as this
 * repository's own task modules do (a user's import `'asyncthreadpool/task'`).
 */

/** What one thread answers: when, from which thread, and whether it had to load the compiler. */
export interface ThreadAnswer {
  threadId: number;
  /**
   * Epoch milliseconds (sub-millisecond) at which the task ran on the thread. A worker shares the
   * process's `performance.timeOrigin` (Node 20), so this compares with the main thread's clock.
   */
  at: number;
  /** True if the `typescript` compiler is loaded in the thread: a transpile cache miss. */
  typescriptLoaded: boolean;
}

export class StartTasks {
  @task static hello(): ThreadAnswer {
    return {
      threadId,
      at: performance.timeOrigin + performance.now(),
      typescriptLoaded: Object.keys(require.cache).some((file) => /[\\/]node_modules[\\/]typescript[\\/]/.test(file)),
    };
  }
}
