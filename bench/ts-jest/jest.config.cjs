// @ts-check
'use strict';
// The jest configuration of the bench's `ts-jest-start` measure: the project's own jest and ts-jest
// transform (as in jest.config.ts), limited to this folder's one test file.
const path = require('node:path');

/** @type {import('jest').Config} */
const config = {
  rootDir: path.join(__dirname, '..', '..'),
  roots: ['<rootDir>/bench/ts-jest'],
  testMatch: ['**/*.bench-test.ts'],
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: { '^asyncthreadpool$': '<rootDir>/src/index.ts', '^asyncthreadpool/task$': '<rootDir>/src/task.ts' },
  testTimeout: 60_000,
};

module.exports = config;
