/**
 * Type tests: checked by `tsc --noEmit` (part of `npm test`), never run. Each `@ts-expect-error`
 * line must fail to compile, or tsc reports the directive as unused.
 */
import { move, spawn, ThreadPool, type Remote } from '../../src';
import { BufferTasks } from '../../tasks/buffers';
import { CancellableTasks } from '../fixtures/cancellable';
import { Counter, MathTasks } from '../../tasks/math';
import { ContextTasks, Disposable, NeedsTwo, Other, PairTasks } from '../fixtures/contexts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

export async function poolWithoutContext(): Promise<void> {
  const pool = new ThreadPool();
  assertType<Equal<typeof pool, ThreadPool<never>>>();
  const five = pool.spawn(MathTasks).add(3, 2);
  assertType<Equal<typeof five, Promise<number>>>();
  const slow = pool.spawn(MathTasks).sleepAdd(1, 2, 3);
  assertType<Equal<typeof slow, Promise<number>>>(); // Promise<Promise<number>> flattened
  const ref = pool.spawn(MathTasks.add, 3, 2);
  assertType<Equal<typeof ref, Promise<number>>>();

  // @ts-expect-error wrong argument type
  await pool.spawn(MathTasks).add('3', 2);
  // @ts-expect-error too few arguments
  await pool.spawn(MathTasks).add(3);
  // @ts-expect-error too many arguments
  await pool.spawn(MathTasks).add(3, 2, 1);
  // @ts-expect-error wrong argument type, function-reference form
  await pool.spawn(MathTasks.add, 3, '2');
  // @ts-expect-error too few arguments, function-reference form
  await pool.spawn(MathTasks.add, 3);
  // @ts-expect-error not a method of the class
  await pool.spawn(MathTasks).nothing();
  // @ts-expect-error a pool without a context drops no parameter: incr still wants its Counter
  await pool.spawn(MathTasks).incr(1);
  await pool.close();
}

export async function poolWithContext(): Promise<void> {
  const one = new ThreadPool({ context: Counter, threads: 1 });
  assertType<Equal<typeof one, ThreadPool<Counter>>>();
  const proxy = one.spawn(MathTasks);
  assertType<Equal<typeof proxy, Remote<typeof MathTasks, Counter>>>();
  // The context parameter is dropped wherever it stands.
  assertType<Equal<Parameters<typeof proxy.incr>, [by: number]>>();
  assertType<Equal<Parameters<typeof proxy.get>, [number]>>();
  assertType<Equal<Parameters<typeof proxy.add>, [a: number, b: number]>>();
  const r = one.spawn(MathTasks.incr, 2);
  assertType<Equal<typeof r, Promise<number>>>();
  await one.spawn(MathTasks.get, 2);

  // @ts-expect-error the caller never passes the context
  await one.spawn(MathTasks).incr(new Counter(), 1);
  // @ts-expect-error wrong type for the remaining parameter
  await one.spawn(MathTasks).incr('1');
  // @ts-expect-error missing the remaining parameter, function-reference form
  await one.spawn(MathTasks.get);
  await one.close();
}

export async function poolWithAnotherContext(): Promise<void> {
  const other = new ThreadPool({ context: Other });
  // @ts-expect-error a Counter parameter is not this pool's context, so it is not dropped
  await other.spawn(MathTasks).incr(1);
  await other.close();
}

export async function contextByBaseOrUnion(): Promise<void> {
  // A parameter declared as a union containing the pool's context takes it.
  const pool = new ThreadPool({ context: NeedsTwo, contextArgs: [1, 2] });
  const pair = pool.spawn(PairTasks);
  assertType<Equal<Parameters<typeof pair.sum>, []>>();
  await pool.close();
  const disposable = new ThreadPool({ context: Disposable, contextArgs: [new Int32Array(2)] });
  await disposable.spawn(ContextTasks).touch();
  await disposable.close();
}

