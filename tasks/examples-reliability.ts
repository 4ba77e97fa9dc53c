import { task, ThreadContext } from '../src/task';

/** A thread context that counts the calls its thread ran. */
export class CallCount {
  calls = 0;
}

/** A context that connects in `init()`, before its thread takes tasks; here the connection fails. */
export class Database {
  connected = false;

  async init(): Promise<void> {
    await Promise.resolve(); // stands for a real connection attempt
    throw new Error('connection refused');
  }
}

/** The tasks of `examples/reliability.ts`. */
export class FragileTasks {
  /** Counts one more call on this thread. */
  @task static count(@ThreadContext() ctx: CallCount): number {
    return ++ctx.calls;
  }

  /** Ends its own thread, as a crash in native code or a stray `process.exit` would. */
  @task static crash(exitCode: number): never {
    process.exit(exitCode);
  }

  /** Would run `sql` on this thread's connection. */
  @task static query(sql: string, @ThreadContext() db: Database): string {
    return db.connected ? sql : 'not connected';
  }
}
