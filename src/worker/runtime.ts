import type { Transferable } from 'node:worker_threads';
import '../shared/metadata';
// Default imports: `import * as` compiles to a copy of every export, made at each thread's start.
import fs from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { describe, fail, messageOf, serializeThrown } from '../shared/errors';
import { isAllowedModule, readParamTypes, taskByName, type TaskRecord } from '../shared/manifest';
import { disposeContext, initContext, invokeTask, sendableResult } from '../shared/invoke';
import { arriveAndWait } from '../shared/barrier';
import { nodeUrl } from '../shared/locate';
import { contextMismatch } from '../shared/context-mismatch';
import { ProgressReporter, SharedCredit, StreamPump, streamableOf } from '../shared/call-events';
import type { ContextSpec, ModuleRegistry, SerializedThrown, StreamControlRequest, TaskRequest, TaskResponse } from '../shared/protocol';

/**
 * What a worker thread knows: its context (pool threads) or that each task builds a fresh one
 * from its parameter's declared class (temporary threads); and `spinWait`, the µs a streaming task
 * out of credit polls for it before it sleeps.
 */
export type ThreadContextState =
  | { readonly kind: 'pool'; readonly modules: ModuleRegistry; readonly spinWait: number; readonly context: object | undefined; readonly initError: unknown }
  | { readonly kind: 'temporary'; readonly modules: ModuleRegistry; readonly spinWait: number };

type ContextClass = new (...args: unknown[]) => object;

const loaded = new Map<string, { real: string; exports: unknown }>();

/**
 * Loads a module named by the main thread (a task's or the context's), once, if the owning
 * process's registry allows it: a request can only name a module that registered tasks there.
 * TypeScript files get the transpiling hook first, so a built library can still run TypeScript task
 * modules; ES modules are imported. Resolves to the module's real path (how its decorators record
 * it) and its exports.
 */
export async function loadModule(file: string, modules: ModuleRegistry): Promise<{ real: string; exports: unknown }> {
  const known = loaded.get(file);
  if (known !== undefined) return known;
  if (typeof file !== 'string' || !isAllowedModule(modules, file)) {
    throw fail('ERR_TASK_NOT_REGISTERED', `${describe(file)} registered no tasks in the process that owns this thread; it is not loaded`);
  }
  if (!path.isAbsolute(file)) throw fail('ERR_MODULE_LOAD_FAILED', `Task module path must be absolute, got ${describe(file)}`);
  if (/\.c?tsx?$/.test(file) && !tsHookInstalled()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the hook is CommonJS by design
    (require('../shared/ts-hook.cjs') as { install(): void }).install();
  }
  let entry: { real: string; exports: unknown };
  try {
    entry = await requireOrImport(file);
  } catch (error) {
    // A test file run outside its runner fails on its first `describe`: say where tasks belong.
    const hint = /\.(test|spec)\.[cm]?[jt]sx?$/.test(file) ? ' (task classes must live in modules of their own, not in test files)' : '';
    throw fail('ERR_MODULE_LOAD_FAILED', `Could not load task module ${file}${hint}: ${messageOf(error)}`, error);
  }
  loaded.set(file, entry);
  return entry;
}

/**
 * Whether a TypeScript hook is installed on this thread already: by bootstrap.cjs when the library
 * itself runs from its sources, whose thread then runs this module from the build (dist/), where
 * `require('../shared/ts-hook.cjs')` would load and compile a second copy of the hook (~1 ms) only
 * for its `install()` to find the first one there. The flag is the one the hook sets (`INSTALLED`
 * in ts-hook.cjs).
 */
function tsHookInstalled(): boolean {
  return (globalThis as Record<symbol, unknown>)[Symbol.for('asyncthreadpool.tsHook')] === true;
}

/**
 * `import()` that no compiler rewrites into `require()` (this file may itself be compiled to
 * CommonJS), and that works where this file is part of the bundle compiled from its code cache:
 * see import.cjs.
 */
function importModule(specifier: string): Promise<unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- compiled by Node's own loader, see there
  importer ??= require('./import.cjs') as (specifier: string) => Promise<unknown>;
  return importer(specifier);
}

let importer: ((specifier: string) => Promise<unknown>) | undefined;

/**
 * Loads `file` and says its real path: where `require()` resolved it (symbolic links followed, as
 * Node's loaders do), or the real path an ES module is imported from.
 */
