import { task, ThreadContext } from '../src/task';

/** Each thread's own state: built once per thread, kept between tasks. */
export class Tally {
  calls = 0;
}

export class PrimeTasks {
  /** Counts the primes below `limit`: CPU work, run on a worker thread. */
  @task static countPrimes(limit: number, @ThreadContext() tally: Tally): number {
    tally.calls++;
    let count = 0;
    for (let n = 2; n < limit; n++) {
      let prime = true;
      for (let d = 2; d * d <= n && prime; d++) prime = n % d !== 0;
      if (prime) count++;
    }
    return count;
  }

  /** How many calls this thread has run. */
  @task static calls(@ThreadContext() tally: Tally): number {
    return tally.calls;
  }
}
