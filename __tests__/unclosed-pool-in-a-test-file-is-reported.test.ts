import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROOT, runNode } from './helpers-process';

/**
 * Under jest, a pool still open at the end of a test file is reported on stderr in one line naming
 * where it was created, then closed (its contexts disposed). Runs a fixture test file that forgets
 * its pool in a jest of its own.
 */
describe('a pool left open by a jest test file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'asyncthreadpool-jest-open-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('is reported in one stderr line naming its creation site, then closed: dispose() runs, jest exits 0', async () => {
    const fixture = path.join('__tests__', 'fixtures', 'unclosed-pool-in-a-test-file.spec.ts');
    // The creation site: the fixture's line (1-based) and column of `new ThreadPool`.
    const lines = readFileSync(path.join(ROOT, fixture), 'utf8').split('\n');
    const row = lines.findIndex((line) => line.includes('new ThreadPool(')) + 1;
    const column = (lines[row - 1] ?? '').indexOf('new ThreadPool(') + 1;
    expect(row).toBeGreaterThan(0);

    const file = path.join(dir, 'disposed.txt');
    const config = {
      rootDir: ROOT,
      testEnvironment: 'node',
      testMatch: [`<rootDir>/${fixture.split(path.sep).join('/')}`],
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
    };
    const jest = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
    const run = await runNode([jest, '--config', JSON.stringify(config), '--ci'], 120_000, {
      ASYNCTHREADPOOL_DISPOSE_FILE: file,
    });

    expect(run.stderr).toMatch(/Tests:\s+1 passed, 1 total/);
    const reports = run.stderr.split('\n').filter((line) => line.includes('was still open'));
    expect(reports).toEqual([
      `asyncthreadpool: a pool created at ${fixture}:${String(row)}:${String(column)} was still open at the end of the test file; closing it (close it in the test or in afterAll)`,
    ]);
    expect(existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : []).toHaveLength(1);
    expect(run.stderr).not.toMatch(/did not exit|failed to exit gracefully|open handle/i);
    expect(run.code).toBe(0);
  });
});
