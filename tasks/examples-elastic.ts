import { threadId } from 'node:worker_threads';
import { task, ThreadContext } from '../src/task';

/** A context worth disposing: it says on which thread it was opened and counts its disposals. */
export class Connection {
  constructor(private readonly closed: Int32Array) {}
  dispose(): void {
    Atomics.add(this.closed, 0, 1);
  }
}

/** The tasks of `examples/elastic-threads.ts`. */
export class ElasticJobs {
  /** Holds its thread until `gate[0]` is set, then says which thread ran it. */
  @task static work(@ThreadContext() _connection: Connection, gate: Int32Array): number {
    while (Atomics.load(gate, 0) === 0) Atomics.wait(gate, 0, 0);
    return threadId;
  }
}