async function requireOrImport(file: string): Promise<{ real: string; exports: unknown }> {
  const imported = async (): Promise<{ real: string; exports: unknown }> => {
    const real = fs.realpathSync(file);
    return { real, exports: await importModule(nodeUrl().pathToFileURL(real).href) };
  };
  if (file.endsWith('.mjs')) return imported();
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- task modules are loaded by path at run time
    const exports: unknown = require(file);
    return { real: require.resolve(file), exports };
  } catch (error) {
    // An ES module that `require()` cannot load: any, before Node 20.19; one that awaits at its top
    // level (or imports one that does), since.
    const code = (error as { code?: unknown }).code;
    if (code !== 'ERR_REQUIRE_ESM' && code !== 'ERR_REQUIRE_ASYNC_MODULE') throw error;
    return imported();
  }
}

/** The record of the task a request names, after loading the module that must define it. */
async function resolveTask(request: TaskRequest, modules: ModuleRegistry): Promise<TaskRecord> {
  const { real } = await loadModule(request.module, modules);
  const record = taskByName(request.task);
  if (record === undefined || (record.module !== request.module && record.module !== real)) {
    throw fail('ERR_TASK_NOT_REGISTERED', `Task \`${request.task}\` is not registered by ${request.module}`);
  }
  return record;
}

/** Builds a context from a spec: finds its class in the worker, constructs it, awaits `init()`. */
export async function createContext(spec: ContextSpec, modules: ModuleRegistry): Promise<object> {
  const cls = await findContextClass(spec, modules);
  const context = new cls(...spec.args);
  await initContext(context);
  return context;
}

async function findContextClass(spec: ContextSpec, modules: ModuleRegistry): Promise<ContextClass> {
  const { exports: loadedExports } = await loadModule(spec.source.module, modules);
  if (spec.source.task !== undefined) {
    const record = taskByName(spec.source.task);
    const declared = record === undefined ? undefined : declaredContextClass(record);
    if (declared?.name === spec.className) return declared;
  }
  const exports = loadedExports as Record<string, unknown> | undefined;
  const direct = exports?.[spec.className];
  if (isClass(direct, spec.className)) return direct;
  for (const value of Object.values(exports ?? {})) if (isClass(value, spec.className)) return value;
  if (isClass(exports, spec.className)) return exports;
  throw fail(
    'ERR_CONTEXT_NOT_FOUND',
    `Context class ${spec.className} was not found in ${spec.source.module}; export it from a module that defines tasks`,
  );
}

function isClass(value: unknown, name: string): value is ContextClass {
  return typeof value === 'function' && value.name === name;
}

/** The class a task declares for its context parameter, as `@task` recorded it (`design:paramtypes`), if it declares one. */
function declaredContextClass(record: TaskRecord): ContextClass | undefined {
  return record.contextIndex === undefined ? undefined : (record.contextType as ContextClass | undefined);
}

/** What a thread sends back for one request: the response, and what to transfer with it. */
export interface Outcome {
  readonly response: TaskResponse;
  readonly transfer: readonly Transferable[];
}

/** Abort controllers of the running abortable calls, by call id; and ids aborted before they ran. */
const running = new Map<number, AbortController>();
const abortedEarly = new Map<number, unknown>();

/**
 * Aborts a running call's signal. The main thread sends the abort, on this thread's control port,
 * only to the thread it gave the call's run to; the call may not have started yet (a later call of
 * the same run, or the thread still building its context or loading the task's module): it is kept
 * until the call starts, then refused at once.
 */
export function abortCall(call: number, reason: unknown): void {
  const controller = running.get(call);
  if (controller !== undefined) {
    controller.abort(reason);
    return;
  }
  abortedEarly.set(call, reason);
  // An abort that crossed its call's answer (the call had finished) is never claimed: keep only the latest.
  if (abortedEarly.size > 1024) abortedEarly.delete(abortedEarly.keys().next().value as number);
}

/** Where a running call's progress reports and streamed items go (see `CallEventMessage`). */
export interface CallEventPosts {
  readonly progress: (value: unknown) => void;
  readonly items: (items: unknown[], transfer: Transferable[]) => void;
}

/** The pumps of the streaming calls running here, by call id; and ids cancelled before they ran. */
const streams = new Map<number, StreamPump>();
const cancelledEarly = new Set<number>();

/** Takes the caller's wake or cancellation for a streaming call (the main thread tells every thread that may run it). */
export function controlStream(message: StreamControlRequest): void {
  const pump = streams.get(message.call);
  if (message.type === 'wake') {
    pump?.wake();
    return;
  }
  if (pump !== undefined) {
    pump.cancel();
    return;
  }
  cancelledEarly.add(message.call);
  if (cancelledEarly.size > 1024) cancelledEarly.delete(cancelledEarly.values().next().value as number);
}

/**
 * Runs one request; whatever happens becomes a {@link TaskResponse}, never a rejection. `posts` is
 * where its progress and items go, for a request that has either.
 */
