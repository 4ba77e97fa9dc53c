import type { Cloned } from './cloned';
import type { TaskStream } from './stream';
import { describe, fail } from '../shared/errors';
import { taskForFunction, tasksOfClass, type TaskRecord } from '../shared/manifest';

/** Any function that can be a task: a static method marked `@task`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parameters must accept every signature
export type TaskFunction = (...args: any[]) => unknown;

/** Any class: the static side of a task class. */
export type TaskClass = abstract new (...args: never[]) => unknown;

/**
 * The keys of the static methods of `C`, own or inherited, that a proxy offers: its `prototype`,
 * non-function statics and the names JavaScript itself reads from objects ({@link ReservedKey}: a
 * task so named is called by reference) are left out.
 */
export type TaskKeys<C> = Exclude<{ [K in keyof C]: C[K] extends TaskFunction ? K : never }[keyof C], ReservedKey>;

/** `true` when `T` is `any`: an `any` parameter is never taken for the context. */
type IsAny<T> = 0 extends 1 & T ? true : false;

/** `true` for `unknown`, `object` and `{}`: parameter types that accept anything are never taken for the context. */
type IsTop<P> = [unknown] extends [P] ? true : [P] extends [object] ? ([object] extends [P] ? true : false) : false;

/**
 * `true` when a parameter of type `P` takes the context `Ctx`: the context is assignable to it (the
 * declared class, a base class or a union containing it). `any` never is; `unknown`, `object` or `{}`
 * only when the context type is just as empty (a class with no public members reads as `{}`).
 */
type IsContext<P, Ctx> =
  IsAny<P> extends true
    ? false
    : [Ctx] extends [P]
      ? IsTop<P> extends true
        ? [P] extends [Ctx]
          ? true
          : false
        : true
      : false;

/**
 * The parameters `P` without the first one that takes the context `Ctx`, wherever it stands: what a
 * caller passes, since the worker supplies the context. `Ctx = never` (a pool without a context)
 * drops nothing.
 */
export type WithoutContext<P extends readonly unknown[], Ctx> = [Ctx] extends [never]
  ? P
  : P extends readonly [infer Head, ...infer Rest]
    ? IsContext<Head, Ctx> extends true
      ? Rest
      : [Head, ...WithoutContext<Rest, Ctx>]
    : P;

/**
 * Brand of the context type of a pool-less `spawn`: the thread builds the context from the
 * parameter's declared class, which types cannot see, so any one object parameter may be the one.
 */
export interface UnknownContext {
  /** Type-level only: no value has it, so nothing but the context parameter's position matches. */
  readonly __asyncthreadpoolUnknownContext: unique symbol;
}

/** `true` for a parameter type that could be a context instance (an object, not a function). */
type IsObjectParameter<P> = IsAny<P> extends true ? false : [P] extends [object] ? ([P] extends [TaskFunction] ? false : true) : false;

/** Every way of leaving out one object parameter of `P` (a union of tuples; `never` if none). */
type WithoutOneObject<P extends readonly unknown[]> = P extends readonly [infer Head, ...infer Rest]
  ? (IsObjectParameter<Head> extends true ? Rest : never) | [Head, ...WithoutOneObject<Rest>]
  : never;

/**
 * What a caller passes to a task with parameters `P` on a thread whose context type is `Ctx`. For a
 * pool-less spawn ({@link UnknownContext}) that is `P` itself, or `P` without one object parameter.
 */
export type CallerArgs<P extends readonly unknown[], Ctx> = WithoutProgress<
  WithoutSignal<[Ctx] extends [never] ? P : [Ctx] extends [UnknownContext] ? P | WithoutOneObject<P> : WithoutContext<P, Ctx>>
>;

/**
 * `true` when a parameter of type `P` takes a `@TaskProgress()` reporter: a function of one
 * parameter. No caller can pass a function (it cannot cross a thread), so none is left to pass.
 */
type IsProgress<P> = IsAny<P> extends true ? false : [P] extends [(value: never) => unknown] ? true : false;

