// Progress: a task's @TaskProgress() parameter receives a function that reports a value; the caller
// passes onProgress in pool.with(...), per call. Reports are coalesced (the latest value at most
// every 10 ms), so reporting in a tight loop costs next to nothing; the last report made before the
// task returns always reaches onProgress before the result does.
import { ThreadPool } from '../src';
import { ReportTasks } from '../tasks/examples-streams';

export async function main() {
  const pool = new ThreadPool({ threads: 2 });
  const limit = 300_000;

  // Two calls at once, each with its own onProgress: per-task progress.
  const seen: Record<string, unknown[]> = { low: [], high: [] };
  const count = (name: 'low' | 'high', upTo: number) =>
    pool.with({ onProgress: (done) => seen[name]?.push(done) }).spawn(ReportTasks).countPrimes(upTo);
  const [low, high] = await Promise.all([
    count('low', limit / 2).then((primes) => ({ primes, lastAtResult: seen.low?.at(-1) })),
    count('high', limit).then((primes) => ({ primes, lastAtResult: seen.high?.at(-1) })),
  ]);

  await pool.close();
  const reports = Object.values(seen).map((values) => values.length);
  return {
    low, // { primes: 13848, lastAtResult: 1 }: the last report came before the result
    high, // { primes: 25997, lastAtResult: 1 }
    increasing: Object.values(seen).every((values) => values.every((v, i) => typeof v === 'number' && (i === 0 || v > Number(values[i - 1])))),
    coalesced: reports.every((n) => n >= 1 && n < limit / 100), // a few dozen reports, not 300,000
  };
}

if (require.main === module) void main().then((r) => { console.log(r); });
