/**
 * Type tests of streaming tasks and progress: checked by `tsc --noEmit`, never run. A streaming
 * task's call is a `TaskStream` of its (cloned) items; `@TaskProgress()` parameters are dropped.
 */
import { spawn, type TaskStream, ThreadPool } from '../../src';
import { ProgressTasks } from '../fixtures/progress';
import { StreamTasks } from '../fixtures/streams';
import { SyncStreamTasks } from '../fixtures/sync-streams';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

export async function streamsAndProgress(): Promise<void> {
  const pool = new ThreadPool({ threads: 1 });
  const rows = pool.spawn(StreamTasks).range(3);
  assertType<Equal<typeof rows, TaskStream<number>>>();
  for await (const row of rows) assertType<Equal<typeof row, number>>();
  const of = pool.spawn(StreamTasks).rangeOf(3);
  assertType<Equal<typeof of, TaskStream<number>>>();
  const ref = pool.spawn(StreamTasks.range, 3);
  assertType<Equal<typeof ref, TaskStream<number>>>();
  const tried = pool.trySpawn(StreamTasks).range(3);
  assertType<Equal<typeof tried, TaskStream<number> | undefined>>();
  const pooless = spawn(StreamTasks).range(3);
  assertType<Equal<typeof pooless, TaskStream<number>>>();
  // @ts-expect-error -- a stream is not a promise
  const notAwaited: number[] = await pool.spawn(StreamTasks).range(3);
  // @ts-expect-error -- a streaming task cannot be broadcast
  void pool.broadcast(StreamTasks).range(3);
  // @ts-expect-error -- items are numbers
  for await (const row of pool.spawn(StreamTasks).range(3)) assertType<Equal<typeof row, string>>();

  // A (synchronous) generator method streams too, and is typed so.
  const generated = pool.spawn(SyncStreamTasks).range(3);
  assertType<Equal<typeof generated, TaskStream<number>>>();
  const generatedRef = spawn(SyncStreamTasks.range, 3);
  assertType<Equal<typeof generatedRef, TaskStream<number>>>();
  const objects = pool.spawn(SyncStreamTasks).endless(new Int32Array(4));
  assertType<Equal<typeof objects, TaskStream<{ i: number }>>>();
  // @ts-expect-error -- a streaming task cannot be broadcast
  void pool.broadcast(SyncStreamTasks).range(3);
  // An array is a result, not a stream (even from a task declared `stream: true`, which fails the call).
  const array = pool.spawn(SyncStreamTasks).anArray();
  assertType<Equal<typeof array, Promise<number[]>>>();

  // The @TaskProgress() parameter is dropped, wherever it stands.
  const counted = pool.with({ onProgress: (value: unknown) => value }).spawn(ProgressTasks).count(10);
  assertType<Equal<typeof counted, Promise<number>>>();
  const waited = pool.spawn(ProgressTasks).reportThenWait(new Int32Array(new SharedArrayBuffer(4)));
  assertType<Equal<typeof waited, Promise<string>>>();
  // @ts-expect-error -- the reporter is not the caller's to pass
  void pool.spawn(ProgressTasks).count(10, () => undefined);
  // @ts-expect-error -- onProgress is a function
  pool.with({ onProgress: 1 });
  // @ts-expect-error -- highWaterMark is a number
  pool.with({ highWaterMark: '16' });
  console.log(notAwaited);
  await pool.close();
}