export async function poolless(): Promise<void> {
  const five = spawn(MathTasks).add(2, 3);
  assertType<Equal<typeof five, Promise<number>>>();
  const ten = spawn(MathTasks.add, 7, 3);
  assertType<Equal<typeof ten, Promise<number>>>();
  // A temporary thread builds the context itself; the proxy accepts the call without it.
  await spawn(MathTasks).incr(1);
  await spawn(MathTasks.get, 1);
  // @ts-expect-error wrong argument type
  await spawn(MathTasks).add('2', 3);
  // @ts-expect-error too many arguments
  await spawn(MathTasks.add, 1, 2, 3);
  // With per-call options: the same typing.
  const timed = spawn.with({ timeout: 1000 }).spawn(MathTasks).add(2, 3);
  assertType<Equal<typeof timed, Promise<number>>>();
  const timedRef = spawn.with({ signal: new AbortController().signal }).spawn(MathTasks.add, 1, 2);
  assertType<Equal<typeof timedRef, Promise<number>>>();
  // @ts-expect-error wrong argument type
  await spawn.with({ timeout: 1000 }).spawn(MathTasks).add('2', 3);
  // @ts-expect-error unknown option
  spawn.with({ timout: 1000 });
}

export function options(): void {
  // @ts-expect-error threads is a number
  new ThreadPool({ threads: '4' });
  // @ts-expect-error context is a class
  new ThreadPool({ context: {} });
  // @ts-expect-error unknown option
  new ThreadPool({ thread: 4 });
}

export async function disposable(): Promise<void> {
  await using pool = new ThreadPool({ threads: 1 });
  await pool.spawn(MathTasks).add(1, 1);
}

export async function perCallOptionsBackpressureBroadcast(): Promise<void> {
  const pool = new ThreadPool({ context: Counter, threads: 2, maxQueue: 10 });
  const controller = new AbortController();
  const view = pool.with({ signal: controller.signal, timeout: 100 });
  // Per-call options keep both forms typed exactly.
  const a = view.spawn(MathTasks).incr(1);
  assertType<Equal<typeof a, Promise<number>>>();
  const b = view.spawn(MathTasks.add, 1, 2);
  assertType<Equal<typeof b, Promise<number>>>();
  // @ts-expect-error wrong argument type through a view
  await view.spawn(MathTasks).add('1', 2);
  // @ts-expect-error unknown call option
  pool.with({ retries: 3 });

  // trySpawn: a promise, or undefined when the queue is full.
  const maybe = pool.trySpawn(MathTasks).add(1, 2);
  assertType<Equal<typeof maybe, Promise<number> | undefined>>();
  const maybeRef = pool.trySpawn(MathTasks.add, 1, 2);
  assertType<Equal<typeof maybeRef, Promise<number> | undefined>>();
  // @ts-expect-error trySpawn may return undefined: it must be checked before awaiting its value
  const unchecked: Promise<number> = pool.trySpawn(MathTasks).add(1, 2);

  // broadcast: one result per thread.
  const all = pool.broadcast(MathTasks).incr(1);
  assertType<Equal<typeof all, Promise<number[]>>>();
  // @ts-expect-error broadcast takes a class, not a function reference
  pool.broadcast(MathTasks.add);
  await pool.close();
}

export async function signalParameterIsDropped(): Promise<void> {
  const pool = new ThreadPool({ threads: 1 });
  const proxy = pool.spawn(CancellableTasks);
  // `@TaskSignal() signal: AbortSignal` is supplied by the worker, like the context.
  assertType<Equal<Parameters<typeof proxy.untilAborted>, [started: Int32Array]>>();
  assertType<Equal<Parameters<typeof proxy.signalState>, []>>();
  // @ts-expect-error the caller never passes the signal
  await proxy.signalState(new AbortController().signal);
  await pool.close();
}

export async function moveKeepsTypes(): Promise<void> {
  const pool = new ThreadPool({ threads: 1 });
  const bytes = new Uint8Array(4);
  const sum = pool.spawn(BufferTasks).sum(move(bytes));
  assertType<Equal<typeof sum, Promise<number>>>();
  // @ts-expect-error move() keeps the value's type: a string is still not bytes
  await pool.spawn(BufferTasks).sum(move('text'));
  await pool.close();
}

export async function inlinePool(): Promise<void> {
  const pool = ThreadPool.inline({ context: Counter });
  assertType<Equal<typeof pool, ThreadPool<Counter>>>();
  const n = pool.spawn(MathTasks).incr(1);
  assertType<Equal<typeof n, Promise<number>>>();
  // @ts-expect-error an inline pool has one thread by definition
  ThreadPool.inline({ threads: 2 });
  await pool.close();
}
