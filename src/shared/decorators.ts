import './metadata';
import { workerData } from 'node:worker_threads';
import { describe, fail } from './errors';
import { callerModule } from './locate';
import {
  dropMarks,
  markParameter,
  PARAMETER_ERRORS,
  parameterDecorator,
  type ParameterKind,
  readParamTypes,
  registerTask,
  takeParameter,
  unclaimedMarks,
} from './manifest';

/** Options of `@task({ ... })`. */
export interface TaskOptions {
  /**
   * The task's stable name, unique in the process.
   * @default `${ClassName}.${methodName}`
   */
  readonly name?: string;
  /**
   * The task streams: it returns an `AsyncIterable`, or a synchronous iterator, whose items the
   * caller iterates as they come (`for await`). A generator method, async (`@task static async
   * *rows()`) or not (`@task static *rows()`, the fastest for items made without waiting: no promise
   * an item), streams without it; set it on a method that returns another `AsyncIterable` (a
   * readable stream, a wrapped generator) or iterator (`map.values()`).
   * @default false, or true for an async generator method
   */
  readonly stream?: boolean;
}

/**
 * Marks a static method as a task: it is registered in the manifest with its module file, so that
 * worker threads load that module and call the method by reference. Use it bare or with options.
 *
 * Misuse throws an `AsyncThreadPoolError` as the class is declared: `ERR_INVALID_TASK` (not a
 * static method), `ERR_DUPLICATE_TASK` (name already taken by another method),
 * `ERR_CONTEXT_WITHOUT_TASK` (a `@ThreadContext()` left on a method that is not a task).
 *
 * @example
 * ```ts
 * import { task } from 'asyncthreadpool/task';
 *
 * export class TextTasks {
 *   @task static upper(s: string): string { return s.toUpperCase(); }
 *   @task({ name: 'text.lower' }) static lower(s: string): string { return s.toLowerCase(); }
 * }
 * ```
 */
export function task(target: object, key: string | symbol, descriptor: PropertyDescriptor): void;
export function task(options?: TaskOptions): MethodDecorator;
export function task(
  targetOrOptions?: object,
  key?: string | symbol,
  descriptor?: PropertyDescriptor,
): MethodDecorator | undefined {
  if (isStandardDecoratorContext(key)) {
    throw fail(
      'ERR_INVALID_TASK',
      '@task needs TypeScript\'s experimental decorators: set "experimentalDecorators": true and "emitDecoratorMetadata": true in tsconfig.json',
    );
  }
  if (key === undefined) {
    if (typeof targetOrOptions === 'function') {
      throw fail('ERR_INVALID_TASK', `@task goes on a static method, not on class ${describe(targetOrOptions)}`);
    }
    const options = validateTaskOptions(targetOrOptions);
    return (target, member, desc) => {
      declareTask(target, member, desc, options);
    };
  }
  declareTask(targetOrOptions, key, descriptor, {});
  return undefined;
}

/**
 * Marks the parameter, at any position, that receives the thread's context. Callers never pass it:
 * the typed proxies drop it from the signature and the worker inserts its context there.
 *
 * Throws `ERR_DUPLICATE_CONTEXT_PARAMETER` for a second one on the same method. On a method without
 * `@task` it throws `ERR_CONTEXT_WITHOUT_TASK`: at the class's next `@task`, or else as soon as the
 * module that declares it has finished evaluating.
 *
 * @example
 * ```ts
 * import { task, ThreadContext } from 'asyncthreadpool/task';
 *
 * export class Cache { readonly map = new Map<string, number>(); }
 * export class CacheTasks {
 *   @task static put(@ThreadContext() cache: Cache, key: string, value: number): number {
 *     cache.map.set(key, value);
 *     return cache.map.size;
 *   }
 * }
 * ```
 */
export function ThreadContext(): ParameterDecorator {
  return parameterMarker('context');
}

