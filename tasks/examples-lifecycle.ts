import { task, ThreadContext } from '../src/task';

/**
 * A context that holds a resource (here only a count) and says when it is let go: its `dispose()`
 * adds one to slot 0 of a shared counter that the caller can read.
 */
export class Resource {
  uses = 0;
  constructor(private readonly disposals: Int32Array) {}

  dispose(): void {
    Atomics.add(this.disposals, 0, 1);
  }
}

/** The tasks of `examples/lifecycle.ts`. */
export class ResourceTasks {
  /** Uses this thread's resource; returns how many times this thread has used it. */
  @task static use(@ThreadContext() resource: Resource): number {
    return ++resource.uses;
  }

  /** Never settles: a call that only `destroy()` (or a timeout) can end. */
  @task static async forever(): Promise<never> {
    return new Promise<never>(() => undefined);
  }
}
