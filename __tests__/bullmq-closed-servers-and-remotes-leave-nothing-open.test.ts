import * as path from 'node:path';
import { ROOT, runNode } from './helpers-process';
import { describeWithRedis } from './helpers-redis';

/**
 * Runs a BullMQ test file (a server, a remote pool, a pool and a Redis, all closed in afterAll) in
 * a jest of its own with --detectOpenHandles: after `remote.close()` and `server.close()` nothing
 * may keep the process alive. (The SIGKILL test also checks that a serving process exits by itself.)
 */
describeWithRedis('closing', () => {
  test('jest --detectOpenHandles finds nothing left open by closed servers and remote pools', async () => {
    const config = {
      rootDir: ROOT,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/__tests__/bullmq-server-runs-only-named-tasks.test.ts'],
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
    };
    const jest = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
    const run = await runNode([jest, '--config', JSON.stringify(config), '--detectOpenHandles', '--ci'], 120_000);
    expect(run.stderr).toMatch(/Tests:\s+\d+ passed, \d+ total/);
    expect(run.stderr).not.toMatch(/open handle/i);
    expect(run.stderr).not.toMatch(/did not exit/i);
    expect(run.code).toBe(0);
  }, 130_000);
});