/**
 * Marks the parameter, at any position, that receives the call's `AbortSignal`: aborted when the
 * caller's `signal` aborts or its `timeout` passes, so that a running task can stop cooperatively.
 * Callers never pass it (the typed proxies drop it). Without a `signal` or `timeout` on the call, the
 * task gets a signal that never aborts.
 *
 * @example
 * ```ts
 * import { task, TaskSignal } from 'asyncthreadpool/task';
 *
 * export class SlowTasks {
 *   @task static async count(to: number, @TaskSignal() signal: AbortSignal): Promise<number> {
 *     let i = 0;
 *     for (; i < to && !signal.aborted; i++) await new Promise((r) => setImmediate(r));
 *     return i;
 *   }
 * }
 * ```
 */
export function TaskSignal(): ParameterDecorator {
  return parameterMarker('signal');
}

/**
 * Marks the parameter, at any position, that receives the call's progress reporter: a function
 * `(value) => void` that sends `value` to the caller's `onProgress` (`pool.with({ onProgress })`).
 * Callers never pass it (the typed proxies drop it). Reports are coalesced: a task may report in a
 * tight loop, the caller gets the latest value at most about once per event-loop turn of the
 * thread, and the last report made before the task settles always reaches `onProgress` before the
 * call's result does. Without an `onProgress` on the call, reporting does nothing. A value is
 * structured-cloned; one that cannot be (a function…) makes the next report throw `ERR_UNCLONEABLE`.
 *
 * @example
 * ```ts
 * import { task, TaskProgress } from 'asyncthreadpool/task';
 *
 * export class JobTasks {
 *   @task static crunch(n: number, @TaskProgress() progress: (done: number) => void): number {
 *     let sum = 0;
 *     for (let i = 0; i < n; i++) { sum += i; progress((i + 1) / n); }
 *     return sum;
 *   }
 * }
 * ```
 */
export function TaskProgress(): ParameterDecorator {
  return parameterMarker('progress');
}

function parameterMarker(kind: ParameterKind): ParameterDecorator {
  return (target, member, index) => {
    if (member === undefined) {
      throw fail(
        PARAMETER_ERRORS[kind].orphan,
        `${parameterDecorator(kind)} goes on a parameter of a @task method, not of a constructor`,
      );
    }
    const owner = ownerOf(target);
    markParameter(kind, owner, member, index);
    // The method's own @task runs right after its parameter decorators; if none claims the mark by
    // the time this module (and the synchronous imports around it) finished, there is none.
    queueMicrotask(() => {
      reportUnclaimed(owner);
    });
  };
}

function declareTask(target: unknown, member: string | symbol, descriptor: PropertyDescriptor | undefined, options: TaskOptions): void {
  const what = `${typeof target === 'function' ? target.name : describeOwner(target)}.${String(member)}`;
  const invalid = (reason: string): never => {
    // The declaration is failing: leave no context mark behind to be reported a second time.
    if (typeof target === 'object' && target !== null) dropMarks(ownerOf(target));
    if (typeof target === 'function') dropMarks(target);
    throw fail('ERR_INVALID_TASK', `@task goes on a static method; ${what} ${reason}`);
  };
  if (typeof target !== 'function') {
    return invalid('is an instance member');
  }
  if (descriptor === undefined || typeof descriptor.value !== 'function') {
    return invalid('is not a method');
  }
  if (typeof member === 'symbol') {
    return invalid('has a symbol for a name');
  }
  reportUnclaimed(target, member);
  const contextIndex = takeParameter('context', target, member);
  const signalIndex = takeParameter('signal', target, member);
  const progressIndex = takeParameter('progress', target, member);
  const paramTypes = contextIndex === undefined ? undefined : readParamTypes(target, member);
  const declared = paramTypes?.[contextIndex ?? -1];
  const name = options.name ?? `${target.name}.${member}`;
  const module = callerModule();
  if (contextIndex !== undefined && paramTypes === undefined) warnNoMetadata(name, module);
  registerTask({
    name,
    module,
    className: target.name,
    method: member,
    contextIndex,
    contextType: typeof declared === 'function' && declared !== Object ? declared : undefined,
    signalIndex,
    progressIndex,
    stream: options.stream ?? isGeneratorFunction(descriptor.value),
    owner: target,
    fn: descriptor.value as (...args: unknown[]) => unknown,
  });
}