/** The parameters `P` without the first one that takes a progress reporter: the worker supplies it. */
export type WithoutProgress<P extends readonly unknown[]> = P extends readonly [infer Head, ...infer Rest]
  ? IsProgress<Head> extends true
    ? Rest
    : [Head, ...WithoutProgress<Rest>]
  : P;

/** `true` for the return type of a streaming task. */
type IsStreaming<R> = IsAny<R> extends true ? false : [Awaited<R>] extends [never] ? false : Awaited<R> extends AsyncIterable<unknown> | Generator ? true : false;

/**
 * What a call of a task returning `R` gives the caller: a {@link TaskStream} of its items for a
 * streaming task (one that returns an `AsyncIterable`, an async generator, or a generator), else a
 * promise of its result, each as structured clone delivers it ({@link Cloned}). Another synchronous
 * iterator streams only with `@task({ stream: true })`, which types cannot see: declare such a
 * method's return type as a `Generator` to type its calls as streams.
 */
export type CallResult<R> =
  IsAny<R> extends true
    ? Promise<Cloned<Awaited<R>>>
    : [Awaited<R>] extends [never]
      ? Promise<never>
      : Awaited<R> extends AsyncIterable<infer Y>
      ? TaskStream<Cloned<Awaited<Y>>>
      : Awaited<R> extends Generator<infer Y>
        ? TaskStream<Cloned<Y>>
        : Promise<Cloned<Awaited<R>>>;

/** `true` when a parameter of type `P` takes the call's `AbortSignal` (a `@TaskSignal()` parameter). */
type IsSignal<P> = IsAny<P> extends true ? false : IsTop<P> extends true ? false : [AbortSignal] extends [P] ? true : false;

/** The parameters `P` without the first one that takes an `AbortSignal`: the worker supplies it. */
export type WithoutSignal<P extends readonly unknown[]> = P extends readonly [infer Head, ...infer Rest]
  ? IsSignal<Head> extends true
    ? Rest
    : [Head, ...WithoutSignal<Rest>]
  : P;

/** The promise a call resolves to: the task's (awaited) return value, as structured clone delivers it ({@link Cloned}). */
export type TaskResult<F> = F extends (...args: never[]) => infer R ? CallResult<R> : never;

/**
 * The typed proxy of a task class, as returned by `pool.spawn(Cls)`: each static method becomes a
 * function with the same parameters minus the context one, returning a promise of its result as it
 * arrives from the thread, a structured clone ({@link Cloned}: data kept, methods gone).
 *
 * @example
 * ```ts
 * import { ThreadPool } from 'asyncthreadpool';
 * import { Counter, MathTasks } from './tasks/math';
 *
 * const pool = new ThreadPool({ context: Counter, threads: 1 });
 * const math = pool.spawn(MathTasks); // Remote<typeof MathTasks, Counter>
 * const sum: number = await math.add(3, 2);
 * const total: number = await math.incr(1); // `ctx` is not passed
 * await pool.close();
 * ```
 */
export type Remote<C, Ctx> = {
  readonly [K in TaskKeys<C>]: C[K] extends (...args: infer P) => infer R
    ? (...args: CallerArgs<P, Ctx>) => CallResult<R>
    : never;
};

/**
 * The proxy of `pool.trySpawn(Cls)`: like {@link Remote}, but a call returns `undefined` instead of a
 * promise when the pool's queue is full (`maxQueue`), so the caller can back off without a throw.
 */
export type TryRemote<C, Ctx> = {
  readonly [K in TaskKeys<C>]: C[K] extends (...args: infer P) => infer R
    ? (...args: CallerArgs<P, Ctx>) => CallResult<R> | undefined
    : never;
};

/** The proxy of `pool.broadcast(Cls)`: each call runs once on every thread and resolves to the results in thread order. */
export type BroadcastRemote<C, Ctx> = {
  readonly [K in TaskKeys<C>]: C[K] extends (...args: infer P) => infer R
    ? IsStreaming<R> extends true
      ? never
      : (...args: CallerArgs<P, Ctx>) => Promise<Cloned<Awaited<R>>[]>
    : never;
};

/** How a pool (or a temporary thread) runs one call. */
export type CallTask = (record: TaskRecord, args: unknown[]) => unknown;

