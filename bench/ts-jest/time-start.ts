import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type * as Library from '../../src';
import type { ThreadAnswer } from './tasks';

/**
 * What floor.ab-test.ts and dist.ab-test.ts of `node bench/ab-ts-jest.cjs` time: a 2-thread pool
 * of the build (dist/), from just before `new ThreadPool` until `tasks.hello()` has answered on
 * every thread, with the CPU of the process, of the calling thread and of each pool thread. The
 * figures go to `$ASYNCTHREADPOOL_BENCH_OUT` (or are printed).
 */
// Computed paths: `tsc --noEmit` type-checks bench/ without dist/; the types are the sources'.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ThreadPool } = require(path.join(__dirname, '..', '..', 'dist')) as typeof Library;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { threadCpuMs } = require('./floor-cpu.cjs') as { threadCpuMs: () => number | null };

const THREADS = 2;
const now = (): number => performance.timeOrigin + performance.now();

export async function timeStart(tasks: (new () => unknown) & { hello(): ThreadAnswer }): Promise<void> {
  const mainCpu = threadCpuMs();
  const cpu = process.cpuUsage();
  const started = now();
  const pool = new ThreadPool({ threads: THREADS });
  const constructMs = now() - started;
  const answers = await pool.broadcast(tasks).hello();
  const allReadyMs = now() - started;
  const used = process.cpuUsage(cpu);
  const mainAfter = threadCpuMs();
  await pool.close();
  expect(new Set(answers.map((a) => a.threadId)).size).toBe(THREADS);
  const figures = {
    threads: THREADS,
    allReadyMs,
    constructMs,
    cpuMs: (used.user + used.system) / 1000,
    mainThreadCpuMs: mainCpu === null || mainAfter === null ? null : mainAfter - mainCpu,
    threadCpuMs: answers.map((a) => a.cpuMs),
    typescriptLoadedThreads: answers.filter((a) => a.typescriptLoaded).length,
  };
  const out = process.env.ASYNCTHREADPOOL_BENCH_OUT;
  if (out === undefined || out === '') console.log(JSON.stringify(figures));
  else writeFileSync(out, JSON.stringify(figures));
}