export async function runTask(request: TaskRequest, state: ThreadContextState, posts?: CallEventPosts): Promise<Outcome> {
  let fresh: object | undefined;
  let controller: AbortController | undefined;
  let outcome: Outcome;
  let reporter: ProgressReporter | undefined;
  try {
    if (state.kind === 'pool' && state.initError !== undefined) {
      throw fail('ERR_CONTEXT_INIT_FAILED', `The thread's context failed to initialise: ${messageOf(state.initError)}`, state.initError);
    }
    const record = await resolveTask(request, state.modules);
    if (request.call !== undefined) {
      controller = new AbortController();
      if (abortedEarly.has(request.call)) controller.abort(abortedEarly.get(request.call));
      abortedEarly.delete(request.call);
      controller.signal.throwIfAborted();
      running.set(request.call, controller);
    }
    let context: object | undefined;
    if (record.contextIndex !== undefined) {
      if (state.kind === 'pool') {
        context = poolContextFor(record, state.context);
      } else {
        const declared = declaredContextClass(record);
        if (declared === undefined) {
          throw fail(
            'ERR_CONTEXT_NOT_FOUND',
            readParamTypes(record.owner, record.method) === undefined
              ? `${record.name} takes a context but its module (${request.module}) was compiled without decorator metadata, so a temporary thread cannot tell the context's class: set "emitDecoratorMetadata": true in tsconfig.json and rebuild`
              : `${record.name} takes a context but declares no class for it (its parameter is typed as an interface or \`object\`), so a temporary thread cannot build one: type the parameter with the context's class`,
          );
        }
        context = fresh = await freshContext(declared, record);
      }
    }
    if (request.progress === true && posts !== undefined) reporter = new ProgressReporter(posts.progress, record.name);
    const result = invokeTask(record, request.args, context, controller?.signal, reporter?.report);
    if (request.stream !== undefined && request.call !== undefined && request.credit !== undefined && posts !== undefined) {
      await streamResult(record, request.call, request.stream, request.credit, state.spinWait, await result, posts, controller?.signal);
      outcome = { response: { ok: true, value: undefined }, transfer: [] };
    } else {
      const { value, transfer } = sendableResult(record, await result);
      outcome = { response: request.barrier === undefined ? { ok: true, value } : { ok: true, value, thread: threadId }, transfer };
    }
  } catch (error) {
    outcome = { response: { ok: false, error: serializeThrown(error) }, transfer: [] };
  } finally {
    // The last report goes out before the result.
    reporter?.finish();
    if (request.call !== undefined) running.delete(request.call);
    if (fresh !== undefined) await disposeContext(fresh);
  }
  if (request.barrier !== undefined) await arriveAndWait(request.barrier);
  return outcome;
}

/** Streams what a streaming task returned, under the caller's credit; throws if it is not an `AsyncIterable`. */
async function streamResult(
  record: TaskRecord,
  call: number,
  highWaterMark: number,
  credit: SharedArrayBuffer,
  spinWait: number,
  returned: unknown,
  posts: CallEventPosts,
  signal: AbortSignal | undefined,
): Promise<void> {
  const streamable = streamableOf(record, returned);
  const pump = new StreamPump(highWaterMark, new SharedCredit(credit), spinWait);
  if (cancelledEarly.delete(call)) pump.cancel();
  streams.set(call, pump);
  try {
    await pump.run(record, streamable, posts.items, signal);
  } finally {
    streams.delete(call);
  }
  // Aborted: the caller has its error already; the thread's answer only frees the thread.
  signal?.throwIfAborted();
}

/** A temporary thread's context for one task: built and `init()`-ed; a failure is coded as a pool's is. */
async function freshContext(cls: ContextClass, record: TaskRecord): Promise<object> {
  let context: object;
  try {
    context = new cls();
    await initContext(context);
  } catch (error) {
    throw fail('ERR_CONTEXT_INIT_FAILED', `The ${cls.name} context of ${record.name} failed to initialise: ${messageOf(error)}`, error);
  }
  return context;
}

function poolContextFor(record: TaskRecord, context: object | undefined): object {
  const declared = declaredContextClass(record);
  if (context === undefined) throw contextMismatch(record, undefined);
  if (declared !== undefined && !(context instanceof declared)) throw contextMismatch(record, context.constructor.name);
  return context;
}

/** Disposes a pool thread's context, reporting (not throwing) what `dispose` threw. */
export async function disposeSafely(context: object | undefined): Promise<SerializedThrown | null> {
  if (context === undefined) return null;
  try {
    await disposeContext(context);
    return null;
  } catch (error) {
    return serializeThrown(error);
  }
}
