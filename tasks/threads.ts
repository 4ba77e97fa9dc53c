import { threadId } from 'node:worker_threads';
import { task, ThreadContext } from '../src';
import { Counter } from './math';

export class ThreadInfoTasks {
  /** Increments this thread's Counter; says which thread did it and the count there. */
  @task static countHere(@ThreadContext() ctx: Counter): { threadId: number; count: number } {
    ctx.value++;
    return { threadId, count: ctx.value };
  }
}
