import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, runNode } from './helpers-process';

/**
 * When the library runs from its TypeScript sources (its own tests and bench), a thread loads the
 * library's modules from the build (`dist/`, which jest's global setup makes) when the build was
 * compiled from exactly those sources, and transpiles only the task side: with a cold transpile
 * cache, the main thread's prefill then transpiles the task modules alone, not the ~100 KB of the
 * library's sources (the cost of a cold start under ts-jest). A source that differs from what the
 * build was compiled from is transpiled as before.
 */
interface Hook {
  transpile(filename: string, source: string): string;
}

const ERRORS_TS = path.join(ROOT, 'src', 'shared', 'errors.ts');

describe("the library's own sources on a thread", () => {
  let cache: string;
  let hook: Hook;

  beforeEach(() => {
    cache = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncthreadpool-build-reuse-'));
    jest.resetModules();
    process.env.ASYNCTHREADPOOL_TS_CACHE = cache;
    // The hook keeps its cache folder per module instance: a fresh one reads the variable above.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    hook = require('../src/shared/ts-hook.cjs') as Hook;
  });

  afterEach(() => {
    delete process.env.ASYNCTHREADPOOL_TS_CACHE;
    fs.rmSync(cache, { recursive: true, force: true });
  });

  test('a source unchanged since the build loads as the build compiled it, its map pointing into src/', () => {
    const output = hook.transpile(ERRORS_TS, fs.readFileSync(ERRORS_TS, 'utf8'));
    const built = fs.readFileSync(path.join(ROOT, 'dist', 'shared', 'errors.js'), 'utf8');
    expect(output).toBe(`${built.slice(0, built.lastIndexOf('//# sourceMappingURL='))}//# sourceMappingURL=../../dist/shared/errors.js.map`);
    // Nothing was transpiled, so nothing was cached.
    expect(fs.readdirSync(cache)).toEqual([]);
  });

  test('a stack through a module loaded from the build points at its TypeScript line', async () => {
    const line = fs
      .readFileSync(ERRORS_TS, 'utf8')
      .split('\n')
      .findIndex((text) => text.includes('new AsyncThreadPoolError(code, message)'));
    const script = [
      "require('./src/shared/ts-hook.cjs').install();",
      "const { fail } = require('./src/shared/errors.ts');",
      "process.stdout.write(fail('ERR_INVALID_OPTION', 'probe').stack.split('\\n')[1]);",
    ].join('');
    const run = await runNode(['-e', script], 30_000, { ASYNCTHREADPOOL_TS_CACHE: cache });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`${ERRORS_TS}:${String(line + 1)}:`);
    expect(fs.readdirSync(cache)).toEqual([]);
  });

  test('a source that differs from what the build was compiled from is transpiled', () => {
    const source = `${fs.readFileSync(ERRORS_TS, 'utf8')}\nexport const probe: number = 1;\n`;
    const output = hook.transpile(ERRORS_TS, source);
    expect(output).toContain('exports.probe = 1;');
    expect(output).toContain('//# sourceMappingURL=data:application/json;base64,');
    expect(fs.readdirSync(cache).filter((f) => f.endsWith('.js'))).toHaveLength(1);
  });

  test('with a cold cache, only the task modules are transpiled; no thread loads the compiler, metadata intact', async () => {
    const tsNode = require.resolve('ts-node/dist/bin.js', { paths: [ROOT] });
    const run = await runNode([tsNode, '--transpile-only', path.join('__tests__', 'fixtures', 'prefill-run-main.ts')], 60_000, {
      ASYNCTHREADPOOL_TS_CACHE: cache,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const expected = { typescriptLoaded: false, paramTypes: ['Ledger', 'String'], context: 'Ledger' };
    expect(JSON.parse(run.stdout)).toEqual({ pooled: [expected, expected], temporary: expected });
    // prefill-tasks.ts and the prefill-ledger.ts it imports; none of the library's src/ files.
    expect(fs.readdirSync(cache).filter((f) => f.endsWith('.js'))).toHaveLength(2);
  });
});
