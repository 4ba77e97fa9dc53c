import * as path from 'node:path';
import { ROOT, runNode } from './helpers-process';

/**
 * Runs another test file of this suite, one that keeps a pool in a variable of its describe block
 * and closes it in afterAll, in a jest of its own with --detectOpenHandles.
 */
test('jest --detectOpenHandles finds nothing left open by a closed pool', async () => {
  const config = {
    rootDir: ROOT,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/__tests__/errors-survive-the-thread-hop.test.ts'],
    transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  };
  const jest = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
  const run = await runNode([jest, '--config', JSON.stringify(config), '--detectOpenHandles', '--ci'], 120_000);
  expect(run.stderr).toMatch(/Tests:\s+\d+ passed, \d+ total/);
  expect(run.stderr).not.toMatch(/open handle/i);
  expect(run.code).toBe(0);
});
