import * as path from 'node:path';

/**
 * Main-thread side of the threads' TypeScript hook (`shared/ts-hook.cjs`): before threads load
 * TypeScript task modules (or this library's own sources, under ts-jest or ts-node), the main
 * thread, which then holds the compiler already, fills their transpile cache, so that no thread
 * has to load the compiler (about half a second each). See `prefill` in ts-hook.cjs.
 *
 * Nothing happens for JavaScript task modules of a built library: the hook is not even loaded.
 */

/** Whether this library runs from its TypeScript sources: its threads then load `worker/entry.ts`. */
const FROM_SOURCES = path.extname(__filename) === '.ts';
const WORKER_ENTRY = path.join(__dirname, '..', 'worker', 'entry.ts');
const TYPESCRIPT = /\.(c?ts|tsx)$/;

/** Files handed to the hook already (or not TypeScript): each is looked at once per process. */
const seen = new Set<string>();

/**
 * Fills the threads' transpile cache for these modules and their TypeScript imports (and, from the
 * sources, the worker entry's), if this process holds the compiler. Cheap once a file was seen.
 */
export function prepareThreadSources(files: Iterable<string | undefined>): void {
  let roots: string[] | undefined;
  if (FROM_SOURCES && !seen.has(WORKER_ENTRY)) {
    seen.add(WORKER_ENTRY);
    roots = [WORKER_ENTRY];
  }
  for (const file of files) {
    if (file === undefined || seen.has(file)) continue;
    seen.add(file);
    if (TYPESCRIPT.test(file)) (roots ??= []).push(file);
  }
  if (roots === undefined) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when there is TypeScript to prepare
  (require('../shared/ts-hook.cjs') as { prefill(roots: readonly string[]): void }).prefill(roots);
}

/** {@link prepareThreadSources} for one module, with a fast path for one already seen (every call). */
export function prepareThreadSource(file: string): void {
  if (!seen.has(file)) prepareThreadSources([file]);
}
