import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { threadId } from 'node:worker_threads';
import type * as TaskEntry from '../../src/task';
import type { ThreadAnswer } from './tasks';

// Not from tasks.ts, which imports the library's sources: this module loads the build alone.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { threadCpuMs } = require('./floor-cpu.cjs') as { threadCpuMs: () => number | null };

/**
 * The TypeScript task module of `node bench/ab-ts-jest.cjs`'s `B-dist` (dist.ab-test.ts): tasks.ts's
 * task, importing the library's build (dist/task, what a user's `asyncthreadpool/task` resolves to
 * in an installed package) instead of its sources.
 */
// A computed path: `tsc --noEmit` type-checks bench/ without dist/; the types are the sources'.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { task } = require(path.join(__dirname, '..', '..', 'dist', 'task')) as typeof TaskEntry;

export class DistStartTasks {
  @task static hello(): ThreadAnswer {
    return {
      threadId,
      at: performance.timeOrigin + performance.now(),
      typescriptLoaded: Object.keys(require.cache).some((file) => /[\\/]node_modules[\\/]typescript[\\/]/.test(file)),
      cpuMs: threadCpuMs(),
      hook: null,
    };
  }
}
