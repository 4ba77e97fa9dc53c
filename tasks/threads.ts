import { threadId } from 'node:worker_threads';
import { task, ThreadContext } from '../src/task';
import { Counter } from './math';

export class ThreadInfoTasks {
  /**
   * Increments this thread's Counter; says which thread did it and the count there. `busyMs` of work
   * first (a busy loop), so that calls in flight together spread over the threads.
   */
  @task static countHere(@ThreadContext() ctx: Counter, busyMs = 0): { threadId: number; count: number } {
    const until = performance.now() + busyMs;
    while (performance.now() < until) {
      // working
    }
    ctx.value++;
    return { threadId, count: ctx.value };
  }

  /** This thread's id: a call that touches no context (used to have every thread started). */
  @task static threadId(): number {
    return threadId;
  }
}
