import { readFileSync } from 'node:fs';
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
  /** The thread's CPU time since it was born, ms (Linux; else null). */
  cpuMs: number | null;
  /** What the thread's TypeScript hook did (`stats()` of src/shared/ts-hook.cjs), if it has counts. */
  hook: Record<string, number> | null;
}

/** The calling thread's own CPU time so far, ms, from /proc/thread-self/schedstat (Linux); else null. */
export function threadCpuMs(): number | null {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return null;
  }
}

export class StartTasks {
  @task static hello(): ThreadAnswer {
    return {
      threadId,
      at: performance.timeOrigin + performance.now(),
      typescriptLoaded: Object.keys(require.cache).some((file) => /[\\/]node_modules[\\/]typescript[\\/]/.test(file)),
      cpuMs: threadCpuMs(),
      hook: hookStats(),
    };
  }
}

function hookStats(): Record<string, number> | null {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the hook this thread installed, if it counts
  const hook = require('../../src/shared/ts-hook.cjs') as { stats?: () => Record<string, number> };
  return typeof hook.stats === 'function' ? hook.stats() : null;
}
