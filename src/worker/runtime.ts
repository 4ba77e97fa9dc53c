import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findUncloneable } from '../cloneable';
import { describe, fail, serializeThrown } from '../errors';
import { isAllowedModule, readParamTypes, taskByName, type TaskRecord } from '../manifest';
import type { ContextSpec, ModuleRegistry, SerializedThrown, TaskRequest, TaskResponse } from '../protocol';

/**
 * What a worker thread knows: its context (pool threads) or that each task builds a fresh one
 * from its parameter's declared class (temporary threads).
 */
export type ThreadContextState =
  | { readonly kind: 'pool'; readonly modules: ModuleRegistry; readonly context: object | undefined; readonly initError: unknown }
  | { readonly kind: 'temporary'; readonly modules: ModuleRegistry };

type ContextClass = new (...args: unknown[]) => object;

const loaded = new Map<string, string>();

/**
 * Loads a module named by the main thread (a task's or the context's), once, if the owning
 * process's registry allows it: a request can only name a module that registered tasks there.
 * TypeScript files get the transpiling hook first, so a built library can still run TypeScript task
 * modules. Returns the module's real path, which is how its decorators record it.
 */
export function loadModule(file: string, modules: ModuleRegistry): string {
  const known = loaded.get(file);
  if (known !== undefined) return known;
  if (typeof file !== 'string' || !isAllowedModule(modules, file)) {
    throw fail('ERR_TASK_NOT_REGISTERED', `${describe(file)} registered no tasks in the process that owns this thread; it is not loaded`);
  }
  if (!path.isAbsolute(file)) throw fail('ERR_MODULE_LOAD_FAILED', `Task module path must be absolute, got ${describe(file)}`);
  if (/\.c?tsx?$/.test(file)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the hook is CommonJS by design
    (require('./ts-hook.cjs') as { install(): void }).install();
  }
  let real: string;
  try {
    real = fs.realpathSync(file);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- task modules are loaded by path at run time
    require(real);
  } catch (error) {
    throw fail('ERR_MODULE_LOAD_FAILED', `Could not load task module ${file}: ${(error as Error).message}`, error);
  }
  loaded.set(file, real);
  return real;
}

/** The record of the task a request names, after loading the module that must define it. */
function resolveTask(request: TaskRequest, modules: ModuleRegistry): TaskRecord {
  const real = loadModule(request.module, modules);
  const record = taskByName(request.task);
  if (record === undefined || (record.module !== request.module && record.module !== real)) {
    throw fail('ERR_TASK_NOT_REGISTERED', `Task \`${request.task}\` is not registered by ${request.module}`);
  }
  return record;
}

/** Builds a context from a spec: finds its class in the worker, constructs it, awaits `init()`. */
export async function createContext(spec: ContextSpec, modules: ModuleRegistry): Promise<object> {
  const cls = findContextClass(spec, modules);
  const context = new cls(...spec.args);
  const init = (context as { init?: unknown }).init;
  if (typeof init === 'function') await (init as () => unknown).call(context);
  return context;
}

function findContextClass(spec: ContextSpec, modules: ModuleRegistry): ContextClass {
  const real = loadModule(spec.source.module, modules);
  if (spec.source.task !== undefined) {
    const record = taskByName(spec.source.task);
    const declared = record === undefined ? undefined : declaredContextClass(record);
    if (declared?.name === spec.className) return declared;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- already loaded above; this reads its exports
  const exports = require(real) as Record<string, unknown> | undefined;
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

/** The class a task declares for its context parameter (from `design:paramtypes`), if it declares one. */
function declaredContextClass(record: TaskRecord): ContextClass | undefined {
  if (record.contextIndex === undefined) return undefined;
  const declared = readParamTypes(record.owner, record.method)?.[record.contextIndex];
  return typeof declared === 'function' && declared !== Object ? (declared as ContextClass) : undefined;
}

/** Calls `[Symbol.asyncDispose]()` or else `dispose()` on a context, if it has either. */
export async function disposeContext(context: object): Promise<void> {
  const c = context as { [Symbol.asyncDispose]?: () => unknown; dispose?: () => unknown };
  if (typeof c[Symbol.asyncDispose] === 'function') await c[Symbol.asyncDispose]?.();
  else if (typeof c.dispose === 'function') await c.dispose();
}

/** Runs one request; whatever happens becomes a {@link TaskResponse}, never a rejection. */
export async function runTask(request: TaskRequest, state: ThreadContextState): Promise<TaskResponse> {
  let fresh: object | undefined;
  try {
    if (state.kind === 'pool' && state.initError !== undefined) {
      throw fail('ERR_CONTEXT_INIT_FAILED', `The thread's context failed to initialise: ${messageOf(state.initError)}`, state.initError);
    }
    const record = resolveTask(request, state.modules);
    let args = request.args as unknown[];
    if (record.contextIndex !== undefined) {
      let context: object;
      if (state.kind === 'pool') {
        context = poolContextFor(record, state.context);
      } else {
        const declared = declaredContextClass(record);
        if (declared === undefined) {
          throw fail(
            'ERR_CONTEXT_NOT_FOUND',
            `${record.name} takes a context but declares no class for it (no decorator metadata), so a temporary thread cannot build one`,
          );
        }
        context = fresh = await createContext(
          { className: declared.name, args: [], source: { module: request.module, task: record.name } },
          state.modules,
        );
      }
      args = withContext(args, record.contextIndex, context);
    }
    const value: unknown = await record.fn.apply(record.owner, args);
    // An uncloneable result would otherwise fail inside the pool's postMessage and kill the thread.
    const bad = findUncloneable(value);
    if (bad !== undefined) throw fail('ERR_UNCLONEABLE', `The result of ${record.name} cannot be sent back: ${bad}`);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: serializeThrown(error) };
  } finally {
    if (fresh !== undefined) await disposeContext(fresh);
  }
}

function poolContextFor(record: TaskRecord, context: object | undefined): object {
  const declared = declaredContextClass(record);
  if (context === undefined) {
    throw fail(
      'ERR_CONTEXT_MISMATCH',
      `${record.name} takes a ${declared?.name ?? 'context'} context (parameter ${String(record.contextIndex)}), but the pool has no context; create it with new ThreadPool({ context: ${declared?.name ?? 'YourContext'} })`,
    );
  }
  if (declared !== undefined && !(context instanceof declared)) {
    throw fail(
      'ERR_CONTEXT_MISMATCH',
      `${record.name} takes a ${declared.name} context, but the pool's context is a ${context.constructor.name}`,
    );
  }
  return context;
}

/** The caller's arguments with the context inserted at its parameter's index. */
function withContext(args: unknown[], index: number, context: object): unknown[] {
  const full = args.slice();
  while (full.length < index) full.push(undefined);
  full.splice(index, 0, context);
  return full;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
