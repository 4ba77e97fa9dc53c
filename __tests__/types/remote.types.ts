/**
 * Type tests of `asyncthreadpool/bullmq`: checked by `tsc --noEmit`, never run. A `RemotePool<Ctx>`
 * types calls exactly as a `ThreadPool<Ctx>` does.
 */
import { ThreadPool } from '../../src';
import { RemotePool, type RemoteView } from '../../src/bullmq';
import { Counter, MathTasks } from '../../tasks/math';
import { RemoteTasks } from '../fixtures/remote-tasks';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

export async function remoteLikeLocal(): Promise<void> {
  const connection = { host: '127.0.0.1', port: 6379 };
  const remote = new RemotePool<Counter>({ queue: 'q', connection });
  const local = new ThreadPool({ context: Counter });

  const a = remote.spawn(MathTasks).add(3, 2);
  const b = local.spawn(MathTasks).add(3, 2);
  assertType<Equal<typeof a, typeof b>>();
  assertType<Equal<typeof a, Promise<number>>>();
  const slow = remote.spawn(MathTasks).sleepAdd(1, 2, 3);
  assertType<Equal<typeof slow, Promise<number>>>();
  const ref = remote.spawn(MathTasks.add, 3, 2);
  const localRef = local.spawn(MathTasks.add, 3, 2);
  assertType<Equal<typeof ref, typeof localRef>>();
  // The context parameter is dropped, as on a local pool with that context.
  const total = remote.spawn(MathTasks).incr(1);
  assertType<Equal<typeof total, Promise<number>>>();
  // The whole proxy is the local pool's.
  const remoteProxy = remote.spawn(MathTasks);
  const localProxy = local.spawn(MathTasks);
  assertType<Equal<typeof remoteProxy, typeof localProxy>>();
  // So is the @TaskSignal() one.
  const aborted = remote.spawn(RemoteTasks).untilAborted('file');
  assertType<Equal<typeof aborted, Promise<string>>>();

  const guarded = remote.with({ signal: new AbortController().signal, timeout: 5_000, attempts: 3, backoff: { type: 'exponential', delay: 100 }, jobId: 'page-a', priority: 1 });
  assertType<Equal<typeof guarded, RemoteView<Counter>>>();
  const c = guarded.spawn(MathTasks).add(1, 2);
  assertType<Equal<typeof c, Promise<number>>>();
  const d = guarded.spawn(MathTasks.add, 1, 2);
  assertType<Equal<typeof d, Promise<number>>>();

  // @ts-expect-error wrong argument type
  await remote.spawn(MathTasks).add('3', 2);
  // @ts-expect-error too few arguments
  await remote.spawn(MathTasks).add(3);
  // @ts-expect-error wrong argument type, function-reference form
  await remote.spawn(MathTasks.add, 3, '2');
  // @ts-expect-error not a method of the class
  await remote.spawn(MathTasks).nothing();
  // @ts-expect-error the context is supplied by the serving thread, not passed
  await remote.spawn(MathTasks).incr(new Counter(), 1);
  // @ts-expect-error unknown call option
  remote.with({ retries: 3 });
  // @ts-expect-error backoff type must be fixed or exponential
  remote.with({ backoff: { type: 'linear', delay: 1 } });
  // @ts-expect-error a queue name is required
  new RemotePool<Counter>({ connection });

  const noContext = new RemotePool({ queue: 'q', connection });
  // @ts-expect-error without a context, nothing is dropped: incr still wants its Counter
  await noContext.spawn(MathTasks).incr(1);

  await using disposable = new RemotePool({ queue: 'q', connection });
  await disposable.spawn(MathTasks).add(1, 1);
  await remote.close();
  await local.close();
}
