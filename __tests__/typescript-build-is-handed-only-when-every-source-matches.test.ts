import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers-process';

/**
 * The main thread hands its threads the build in place of the library's sources (`forThreads` of
 * src/shared/ts-hook.cjs: a thread then loads the build's modules, which require their neighbours
 * from the build) only when every library source its prefill met is what the build was compiled
 * from. One source changed since the build and none is handed as built: each thread takes the
 * sources one by one, the changed one transpiled. Run on a small copy of the library's layout (a
 * `src/` beside its `dist/`, the hook in `src/shared/`), inside node_modules so that the held
 * compiler resolves from it.
 */
interface Hook {
  prefill(roots: readonly string[]): void;
  forThreads(): { built: string[]; transpiled: Record<string, { source: string; output: string }> } | undefined;
}

const ENTRY_TS = "import { a } from '../a';\nexport const entry: number = a;\n";
const A_TS = 'export const a: number = 1;\n';

/** Writes `dist/<js>` as tsc would for `src/<ts>`: the code, then a map naming the source, with its text. */
function writeBuilt(tree: string, ts: string, code: string, source: string): void {
  const js = path.join(tree, 'dist', ts.replace(/\.ts$/, '.js'));
  fs.mkdirSync(path.dirname(js), { recursive: true });
  fs.writeFileSync(js, `"use strict";\n${code}\n//# sourceMappingURL=${path.basename(js)}.map`);
  const sources = [path.relative(path.dirname(js), path.join(tree, 'src', ts)).split(path.sep).join('/')];
  fs.writeFileSync(`${js}.map`, JSON.stringify({ version: 3, file: path.basename(js), sources, sourcesContent: [source], mappings: '' }));
}

describe('the build handed to threads in place of the sources', () => {
  let tree: string;

  beforeEach(() => {
    const parent = path.join(ROOT, 'node_modules', '.cache');
    fs.mkdirSync(parent, { recursive: true });
    tree = fs.realpathSync(fs.mkdtempSync(path.join(parent, 'asyncthreadpool-build-handover-')));
    fs.mkdirSync(path.join(tree, 'src', 'shared'), { recursive: true });
    fs.mkdirSync(path.join(tree, 'src', 'worker'), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'src', 'shared', 'ts-hook.cjs'), path.join(tree, 'src', 'shared', 'ts-hook.cjs'));
    fs.writeFileSync(path.join(tree, 'src', 'worker', 'entry.ts'), ENTRY_TS);
    writeBuilt(tree, 'worker/entry.ts', 'const a_1 = require("../a");\nexports.entry = a_1.a;', ENTRY_TS);
    writeBuilt(tree, 'a.ts', 'exports.a = 1;', A_TS);
    process.env.ASYNCTHREADPOOL_TS_CACHE = path.join(tree, 'cache');
  });

  afterEach(() => {
    delete process.env.ASYNCTHREADPOOL_TS_CACHE;
    fs.rmSync(tree, { recursive: true, force: true });
  });

  /** A fresh copy of the hook (its own module state) prefills from the tree's worker entry. */
  function prefilled(): ReturnType<Hook['forThreads']> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the tree's own copy of the hook
    const hook = require(path.join(tree, 'src', 'shared', 'ts-hook.cjs')) as Hook;
    hook.prefill([path.join(tree, 'src', 'worker', 'entry.ts')]);
    return hook.forThreads();
  }

  test('every source matches the build: all are handed as built, none transpiled', () => {
    fs.writeFileSync(path.join(tree, 'src', 'a.ts'), A_TS);
    const handed = prefilled();
    expect(handed?.built.sort()).toEqual([path.join(tree, 'src', 'a.ts'), path.join(tree, 'src', 'worker', 'entry.ts')]);
    expect(handed?.transpiled).toEqual({});
  });

  test('one source changed since the build: none is handed as built, the changed one is transpiled', () => {
    const changed = 'export const a: number = 2;\n';
    fs.writeFileSync(path.join(tree, 'src', 'a.ts'), changed);
    const handed = prefilled();
    // entry.ts matches its build, but dist/worker/entry.js would load the stale dist/a.js.
    expect(handed?.built).toEqual([]);
    const a = handed?.transpiled[path.join(tree, 'src', 'a.ts')];
    expect(a?.source).toBe(changed);
    expect(a?.output).toContain('exports.a = 2;');
  });
});
