import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type * as Library from '../../src';
import { DistStartTasks } from './dist-tasks';

/**
 * `B-dist` of `node bench/ab-ts-jest.cjs`: start.bench-test.ts's pool as a user's jest run has it,
 * the library from its build (dist/, an installed package) and a TypeScript task module
 * (dist-tasks.ts) that the threads load through the hook. Same figures as floor.ab-test.ts.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ThreadPool } = require(path.join(__dirname, '..', '..', 'dist')) as typeof Library;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { threadCpuMs } = require('./floor-cpu.cjs') as { threadCpuMs: () => number | null };

const THREADS = 2;
const now = (): number => performance.timeOrigin + performance.now();

test('a 2-thread pool of the build with a TypeScript task module starts under ts-jest', async () => {
  const mainCpu = threadCpuMs();
  const cpu = process.cpuUsage();
  const started = now();
  const pool = new ThreadPool({ threads: THREADS });
  const constructMs = now() - started;
  const answers = await pool.broadcast(DistStartTasks).hello();
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
});
