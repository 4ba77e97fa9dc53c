import { describe, fail } from '../shared/errors';
import { entryModuleAdvice, isUnguardedEntryModule, moduleFile } from '../shared/locate';
import { allTasks } from '../shared/manifest';
import type { ContextSpec } from '../shared/protocol';

/**
 * Tells the workers where to find a pool's context class. Classes cannot cross threads, so each
 * worker loads a module and finds the class there:
 * 1. a module defining a task whose `@ThreadContext()` parameter is declared with exactly this
 *    class (the worker reads the class from that parameter's metadata), else
 * 2. a loaded module that exports the class (searched in the module cache).
 */
export function contextSpec(cls: Function, args: readonly unknown[]): ContextSpec {
  let declaredInEntry: string | undefined;
  for (const record of allTasks()) {
    if (record.contextType !== cls || record.module === undefined) continue;
    if (isUnguardedEntryModule(record.module)) declaredInEntry = record.module;
    else return { className: cls.name, args, source: { module: record.module, task: record.name } };
  }
  const module = moduleExporting(cls) ?? declaredInEntry;
  if (module !== undefined && isUnguardedEntryModule(module)) {
    throw fail(
      'ERR_CONTEXT_NOT_FOUND',
      `Context class ${describe(cls)} is defined or exported only by the program's entry module (${module}); every thread would run that program again to load it: ${entryModuleAdvice(module, 'context class')}`,
    );
  }
  if (module !== undefined) return { className: cls.name, args, source: { module } };
  throw fail(
    'ERR_CONTEXT_NOT_FOUND',
    `Cannot tell the threads where context class ${describe(cls)} is defined: export it from a CommonJS module and import that module before creating the pool, or declare it as the type of a @ThreadContext() parameter in code compiled with \`"emitDecoratorMetadata": true\` (ES modules are not searched, and tsx/esbuild emit no metadata)`,
  );
}

function moduleExporting(cls: Function): string | undefined {
  let fromEntry: string | undefined;
  for (const module of Object.values(require.cache)) {
    if (module === undefined) continue;
    if (!exportsClass(module.exports, cls)) continue;
    // A CommonJS module that tsx ran for an ES module importer is cached under a `data:` URL.
    const file = moduleFile(module.filename);
    if (file === undefined) continue;
    // Only as a last resort (and then refused): loading it in a thread re-runs the program.
    if (isUnguardedEntryModule(file)) fromEntry = file;
    else return file;
  }
  return fromEntry;
}

function exportsClass(exports: unknown, cls: Function): boolean {
  if (exports === cls) return true;
  try {
    return typeof exports === 'object' && exports !== null && Object.values(exports).includes(cls);
  } catch {
    // An export getter that throws: not this module.
    return false;
  }
}
