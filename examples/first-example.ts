// The README's first example: four prime counts on a two-thread pool, each thread with its own Tally.
import { ThreadPool } from '../src';
import { PrimeTasks, Tally } from '../tasks/primes';

export async function main(): Promise<{ counts: number[]; calls: number[] }> {
  const pool = new ThreadPool({ context: Tally, threads: 2 });
  const primes = pool.spawn(PrimeTasks); // typed: countPrimes(limit: number): Promise<number>
  const limits = [100_000, 200_000, 300_000, 400_000];
  const counts = await Promise.all(limits.map((limit) => primes.countPrimes(limit)));
  const calls = await pool.broadcast(PrimeTasks).calls(); // each thread's own Tally
  await pool.close();
  return { counts, calls }; // { counts: [9592, 17984, 25997, 33860], calls: e.g. [2, 2] }
}

if (require.main === module) void main().then((r) => { console.log(r); });
