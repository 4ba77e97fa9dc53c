// Reliability: a task that kills its thread rejects with ERR_WORKER_EXITED and the thread is replaced
// (with a new context); a context that cannot be built breaks the pool with ERR_CONTEXT_INIT_FAILED.
import { AsyncThreadPoolError, ThreadPool } from '../src';
import { CallCount, Database, FragileTasks } from '../tasks/examples-reliability';

const codeOf = (call: Promise<unknown>): Promise<unknown> =>
  call.then(() => 'fulfilled', (error: unknown) => (AsyncThreadPoolError.is(error) ? error.code : error));

export async function main() {
  const pool = new ThreadPool({ context: CallCount, threads: 1 });
  const counts = [await pool.spawn(FragileTasks).count(), await pool.spawn(FragileTasks).count()]; // [1, 2]
  const crashed = await pool.spawn(FragileTasks).crash(3).then(() => undefined, (error: unknown) => error);
  const crash = AsyncThreadPoolError.is(crashed) ? crashed.code : crashed; // 'ERR_WORKER_EXITED'
  const exitCode = (crashed as { exitCode?: number }).exitCode; // 3
  const afterCrash = await pool.spawn(FragileTasks).count(); // 1: a new thread, a new CallCount
  await pool.close();

  // Database.init() cannot connect: the pool is broken. Every call rejects with the same coded error,
  // its `cause` the original one, and no thread is restarted to fail again.
  const misconfigured = new ThreadPool({ context: Database, threads: 1 });
  const first = await misconfigured.spawn(FragileTasks).query('select 1').then(() => undefined, (error: unknown) => error);
  const broken = [AsyncThreadPoolError.is(first) ? first.code : first, await codeOf(misconfigured.spawn(FragileTasks).query('select 2'))];
  const cause = ((first as Error).cause as Error).message; // 'connection refused'
  await misconfigured.close();
  return { counts, crash, exitCode, afterCrash, broken, cause };
}

if (require.main === module) void main().then((r) => { console.log(r); });
