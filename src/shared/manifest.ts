import './metadata';
import { type ErrorClass, fail } from './errors';

/**
 * The registry of tasks: one per process (per realm, under jest), shared by every copy of the
 * library that gets loaded (`src` under ts-jest and `dist` side by side). It lives on `globalThis`
 * under a namespaced symbol and holds plain data structures only, so copies of different versions
 * can share it.
 *
 * The main thread reads it to validate calls and to tell workers which module defines a task; the
 * worker fills its own copy by loading those modules, whose `@task` decorators register again there.
 */

/** What `@task` records about one task. */
export interface TaskRecord {
  /** Stable name, `ClassName.method` unless given with `@task({ name })`. */
  readonly name: string;
  /** Absolute path of the module whose evaluation ran the decorator; undefined if it could not be told. */
  readonly module: string | undefined;
  readonly className: string;
  readonly method: string;
  /** Index of the `@ThreadContext()` parameter, if any. */
  readonly contextIndex: number | undefined;
  /** The declared class of that parameter (`design:paramtypes`), when the compiler emitted metadata. */
  readonly contextType: Function | undefined;
  /** Index of the `@TaskSignal()` parameter, if any. */
  readonly signalIndex: number | undefined;
  /** Index of the `@TaskProgress()` parameter, if any (optional: records made by an older copy lack it). */
  readonly progressIndex?: number | undefined;
  /** The task streams its items (an async generator method, or `@task({ stream: true })`). */
  readonly stream?: boolean;
  /** The class that owns the static method; the method is called with it as `this`. */
  readonly owner: Function;
  readonly fn: (...args: unknown[]) => unknown;
}

interface ManifestState {
  readonly byName: Map<string, TaskRecord>;
  readonly byFunction: WeakMap<Function, TaskRecord>;
  readonly byClass: WeakMap<Function, Map<string, TaskRecord>>;
  /** `@ThreadContext()` marks not yet claimed by a `@task`: class → method → parameter index. */
  readonly pendingContext: Map<Function, Map<string | symbol, number>>;
  /** The same for `@TaskSignal()`; optional because a state made by an older copy lacks it. */
  pendingSignal?: Map<Function, Map<string | symbol, number>>;
  /** The same for `@TaskProgress()`. */
  pendingProgress?: Map<Function, Map<string | symbol, number>>;
  /** Error classes registered with `registerErrorClass`, by constructor name. */
  readonly errorClasses: Map<string, ErrorClass>;
  /** The modules threads may load (see `ModuleRegistry` in protocol.ts), and the same as a set. */
  readonly modules: SharedArrayBuffer;
  readonly moduleSet: Set<string>;
}

/** Room for the module paths of a large application; the buffer grows into it as needed. */
const REGISTRY_MAX_BYTES = 8 * 1024 * 1024;

const STATE_KEY = Symbol.for('asyncthreadpool.manifest');

function state(): ManifestState {
  const holder = globalThis as unknown as Record<symbol, ManifestState | undefined>;
  return (holder[STATE_KEY] ??= {
    byName: new Map<string, TaskRecord>(),
    byFunction: new WeakMap<Function, TaskRecord>(),
    byClass: new WeakMap<Function, Map<string, TaskRecord>>(),
    pendingContext: new Map<Function, Map<string | symbol, number>>(),
    pendingSignal: new Map<Function, Map<string | symbol, number>>(),
    pendingProgress: new Map<Function, Map<string | symbol, number>>(),
    errorClasses: new Map<string, ErrorClass>(),
    modules: new SharedArrayBuffer(4, { maxByteLength: REGISTRY_MAX_BYTES }),
    moduleSet: new Set<string>(),
  });
}

/** The registry of loadable modules, handed to every thread this process starts. */
export function moduleRegistry(): SharedArrayBuffer {
  return state().modules;
}

/** Allows the threads to load `file` (a module that registered tasks, or a context's module). */
export function allowModule(file: string): void {
  const s = state();
  if (s.moduleSet.has(file)) return;
  s.moduleSet.add(file);
  const bytes = Buffer.from(`${file}\n`, 'utf8');
  const length = new Int32Array(s.modules, 0, 1);
  const used = Atomics.load(length, 0);
  if (4 + used + bytes.length > s.modules.byteLength) {
    s.modules.grow(Math.min(REGISTRY_MAX_BYTES, Math.max(4 + used + bytes.length, s.modules.byteLength * 2)));
  }
  new Uint8Array(s.modules, 4 + used, bytes.length).set(bytes);
  // Publish the bytes before the length: a thread reads the length first.
  Atomics.store(length, 0, used + bytes.length);
}

/** The modules this process allows its threads to load so far (task modules, context modules). */
export function allowedModules(): ReadonlySet<string> {
  return state().moduleSet;
}

const readers = new WeakMap<SharedArrayBuffer, { length: number; files: Set<string> }>();

/** Whether a registry (this process's, or the owning process's on a thread) allows `file`. */
export function isAllowedModule(registry: SharedArrayBuffer, file: string): boolean {
  const length = Atomics.load(new Int32Array(registry, 0, 1), 0);
  let reader = readers.get(registry);
  if (reader?.length !== length) {
    const text = Buffer.from(registry, 4, length).toString('utf8');
    reader = { length, files: new Set(text.split('\n').filter((f) => f !== '')) };
    readers.set(registry, reader);
  }
  return reader.files.has(file);
}

/** The compiler's metadata key for a method's declared parameter types. */
const PARAM_TYPES = 'design:paramtypes';

