import { setTimeout as sleep } from 'node:timers/promises';
import { task, ThreadContext } from '../src/task';

/**
 * The example tasks of the README, the demo and the tests. Task modules in this repository import
 * the library's task entry by relative path (`../src/task`) so that they run with no build; a user's
 * modules import `'asyncthreadpool/task'`.
 */

/** A thread context: one per thread, kept between tasks. */
export class Counter {
  value = 0;
}

export class MathTasks {
  @task static add(a: number, b: number): number {
    return a + b;
  }

  @task static async sleepAdd(a: number, b: number, ms: number): Promise<number> {
    await sleep(ms);
    return a + b;
  }

  @task static incr(@ThreadContext() ctx: Counter, by: number): number {
    ctx.value += by;
    return ctx.value;
  }

  @task static get(by: number, @ThreadContext() ctx: Counter): number {
    return ctx.value + by;
  }
}