/**
 * Warns, once per process, of a context task declared in JavaScript without `design:paramtypes`:
 * compiled with `emitDecoratorMetadata` off. The threads load that same JavaScript, so a pool-less
 * `spawn` of the task will fail (`ERR_CONTEXT_NOT_FOUND`) and a pool finds its context class only
 * among loaded CommonJS modules. A warning, not an error: a pool given its `context` works. A
 * TypeScript module is left alone, since the threads transpile it with metadata (tsx never emits
 * any in the main thread), and so are this library's own threads (the main thread warned).
 */
function warnNoMetadata(task: string, module: string | undefined): void {
  if (warnedNoMetadata || module === undefined || /\.[cm]?tsx?$/.test(module) || isLibraryThread()) return;
  warnedNoMetadata = true;
  process.emitWarning(
    `${task} has a @ThreadContext() parameter but no decorator metadata (${module} was compiled without it): set "emitDecoratorMetadata": true in tsconfig.json. Without it a pool-less spawn of a context task cannot build its context (ERR_CONTEXT_NOT_FOUND).`,
    { type: 'AsyncThreadPoolWarning', code: NO_METADATA_WARNING },
  );
}

/** The `code` of the warning above. */
const NO_METADATA_WARNING = 'ASYNCTHREADPOOL_NO_DECORATOR_METADATA';

let warnedNoMetadata = false;

function isLibraryThread(): boolean {
  const kind = (workerData as { kind?: unknown } | null | undefined)?.kind;
  return typeof kind === 'string' && kind.startsWith('asyncthreadpool:');
}

/** Throws for parameter marks on methods of `owner` that no `@task` claimed (except `current`). */
function reportUnclaimed(owner: Function, current?: string | symbol): void {
  const first = unclaimedMarks(owner).find((m) => m.method !== current);
  if (first === undefined) return;
  dropMarks(owner);
  throw fail(
    PARAMETER_ERRORS[first.kind].orphan,
    `${parameterDecorator(first.kind)} is on ${owner.name}.${String(first.method)}, which is not a @task; add @task or remove it`,
  );
}

/** A TC39 decorator's context object (`{ kind, name, ... }`), as seen when experimentalDecorators is off. */
function isStandardDecoratorContext(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'kind' in value && 'name' in value;
}

function ownerOf(target: object): Function {
  return typeof target === 'function' ? target : target.constructor;
}

function describeOwner(target: unknown): string {
  return typeof target === 'object' && target !== null ? target.constructor.name : typeof target;
}

function validateTaskOptions(options: unknown): TaskOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) {
    throw fail('ERR_INVALID_OPTION', `Expected \`@task\` options to be an object, got ${describe(options)}`);
  }
  const { name, stream } = options as { name?: unknown; stream?: unknown };
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) {
    throw fail('ERR_INVALID_OPTION', `Expected \`name\` to be a non-empty string, got ${describe(name)}`);
  }
  if (stream !== undefined && typeof stream !== 'boolean') {
    throw fail('ERR_INVALID_OPTION', `Expected \`stream\` to be a boolean, got ${describe(stream)}`);
  }
  return { ...(name === undefined ? {} : { name }), ...(stream === undefined ? {} : { stream }) };
}

/** `async function*` and `function*` (and their methods): their calls return an iterator, which a call streams. */
function isGeneratorFunction(fn: unknown): boolean {
  const tag = Object.prototype.toString.call(fn);
  return tag === '[object AsyncGeneratorFunction]' || tag === '[object GeneratorFunction]';
}
