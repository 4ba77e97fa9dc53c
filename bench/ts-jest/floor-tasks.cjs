'use strict';
// The task module of the floor of `node bench/ab-ts-jest.cjs` (bench/ts-jest/floor.ab-test.ts): the
// same task as tasks.ts, compiled JavaScript loading the built task entry (dist/task, a user's
// `asyncthreadpool/task`), the decorator applied by hand. No TypeScript on any thread.
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { threadId } = require('node:worker_threads');
const { threadCpuMs } = require('./floor-cpu.cjs');

/** @type {typeof import('../../src/task')} */
const { task } = require(path.join(__dirname, '..', '..', 'dist', 'task'));

class FloorTasks {
  static hello() {
    return { threadId, at: performance.timeOrigin + performance.now(), typescriptLoaded: false, cpuMs: threadCpuMs(), hook: null };
  }
}
const descriptor = Object.getOwnPropertyDescriptor(FloorTasks, 'hello');
if (descriptor !== undefined) task(FloorTasks, 'hello', descriptor);

module.exports = { FloorTasks };