/** The declared parameter types of a method, if the compiler emitted them. */
export function readParamTypes(owner: Function, method: string | symbol): readonly unknown[] | undefined {
  const types: unknown = Reflect.getMetadata(PARAM_TYPES, owner, method);
  return Array.isArray(types) ? types : undefined;
}

/** Records one task. Re-evaluating the same module (jest.resetModules, hot reload) replaces its record. */
export function registerTask(record: TaskRecord): void {
  const s = state();
  const existing = s.byName.get(record.name);
  if (existing !== undefined && !isSameDeclaration(existing, record)) {
    throw fail(
      'ERR_DUPLICATE_TASK',
      `Task name \`${record.name}\` is used by ${where(existing)} and by ${where(record)}; give one of them @task({ name })`,
    );
  }
  s.byName.set(record.name, record);
  if (record.module !== undefined) allowModule(record.module);
  s.byFunction.set(record.fn, record);
  let members = s.byClass.get(record.owner);
  if (members === undefined) s.byClass.set(record.owner, (members = new Map<string, TaskRecord>()));
  members.set(record.method, record);
}

function isSameDeclaration(a: TaskRecord, b: TaskRecord): boolean {
  return a.module === b.module && a.className === b.className && a.method === b.method;
}

function where(record: TaskRecord): string {
  return `${record.className}.${record.method} (${record.module ?? 'unknown module'})`;
}

export function taskByName(name: string): TaskRecord | undefined {
  return state().byName.get(name);
}

export function taskForFunction(fn: unknown): TaskRecord | undefined {
  return typeof fn === 'function' ? state().byFunction.get(fn) : undefined;
}

/** The tasks of a class, by method name; undefined if it has none. */
export function tasksOfClass(owner: unknown): ReadonlyMap<string, TaskRecord> | undefined {
  return typeof owner === 'function' ? state().byClass.get(owner) : undefined;
}

/** Every registered task. */
export function allTasks(): IterableIterator<TaskRecord> {
  return state().byName.values();
}

/** The parameters a decorator marks: the thread's context, the call's abort signal, its progress reporter. */
export type ParameterKind = 'context' | 'signal' | 'progress';

const PARAMETER_DECORATOR: Record<ParameterKind, string> = { context: '@ThreadContext()', signal: '@TaskSignal()', progress: '@TaskProgress()' };

/** The codes of a parameter decorator's misuse: a second one on a method, one on a method without `@task`. */
export const PARAMETER_ERRORS = {
  context: { duplicate: 'ERR_DUPLICATE_CONTEXT_PARAMETER', orphan: 'ERR_CONTEXT_WITHOUT_TASK' },
  signal: { duplicate: 'ERR_DUPLICATE_SIGNAL_PARAMETER', orphan: 'ERR_SIGNAL_WITHOUT_TASK' },
  progress: { duplicate: 'ERR_DUPLICATE_PROGRESS_PARAMETER', orphan: 'ERR_PROGRESS_WITHOUT_TASK' },
} as const;

/** A parameter decorator's name, for messages. */
export function parameterDecorator(kind: ParameterKind): string {
  return PARAMETER_DECORATOR[kind];
}

function marksOf(kind: ParameterKind): Map<Function, Map<string | symbol, number>> {
  const s = state();
  if (kind === 'context') return s.pendingContext;
  if (kind === 'signal') return (s.pendingSignal ??= new Map<Function, Map<string | symbol, number>>());
  return (s.pendingProgress ??= new Map<Function, Map<string | symbol, number>>());
}

/** Marks a parameter of a method as its context (or signal) one; throws if the method already has one. */
export function markParameter(kind: ParameterKind, owner: Function, method: string | symbol, index: number): void {
  const all = marksOf(kind);
  let marks = all.get(owner);
  if (marks === undefined) all.set(owner, (marks = new Map<string | symbol, number>()));
  const previous = marks.get(method);
  if (previous !== undefined) {
    // The declaration is failing: leave no mark behind to be reported a second time.
    marks.delete(method);
    throw fail(
      PARAMETER_ERRORS[kind].duplicate,
      `${owner.name}.${String(method)} has ${PARAMETER_DECORATOR[kind]} on parameters ${String(index)} and ${String(previous)}; a task has one`,
    );
  }
  marks.set(method, index);
}

/** Claims the mark of a method that is becoming a task. */
export function takeParameter(kind: ParameterKind, owner: Function, method: string | symbol): number | undefined {
  const all = marksOf(kind);
  const marks = all.get(owner);
  const index = marks?.get(method);
  marks?.delete(method);
  if (marks?.size === 0) all.delete(owner);
  return index;
}

/** Marks that no `@task` claimed: a parameter decorator placed on a method that is not a task. */
export function unclaimedMarks(owner: Function): { kind: ParameterKind; method: string | symbol }[] {
  const found: { kind: ParameterKind; method: string | symbol }[] = [];
  for (const kind of ['context', 'signal', 'progress'] as const) {
    for (const method of marksOf(kind).get(owner)?.keys() ?? []) found.push({ kind, method });
  }
  return found;
}

/** Forgets the unclaimed marks of a class (after reporting them). */
export function dropMarks(owner: Function): void {
  marksOf('context').delete(owner);
  marksOf('signal').delete(owner);
  marksOf('progress').delete(owner);
}

/** Makes an `Error` subclass revivable on this thread by its constructor name. */
export function registerErrorClass(ctor: ErrorClass): void {
  state().errorClasses.set(ctor.name, ctor);
}

export function registeredErrorClass(name: string): ErrorClass | undefined {
  return state().errorClasses.get(name);
}
