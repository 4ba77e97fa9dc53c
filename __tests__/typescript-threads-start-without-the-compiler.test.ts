import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, runNode } from './helpers-process';

/**
 * With an empty transpile cache, a main process that already holds the TypeScript compiler (under
 * ts-node, under ts-jest) fills the threads' cache before they need it: no thread loads the
 * compiler, and what they load keeps its decorator metadata (the context parameter's declared
 * class, which a temporary thread with no context builds its context from).
 */
interface ThreadReport {
  typescriptLoaded: boolean;
  paramTypes: string[];
  context: string;
}

const EXPECTED: ThreadReport = { typescriptLoaded: false, paramTypes: ['Ledger', 'String'], context: 'Ledger' };

describe('TypeScript task modules with a cold transpile cache', () => {
  let cache: string;

  beforeEach(() => {
    cache = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncthreadpool-cold-cache-'));
  });

  afterEach(() => {
    fs.rmSync(cache, { recursive: true, force: true });
  });

  function expectWarmedByTheMainThread(reports: { pooled: ThreadReport[]; temporary: ThreadReport }): void {
    expect(reports.pooled).toEqual([EXPECTED, EXPECTED]);
    expect(reports.temporary).toEqual(EXPECTED);
    // The entries the threads read were made in this run, in the folder given.
    expect(fs.readdirSync(cache).filter((f) => f.endsWith('.js')).length).toBeGreaterThan(1);
  }

  test('under ts-node: no thread loads the compiler, metadata intact', async () => {
    const tsNode = require.resolve('ts-node/dist/bin.js', { paths: [ROOT] });
    const run = await runNode([tsNode, '--transpile-only', path.join('__tests__', 'fixtures', 'prefill-run-main.ts')], 60_000, {
      ASYNCTHREADPOOL_TS_CACHE: cache,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expectWarmedByTheMainThread(JSON.parse(run.stdout) as { pooled: ThreadReport[]; temporary: ThreadReport });
  });

  test('under ts-jest: no thread loads the compiler, metadata intact', async () => {
    const out = path.join(cache, 'reports.json');
    const jest = require.resolve('jest/bin/jest', { paths: [ROOT] });
    const config = path.join('__tests__', 'fixtures', 'ts-jest-cold', 'jest.config.cjs');
    const run = await runNode([jest, '--config', config, '--runInBand', '--ci'], 100_000, {
      ASYNCTHREADPOOL_TS_CACHE: cache,
      ASYNCTHREADPOOL_TEST_OUT: out,
    });
    expect(run.code).toBe(0);
    expectWarmedByTheMainThread(JSON.parse(fs.readFileSync(out, 'utf8')) as { pooled: ThreadReport[]; temporary: ThreadReport });
  }, 120_000);
});
