import { task, ThreadContext } from '../src/task';

/** The tasks of the README's three examples (the Nim README's, rewritten). */
export class MyContext {
  count = 0;
}

export class MyTasks {
  @task static myTask(a: number, b: number): number {
    return a + b;
  }

  /** Increments the thread's context, then adds. */
  @task static myTaskWithContext(a: number, b: number, @ThreadContext() ctx: MyContext): number {
    ctx.count++;
    return a + b;
  }

  /** Returns the thread's context value to the caller. */
  @task static getContext(@ThreadContext() ctx: MyContext): number {
    return ctx.count;
  }
}
