import { task, TaskProgress, ThreadContext } from '../src/task';

/** The tasks of `examples/progress.ts`. */
export class ReportTasks {
  /** How many primes are below `limit`, reporting the fraction of the range done after each number. */
  @task static countPrimes(limit: number, @TaskProgress() progress: (done: number) => void): number {
    let count = 0;
    for (let n = 2; n < limit; n++) {
      let prime = true;
      for (let d = 2; d * d <= n; d++) {
        if (n % d === 0) {
          prime = false;
          break;
        }
      }
      if (prime) count++;
      // A report per number: coalesced, this costs an assignment or two each.
      progress((n + 1) / limit);
    }
    return count;
  }
}

/** What a thread's streams did (the context of `examples/streams.ts`). */
export class StreamLog {
  /** Items the generators of this thread made. */
  produced = 0;
  /** Generators whose `finally` ran. */
  closed = 0;
}

/** The tasks of `examples/streams.ts`. */
export class CsvTasks {
  /** The rows of a CSV text as objects, one by one; a line with the wrong number of fields throws. */
  @task static async *rows(text: string): AsyncGenerator<Record<string, string>> {
    const [header = '', ...lines] = text.split('\n');
    const names = header.split(',');
    for (const [i, line] of lines.entries()) {
      const fields = line.split(',');
      if (fields.length !== names.length) throw new SyntaxError(`line ${i + 2} has ${fields.length} fields, not ${names.length}`);
      yield await Promise.resolve(Object.fromEntries(names.map((name, k) => [name, fields[k] ?? ''])));
    }
  }

  /** `{ n: 1 }`, `{ n: 2 }`, ... without end: only the caller's `break` stops it. */
  @task static async *naturals(@ThreadContext() log: StreamLog): AsyncGenerator<{ n: number }> {
    try {
      for (let n = 1; ; n++) {
        log.produced++;
        yield await Promise.resolve({ n });
      }
    } finally {
      log.closed++;
    }
  }

  /** The squares of 1..n from a plain generator: nothing to await, so no promise an item. */
  @task static *squares(n: number): Generator<number> {
    for (let i = 1; i <= n; i++) yield i * i;
  }

  /** The thread's log. */
  @task static log(@ThreadContext() log: StreamLog): { produced: number; closed: number } {
    return { produced: log.produced, closed: log.closed };
  }
}
