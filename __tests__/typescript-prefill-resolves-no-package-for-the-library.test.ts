import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers-process';

/**
 * The main thread's prefill follows the imports of what the threads will load, to transpile the
 * TypeScript among them. Of the library's own modules that come from its build it follows only the
 * relative imports: their packages (the library's dependencies) are compiled, and resolving one walks
 * node_modules. A task module's package imports are still followed (a workspace package may be
 * TypeScript: see typescript-prefill-follows-package-imports). Run on a small copy of the library's
 * layout, as in typescript-build-is-handed-only-when-every-source-matches.
 */
interface Hook {
  prefill(roots: readonly string[]): void;
  forThreads(): { built: string[] } | undefined;
  stats(): { packagesResolved: number };
}

const ENTRY_TS = "import 'some-dependency';\nexport const entry: number = 1;\n";

describe("the prefill of the library's built modules", () => {
  let tree: string;

  beforeEach(() => {
    const parent = path.join(ROOT, 'node_modules', '.cache');
    fs.mkdirSync(parent, { recursive: true });
    tree = fs.realpathSync(fs.mkdtempSync(path.join(parent, 'asyncthreadpool-prefill-packages-')));
    fs.mkdirSync(path.join(tree, 'src', 'shared'), { recursive: true });
    fs.mkdirSync(path.join(tree, 'src', 'worker'), { recursive: true });
    fs.mkdirSync(path.join(tree, 'dist', 'worker'), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'src', 'shared', 'ts-hook.cjs'), path.join(tree, 'src', 'shared', 'ts-hook.cjs'));
    fs.writeFileSync(path.join(tree, 'src', 'worker', 'entry.ts'), ENTRY_TS);
    const js = path.join(tree, 'dist', 'worker', 'entry.js');
    fs.writeFileSync(js, '"use strict";\nrequire("some-dependency");\nexports.entry = 1;\n//# sourceMappingURL=entry.js.map');
    const map = { version: 3, file: 'entry.js', sources: ['../../src/worker/entry.ts'], sourcesContent: [ENTRY_TS], mappings: '' };
    fs.writeFileSync(`${js}.map`, JSON.stringify(map));
    process.env.ASYNCTHREADPOOL_TS_CACHE = path.join(tree, 'cache');
  });

  afterEach(() => {
    delete process.env.ASYNCTHREADPOOL_TS_CACHE;
    fs.rmSync(tree, { recursive: true, force: true });
  });

  test('resolves none of their packages', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the tree's own copy of the hook
    const hook = require(path.join(tree, 'src', 'shared', 'ts-hook.cjs')) as Hook;
    hook.prefill([path.join(tree, 'src', 'worker', 'entry.ts')]);
    expect(hook.forThreads()?.built).toEqual([path.join(tree, 'src', 'worker', 'entry.ts')]);
    expect(hook.stats().packagesResolved).toBe(0);
  });
});
