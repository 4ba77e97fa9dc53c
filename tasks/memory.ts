import { task } from '../src/task';

/** For soak tests: a thread's heap after a full garbage collection (needs `node --expose-gc`). */
export class MemoryTasks {
  @task static heapAfterGc(): number {
    (globalThis as { gc?: () => void }).gc?.();
    return process.memoryUsage().heapUsed;
  }
}
