import { describe, fail } from './errors';
import { allTasks } from './manifest';
import type { ContextSpec } from './protocol';

/**
 * Tells the workers where to find a pool's context class. Classes cannot cross threads, so each
 * worker loads a module and finds the class there:
 * 1. a module defining a task whose `@ThreadContext()` parameter is declared with exactly this
 *    class (the worker reads the class from that parameter's metadata), else
 * 2. a loaded module that exports the class (searched in the module cache).
 */
export function contextSpec(cls: Function, args: readonly unknown[]): ContextSpec {
  for (const record of allTasks()) {
    if (record.contextType === cls && record.module !== undefined) {
      return { className: cls.name, args, source: { module: record.module, task: record.name } };
    }
  }
  const module = moduleExporting(cls);
  if (module !== undefined) return { className: cls.name, args, source: { module } };
  throw fail(
    'ERR_CONTEXT_NOT_FOUND',
    `Cannot tell the threads where context class ${describe(cls)} is defined: export it from its module and import that module before creating the pool, or declare it as the type of a @ThreadContext() parameter`,
  );
}

function moduleExporting(cls: Function): string | undefined {
  for (const module of Object.values(require.cache)) {
    if (module === undefined) continue;
    const exports: unknown = module.exports;
    if (exports === cls) return module.filename;
    try {
      if (typeof exports === 'object' && exports !== null && Object.values(exports).includes(cls)) return module.filename;
    } catch {
      // An export getter that throws: not this module.
    }
  }
  return undefined;
}
