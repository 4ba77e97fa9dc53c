import * as assert from 'node:assert';
import { task, ThreadContext } from '../src/task';
import { Counter } from './math';

/** Blocks the calling thread, like Nim's `sleep`: the thread is busy, not merely waiting. */
function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Nim's ValueError, exported so that it comes back as itself. */
export class ValueError extends Error {
  override readonly name = 'ValueError';
}

/** The procs of the Nim original's tests (tests/test1.nim, test_issue14.nim, test_issue15.nim). */
export class NimTasks {
  @task static intProc(a: number, b: number, sleepMs: number): number {
    blockFor(sleepMs);
    return a + b;
  }

  @task static voidProc(_a: number, _b: number, sleepMs: number): void {
    blockFor(sleepMs);
  }

  @task static incCtx(@ThreadContext() ctx: Counter, byValue: number): number {
    ctx.value += byValue;
    return ctx.value;
  }

  @task static chkCtx(@ThreadContext() ctx: Counter, withValue: number): void {
    assert.strictEqual(ctx.value, withValue);
  }

  @task static raiseErrorTask(): never {
    throw new ValueError('Test exception');
  }

  @task static bar(x: number, sleepMs = 0): void {
    assert.strictEqual(x, 1);
    blockFor(sleepMs);
  }
}
