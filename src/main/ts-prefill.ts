import * as path from 'node:path';
import type { ThreadTypeScript } from '../shared/protocol';

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
/** The task entry: with the worker side, what a thread loads of the library (checked against the build too). */
const TASK_ENTRY = path.join(__dirname, '..', 'task.ts');
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
    roots = [WORKER_ENTRY, TASK_ENTRY];
  }
  for (const file of files) {
    if (file === undefined || seen.has(file)) continue;
    seen.add(file);
    if (TYPESCRIPT.test(file)) (roots ??= []).push(file);
  }
  if (roots === undefined) return;
  hook = require('../shared/ts-hook.cjs') as Hook; // eslint-disable-line @typescript-eslint/no-require-imports -- loaded only when there is TypeScript to prepare
  hook.prefill(roots);
}

interface Hook {
  prefill(roots: readonly string[]): void;
  forThreads(): ThreadTypeScript | undefined;
}

/** The hook, once there was TypeScript to prepare. */
let hook: Hook | undefined;

/**
 * What the threads started from now on are handed (`workerData.typescript`): the library sources
 * found unchanged in the build and the task modules' transpiles, so that a thread checks and reads
 * none of them again. Undefined when no TypeScript was prepared.
 */
export function threadTypeScript(): ThreadTypeScript | undefined {
  return hook?.forThreads();
}

/** {@link prepareThreadSources} for one module, with a fast path for one already seen (every call). */
export function prepareThreadSource(file: string): void {
  if (!seen.has(file)) prepareThreadSources([file]);
}
