import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type * as Library from '../../src';
import type { ThreadAnswer } from './tasks';

/**
 * The floor of `node bench/ab-ts-jest.cjs`: start.bench-test.ts's pool under the same jest and
 * ts-jest, but compiled, as a user with a built library and JavaScript task modules has it: the
 * library from dist/ and a .cjs task module (floor-tasks.cjs), so that no thread has TypeScript to
 * load. Same figures, written to `$ASYNCTHREADPOOL_BENCH_OUT` (or printed).
 */
// Computed paths: `tsc --noEmit` type-checks bench/ without dist/; the types are the sources'.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ThreadPool } = require(path.join(__dirname, '..', '..', 'dist')) as typeof Library;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { FloorTasks } = require('./floor-tasks.cjs') as { FloorTasks: (new () => unknown) & { hello(): ThreadAnswer } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { threadCpuMs } = require('./floor-cpu.cjs') as { threadCpuMs: () => number | null };

const THREADS = 2;
const now = (): number => performance.timeOrigin + performance.now();

test('a 2-thread pool of the build with a JavaScript task module starts under jest', async () => {
  const mainCpu = threadCpuMs();
  const cpu = process.cpuUsage();
  const started = now();
  const pool = new ThreadPool({ threads: THREADS });
  const constructMs = now() - started;
  const answers = await pool.broadcast(FloorTasks).hello();
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
    typescriptLoadedThreads: 0,
  };
  const out = process.env.ASYNCTHREADPOOL_BENCH_OUT;
  if (out === undefined || out === '') console.log(JSON.stringify(figures));
  else writeFileSync(out, JSON.stringify(figures));
});
