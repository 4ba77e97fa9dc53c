'use strict';
// The asyncthreadpool task module of the benchmarks, written as a compiled JavaScript project would
// ship it (like __tests__/fixtures/js-tasks.cjs): it loads the built package's task entry
// (dist/task, a user's `asyncthreadpool/task`) and applies the decorators by hand, in the order and with the metadata that tsc's `__decorate` output uses.
//
// The library is required by a computed path so that `tsc --noEmit` (which type-checks bench/)
// does not need dist/ to exist; its types are read from the sources, which dist/ is built from.
const path = require('node:path');
const { spin } = require('./spin.cjs');

/** @type {typeof import('../src/task')} */
const lib = require(path.join(__dirname, '..', 'dist', 'task'));
const { task, ThreadContext } = lib;

/** The per-thread context of benchmark (g): a counter that context tasks increment. */
class BenchCounter {
  count = 0;
}

class BenchTasks {
  /**
   * The trivial task every contender runs.
   * @param {number} a
   * @param {number} b
   * @returns {number}
   */
  static add(a, b) {
    return a + b;
  }

  /**
   * The CPU-bound task of benchmark (c).
   * @param {number} iterations
   * @returns {number}
   */
  static spin(iterations) {
    return spin(iterations);
  }

  /**
   * `add` plus one increment of the thread's context counter (benchmark g).
   * @param {number} a
   * @param {number} b
   * @param {BenchCounter} ctx
   * @returns {number}
   */
  static addCounted(a, b, ctx) {
    ctx.count++;
    return a + b;
  }

  /**
   * The thread's counter, to check that every context call reached a context.
   * @param {BenchCounter} ctx
   * @returns {number}
   */
  static count(ctx) {
    return ctx.count;
  }
}

for (const name of ['add', 'spin']) {
  task(BenchTasks, name, /** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(BenchTasks, name)));
}

// What tsc emits for `@task static addCounted(a: number, b: number, @ThreadContext() ctx: BenchCounter): number`
// and `@task static count(@ThreadContext() ctx: BenchCounter): number`: `__decorate` applies the
// metadata first, then the parameter decorator, then `@task`.
/** @type {[string, unknown[]][]} */
const contextTasks = [
  ['addCounted', [Number, Number, BenchCounter]],
  ['count', [BenchCounter]],
];
for (const [name, paramTypes] of contextTasks) {
  Reflect.defineMetadata('design:returntype', Number, BenchTasks, name);
  Reflect.defineMetadata('design:paramtypes', paramTypes, BenchTasks, name);
  Reflect.defineMetadata('design:type', Function, BenchTasks, name);
  ThreadContext()(BenchTasks, name, paramTypes.length - 1);
  task(BenchTasks, name, /** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(BenchTasks, name)));
}

module.exports = { BenchTasks, BenchCounter };
