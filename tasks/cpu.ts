import { task, TaskProgress } from '../src/task';

/**
 * A CPU-heavy step in plain JavaScript: the number of primes in [from, to), by trial division.
 * (Not a hash: Node's crypto hashes contend on a process-wide OpenSSL lock and do not scale across
 * threads — measured here, 48 chunks of chained SHA-256 took 448 ms on 1 thread and 445 ms on 2.)
 */
export function countPrimes(from: number, to: number, progress?: (done: number) => void): number {
  let count = 0;
  const start = Math.max(2, from);
  for (let n = start; n < to; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
    // The fraction of the range done, after every number (reports are coalesced by the library).
    progress?.((n + 1 - start) / (to - start));
  }
  return count;
}

export class CpuTasks {
  /** One chunk of the demo's CPU job, on a worker thread. */
  @task static countPrimes(from: number, to: number): number {
    return countPrimes(from, to);
  }

  /** The same chunk, reporting the fraction of it done to the caller's `onProgress`. */
  @task static countPrimesReporting(from: number, to: number, @TaskProgress() progress: (done: number) => void): number {
    return countPrimes(from, to, progress);
  }
}
