import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ThreadPool } from '../../src';
import { StartTasks, threadCpuMs, type ThreadAnswer } from './tasks';

/**
 * The bench's measure `ts-jest-start` (bench/measure.cjs runs it with bench/ts-jest/jest.config.cjs):
 * under ts-jest, with the library and the task module as TypeScript sources, how long a 2-thread
 * pool takes from `new ThreadPool()` until both threads have answered a task (a broadcast runs it
 * once on every thread). The threads load the library and the task module through the library's
 * TypeScript hook, from its transpile cache when warm.
 *
 * Writes its figures as JSON to `$ASYNCTHREADPOOL_BENCH_OUT` (or prints them if unset).
 */

const THREADS = 2;

const now = (): number => performance.timeOrigin + performance.now();

/** One pool: construction → every thread answered, then closed (outside the timed window). */
async function startPool(): Promise<{ allReadyMs: number; constructMs: number; answers: ThreadAnswer[]; started: number; cpuMs: number; mainThreadCpuMs: number | null }> {
  const mainCpu = threadCpuMs();
  const cpu = process.cpuUsage();
  const started = now();
  const pool = new ThreadPool({ threads: THREADS });
  const constructMs = now() - started;
  const answers = await pool.broadcast(StartTasks).hello();
  const allReadyMs = now() - started;
  const used = process.cpuUsage(cpu);
  const mainAfter = threadCpuMs();
  await pool.close();
  const mainThreadCpuMs = mainCpu === null || mainAfter === null ? null : mainAfter - mainCpu;
  return { allReadyMs, constructMs, answers, started, cpuMs: (used.user + used.system) / 1000, mainThreadCpuMs };
}

test('a 2-thread pool with a TypeScript task module starts under ts-jest', async () => {
  const first = await startPool();
  // A second pool in the same process: the main thread's side (Piscina, the library) is loaded and
  // warm, so this is the threads' own start-up.
  const second = await startPool();

  const threads = first.answers.map((a) => ({
    threadId: a.threadId,
    readyMs: a.at - first.started,
    typescriptLoaded: a.typescriptLoaded,
    cpuMs: a.cpuMs,
    hook: a.hook,
  }));
  expect(new Set(threads.map((t) => t.threadId)).size).toBe(THREADS);
  const figures = {
    threads: THREADS,
    allReadyMs: first.allReadyMs,
    constructMs: first.constructMs,
    firstThreadReadyMs: Math.min(...threads.map((t) => t.readyMs)),
    lastThreadReadyMs: Math.max(...threads.map((t) => t.readyMs)),
    amortizedPerThreadMs: first.allReadyMs / THREADS,
    secondPoolAllReadyMs: second.allReadyMs,
    secondPoolConstructMs: second.constructMs,
    // CPU time (less sensitive to other load than wall time; on Linux counted in scheduler ticks,
    // so compare means over many runs): the process's (every thread) from `new ThreadPool` until
    // every thread answered, the calling thread's alone, and each pool thread's from its birth to
    // its answer (null where the OS gives no per-thread figure).
    cpuMs: first.cpuMs,
    mainThreadCpuMs: first.mainThreadCpuMs,
    threadCpuMs: threads.map((t) => t.cpuMs),
    typescriptLoadedThreads: threads.filter((t) => t.typescriptLoaded).length,
    secondPoolTypescriptLoadedThreads: second.answers.filter((a) => a.typescriptLoaded).length,
    perThread: threads,
  };
  const out = process.env.ASYNCTHREADPOOL_BENCH_OUT;
  if (out === undefined || out === '') console.log(JSON.stringify(figures));
  else writeFileSync(out, JSON.stringify(figures));
});
