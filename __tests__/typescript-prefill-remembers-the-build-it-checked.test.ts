import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers-process';

/**
 * The main thread's prefill (`prefill` of src/shared/ts-hook.cjs) checks each of the library's
 * sources against the build (reading its map, which holds the source) and resolves its imports;
 * it remembers what it found, beside the transpile cache, by the stamps (inode, size, times) of
 * the source, its dist/ module and map, and of the folders its imports were resolved in. A later
 * prefill, in another process, takes a source whose stamps are unchanged as checked, reading
 * nothing (no `buildChecks`); one changed since, or whose imports could now resolve elsewhere, is
 * checked again, and a file changed too recently to tell a later change by its stamp is not
 * remembered. Run on a small copy of the library's layout (as the build handover test), each
 * prefill by a fresh copy of the hook's module, as in a new process.
 */
interface Hook {
  prefill(roots: readonly string[], settledMs?: number): void;
  forThreads(): { built: string[]; transpiled: Record<string, { source: string; output: string }> } | undefined;
  stats(): { buildChecks: number };
}

const ENTRY_TS = "import { a } from '../a';\nexport const entry: number = a;\n";
const A_TS = 'export const a: number = 1;\n';
/** Long ago: what a file or folder untouched since the last build has (its change time is still now; see `settled`). */
const LONG_AGO = new Date(Date.UTC(2020, 0, 1));

/** Writes `dist/<js>` as tsc would for `src/<ts>`: the code, then a map naming the source, with its text. */
function writeBuilt(tree: string, ts: string, code: string, source: string): void {
  const js = path.join(tree, 'dist', ts.replace(/\.ts$/, '.js'));
  fs.mkdirSync(path.dirname(js), { recursive: true });
  fs.writeFileSync(js, `"use strict";\n${code}\n//# sourceMappingURL=${path.basename(js)}.map`);
  const sources = [path.relative(path.dirname(js), path.join(tree, 'src', ts)).split(path.sep).join('/')];
  fs.writeFileSync(`${js}.map`, JSON.stringify({ version: 3, file: path.basename(js), sources, sourcesContent: [source], mappings: '' }));
}

/** Sets every file's and folder's modification time under `dir` to {@link LONG_AGO}. */
function ageTree(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) ageTree(full);
    fs.utimesSync(full, LONG_AGO, LONG_AGO);
  }
  fs.utimesSync(dir, LONG_AGO, LONG_AGO);
}

describe('the prefill remembers the library sources it found compiled into the build', () => {
  let tree: string;
  let entry: string;
  let a: string;

  beforeEach(() => {
    const parent = path.join(ROOT, 'node_modules', '.cache');
    fs.mkdirSync(parent, { recursive: true });
    tree = fs.realpathSync(fs.mkdtempSync(path.join(parent, 'asyncthreadpool-build-memo-')));
    entry = path.join(tree, 'src', 'worker', 'entry.ts');
    a = path.join(tree, 'src', 'a.ts');
    fs.mkdirSync(path.join(tree, 'src', 'shared'), { recursive: true });
    fs.mkdirSync(path.join(tree, 'src', 'worker'), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'src', 'shared', 'ts-hook.cjs'), path.join(tree, 'src', 'shared', 'ts-hook.cjs'));
    fs.writeFileSync(entry, ENTRY_TS);
    fs.writeFileSync(a, A_TS);
    writeBuilt(tree, 'worker/entry.ts', 'const a_1 = require("../a");\nexports.entry = a_1.a;', ENTRY_TS);
    writeBuilt(tree, 'a.ts', 'exports.a = 1;', A_TS);
    // Modification times from before the run, so that any change the test makes shows in them.
    ageTree(path.join(tree, 'src'));
    ageTree(path.join(tree, 'dist'));
    process.env.ASYNCTHREADPOOL_TS_CACHE = path.join(tree, 'cache');
  });

  afterEach(() => {
    delete process.env.ASYNCTHREADPOOL_TS_CACHE;
    fs.rmSync(tree, { recursive: true, force: true });
  });

  /**
   * A fresh copy of the hook (its own module state, as in a new process) prefills from the worker
   * entry. `settledMs` 0: the files' change times are now (only their modification times could be
   * set back), and every change the test makes moves a modification time from {@link LONG_AGO}.
   */
  function prefilled(settledMs = 0): { built: string[]; transpiled: string[]; buildChecks: number } {
    let hook: Hook | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the tree's own copy of the hook
      hook = require(path.join(tree, 'src', 'shared', 'ts-hook.cjs')) as Hook;
    });
    if (hook === undefined) throw new Error('the hook did not load');
    hook.prefill([entry], settledMs);
    const handed = hook.forThreads();
    return { built: [...(handed?.built ?? [])].sort(), transpiled: Object.keys(handed?.transpiled ?? {}), buildChecks: hook.stats().buildChecks };
  }

  test('unchanged since the last prefill: the sources are handed as built, none is read again', () => {
    expect(prefilled()).toEqual({ built: [a, entry], transpiled: [], buildChecks: 2 });
    expect(prefilled()).toEqual({ built: [a, entry], transpiled: [], buildChecks: 0 });
  });

  test('a source changed since (same size): it is checked again, and neither is handed as built', () => {
    expect(prefilled()).toEqual({ built: [a, entry], transpiled: [], buildChecks: 2 });
    const changed = 'export const a: number = 2;\n';
    expect(changed.length).toBe(A_TS.length);
    fs.writeFileSync(a, changed);
    // entry.ts is as remembered, and its import still leads to a.ts, which no longer matches the build.
    expect(prefilled()).toEqual({ built: [], transpiled: [a], buildChecks: 1 });
    // Forgotten, not remembered as it was: checked again while it differs from the build.
    expect(prefilled()).toEqual({ built: [], transpiled: [a], buildChecks: 1 });
  });

  test('the build of a source rebuilt since: it is checked again, and handed as built if it matches', () => {
    expect(prefilled()).toEqual({ built: [a, entry], transpiled: [], buildChecks: 2 });
    writeBuilt(tree, 'a.ts', 'exports.a = 1; ', A_TS);
    expect(prefilled()).toEqual({ built: [a, entry], transpiled: [], buildChecks: 1 });
  });

  test('a file added where an import was resolved: the importer is checked again, and its import followed anew', () => {
    expect(prefilled()).toEqual({ built: [a, entry], transpiled: [], buildChecks: 2 });
    // `require("../a")` now leads to a.js (tried before a.ts), which is not TypeScript: a.ts is not loaded.
    fs.writeFileSync(path.join(tree, 'src', 'a.js'), 'exports.a = 1;\n');
    expect(prefilled()).toEqual({ built: [entry], transpiled: [], buildChecks: 1 });
  });

  test('files changed too recently to tell a later change by their stamps are not remembered', () => {
    const never = Number.MAX_SAFE_INTEGER;
    expect(prefilled(never)).toEqual({ built: [a, entry], transpiled: [], buildChecks: 2 });
    expect(prefilled(never)).toEqual({ built: [a, entry], transpiled: [], buildChecks: 2 });
    expect(prefilled()).toEqual({ built: [a, entry], transpiled: [], buildChecks: 2 });
  });
});
