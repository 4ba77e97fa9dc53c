import { ThreadPool } from '../src';
import { MathTasks } from '../tasks/math';
import { expectCode } from './helpers';

const MANY = 5000;

/** Starts `count` calls and counts their settlements; each promise settles at most once by nature. */
function startCalls(pool: ThreadPool, count: number): { all: Promise<PromiseSettledResult<number>[]>; settled: () => number } {
  let settled = 0;
  const calls = Array.from({ length: count }, (_, i) =>
    pool.spawn(MathTasks).add(i, 1).finally(() => {
      settled++;
    }),
  );
  return { all: Promise.allSettled(calls), settled: () => settled };
}

describe('shutdown under load', () => {
  test(`close() with ${String(MANY)} calls queued finishes them all`, async () => {
    const pool = new ThreadPool({ threads: 2 });
    const { all, settled } = startCalls(pool, MANY);
    await pool.close();
    const outcomes = await all;
    expect(settled()).toBe(MANY);
    expect(outcomes.every((o, i) => o.status === 'fulfilled' && o.value === i + 1)).toBe(true);
  });

  test(`destroy() with ${String(MANY)} calls queued rejects every one with ERR_POOL_CLOSED`, async () => {
    const pool = new ThreadPool({ threads: 2 });
    const { all, settled } = startCalls(pool, MANY);
    await pool.destroy();
    const outcomes = await all;
    expect(settled()).toBe(MANY);
    // Some may have finished before the threads ended; the rest are rejected, none is lost.
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    for (const r of rejected) expectCode(r.reason, 'ERR_POOL_CLOSED');
  });

  test('close() and destroy() twice each, interleaved with spawns: everything settles, nothing hangs', async () => {
    const pool = new ThreadPool({ threads: 2 });
    const first = startCalls(pool, 1000);
    const closing = [pool.close(), pool.close()];
    const during = startCalls(pool, 100); // refused: the pool is closing
    const destroying = [pool.destroy(), pool.destroy()];
    const after = startCalls(pool, 100);
    await Promise.all([...closing, ...destroying]);
    const [a, b, c] = await Promise.all([first.all, during.all, after.all]);
    expect(first.settled() + during.settled() + after.settled()).toBe(1200);
    for (const r of [...a, ...b, ...c]) {
      if (r.status === 'rejected') expectCode(r.reason, 'ERR_POOL_CLOSED');
    }
    expect(b.every((r) => r.status === 'rejected')).toBe(true);
    expect(c.every((r) => r.status === 'rejected')).toBe(true);
  });
});
