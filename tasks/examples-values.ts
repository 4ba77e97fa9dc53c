import { task } from '../src/task';

/** A class whose instances cross threads as plain objects: its prototype is not sent. */
export class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}

  length(): number {
    return Math.hypot(this.x, this.y);
  }
}

/** The tasks of `examples/arguments-and-results.ts`. */
export class ValueTasks {
  /** Sends back what it received: a structured-clone round trip. */
  @task static echo(value: unknown): unknown {
    return value;
  }

  /** Whether the thread received a `Point` (it never does) and the keys it received. */
  @task static inspect(value: unknown): { isPoint: boolean; keys: string[] } {
    return { isPoint: value instanceof Point, keys: Object.keys(value as object) };
  }

  /** Adds one to slot 0 of shared memory: the caller sees it, since a SharedArrayBuffer is shared. */
  @task static bump(cells: Int32Array): void {
    Atomics.add(cells, 0, 1);
  }
}