/**
 * The runtime half of both spawn forms: `spawn(fn, ...args)` calls at once, `spawn(Cls)` returns a
 * (cached) proxy. A promise-returning form never throws: its errors are rejections.
 */
export function dispatch(call: CallTask, proxies: WeakMap<object, object>, target: unknown, args: unknown[]): unknown {
  const record = taskForFunction(target);
  if (record !== undefined) return call(record, args);
  if (typeof target === 'function' && Object.prototype.hasOwnProperty.call(target, 'prototype') && args.length === 0) {
    let proxy = proxies.get(target);
    if (proxy === undefined) proxies.set(target, (proxy = makeProxy(target, call)));
    return proxy;
  }
  return Promise.reject(
    fail('ERR_TASK_NOT_REGISTERED', `${describe(target)} is not a @task method; mark it with @task, or pass its class to get a proxy`),
  );
}

/**
 * Names JavaScript itself reads from objects: `then` (`await`, `Promise.resolve`), `toJSON`, and
 * everything on `Object.prototype` (`toString`, `valueOf` for conversions, `constructor`…). On a
 * proxy they read as on a plain object, never as tasks, so that awaiting, printing or converting a
 * proxy runs nothing; a task so named is called by reference: `pool.spawn(Cls.then)`.
 */
const RESERVED = new Set<string>([...Object.getOwnPropertyNames(Object.prototype), 'then', 'toJSON']);

/** The names JavaScript itself reads from objects (`then`, `toJSON`, `Object.prototype`'s methods) that types know of: a proxy's type leaves them out; call a task so named by reference (`pool.spawn(Cls.then)`). */
export type ReservedKey = 'then' | 'toJSON' | 'constructor' | 'toString' | 'toLocaleString' | 'valueOf' | 'hasOwnProperty' | 'isPrototypeOf' | 'propertyIsEnumerable';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

function makeProxy(cls: Function, call: CallTask): object {
  if (!hasTasks(cls)) {
    throw fail('ERR_TASK_NOT_REGISTERED', `Class ${describe(cls)} has no @task methods`);
  }
  const methods = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  // A plain object, so that what is not a task (symbols, Object.prototype's methods) reads as on one.
  const target: object = {};
  Object.defineProperty(target, INSPECT, { value: () => `[tasks of ${cls.name}]` });
  return new Proxy(target, {
    get(object, key, receiver) {
      if (typeof key !== 'string' || RESERVED.has(key)) return Reflect.get(object, key, receiver) as unknown;
      let method = methods.get(key);
      if (method !== undefined) return method;
      // The task that `Cls[key]` is, own or inherited, so that both forms agree.
      const found = staticTask(cls, key);
      if (found === undefined) return undefined;
      const record = found.record;
      if (record !== undefined) {
        method = (...args: unknown[]) => call(record, args) as Promise<unknown>;
      } else {
        method = () =>
          Promise.reject(fail('ERR_TASK_NOT_REGISTERED', `${cls.name}.${key} is not a @task; mark it with @task to run it on a thread`));
      }
      methods.set(key, method);
      return method;
    },
  });
}

/** Whether a class or one of the classes it extends declares tasks. */
function hasTasks(cls: Function): boolean {
  for (let c: unknown = cls; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    if (tasksOfClass(c) !== undefined) return true;
  }
  return false;
}

/**
 * The static member `key` of a class, own or inherited from the classes it extends (not from
 * `Function.prototype`), read from property descriptors so that no getter runs: undefined if there
 * is none or it is not a method; else the task it is (`record` undefined for a plain method). The
 * class that holds the member decides: a task it declares under that method name is that task even
 * when the property now holds something else (`jest.spyOn(Tasks, 'method')` on the inline pool,
 * which then calls the spy); a subclass's plain method of the same name hides the base's task.
 */
function staticTask(cls: Function, key: string): { readonly record: TaskRecord | undefined } | undefined {
  for (let c: unknown = cls; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    const descriptor = Object.getOwnPropertyDescriptor(c, key);
    if (descriptor === undefined) continue;
    if (typeof descriptor.value !== 'function') return undefined;
    return { record: tasksOfClass(c)?.get(key) ?? taskForFunction(descriptor.value) };
  }
  return undefined;
}
