import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  globalSetup: '<rootDir>/__tests__/global-setup.ts',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: {
    '^asyncthreadpool$': '<rootDir>/src/index.ts',
    '^asyncthreadpool/task$': '<rootDir>/src/task.ts',
    '^asyncthreadpool/bullmq$': '<rootDir>/src/bullmq/index.ts',
  },
  // Bounds a hang only (no test waits on a timer). Generous: on a loaded 2-core machine some tests
  // that run child processes (eslint, tsc, typedoc, a jest of their own, ts-node servers) take half
  // a minute or more, and several bound their child at 120 s, which a 60 s test timeout undercut.
  testTimeout: 180_000,
};

export default config;
