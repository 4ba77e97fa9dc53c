import { task } from '../src/task';

/**
 * A CPU-heavy step in plain JavaScript: the number of primes in [from, to), by trial division.
 * (Not a hash: Node's crypto hashes contend on a process-wide OpenSSL lock and do not scale across
 * threads — measured here, 48 chunks of chained SHA-256 took 448 ms on 1 thread and 445 ms on 2.)
 */
export function countPrimes(from: number, to: number): number {
  let count = 0;
  for (let n = Math.max(2, from); n < to; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

export class CpuTasks {
  /** One chunk of the demo's CPU job, on a worker thread. */
  @task static countPrimes(from: number, to: number): number {
    return countPrimes(from, to);
  }
}
