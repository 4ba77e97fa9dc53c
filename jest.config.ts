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
  // Thread start-up under a loaded 2-core machine can take a while; no test waits on a timer.
  testTimeout: 60_000,
};

export default config;
