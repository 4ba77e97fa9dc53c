import { spawn, ThreadPool } from '../src';
import { ProgressTasks, Tally } from './fixtures/progress';
import { sharedCounter } from './helpers';

/**
 * A `@TaskProgress()` parameter's reports reach `onProgress`: coalesced (a tight loop of reports
 * costs a handful of messages), in order, the last one before the result; on a pool, inside a
 * backlog's batches, on the inline pool and on a temporary thread.
 */
describe('progress reports', () => {
  const N = 200_000;

  /** Runs `count(N)` with a recording onProgress; checks what the caller saw when the result came. */
  async function countWith(run: (onProgress: (value: unknown) => void) => Promise<number>): Promise<void> {
    const seen: unknown[] = [];
    const result = await run((value) => seen.push(value));
    // The result came after the last report.
    expect(result).toBe(N);
    expect(seen[seen.length - 1]).toBe(N);
    // Coalesced: far fewer than one message per report, and in order.
    expect(seen.length).toBeLessThan(N / 10);
    expect([...seen].sort((a, b) => (a as number) - (b as number))).toEqual(seen);
  }

  test('on a pool: the last report arrives before the result', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    await countWith((onProgress) => pool.with({ onProgress }).spawn(ProgressTasks).count(N));
  });

  test('on the inline pool', async () => {
    await using pool = ThreadPool.inline();
    await countWith((onProgress) => pool.with({ onProgress }).spawn(ProgressTasks).count(N));
  });

  test('on a temporary thread (pool-less spawn)', async () => {
    await countWith((onProgress) => spawn.with({ onProgress }).spawn(ProgressTasks).count(N));
  });

  test('inside a backlog sent in batches: each call gets its own reports, its last before its result', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    const calls = 40;
    const lastSeen = new Array<unknown>(calls).fill(undefined);
    const results = await Promise.all(
      Array.from({ length: calls }, (_, i) =>
        pool
          .with({ onProgress: (value) => (lastSeen[i] = value) })
          .spawn(ProgressTasks)
          .count(i + 1)
          .then((n) => {
            // Its last report is in by the time its own result is.
            expect(lastSeen[i]).toBe(n);
            return n;
          }),
      ),
    );
    expect(results).toEqual(Array.from({ length: calls }, (_, i) => i + 1));
    expect(pool.stats.messages).toBeLessThan(calls);
  });

  test('a report reaches the caller while the task still runs', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    const gate = sharedCounter();
    const stages: unknown[] = [];
    let started!: () => void;
    const reached = new Promise<void>((resolve) => (started = resolve));
    const call = pool
      .with({
        onProgress: (stage) => {
          stages.push(stage);
          if (stage === 'started') started();
        },
      })
      .spawn(ProgressTasks)
      .reportThenWait(gate);
    await reached;
    Atomics.store(gate, 0, 1);
    expect(await call).toBe('released');
    expect(stages).toEqual(['started', 'finishing']);
  });

  test('without onProgress, reporting does nothing and the call runs as usual', async () => {
    await using pool = new ThreadPool({ threads: 1 });
    expect(await pool.spawn(ProgressTasks).count(1000)).toBe(1000);
    expect(await spawn(ProgressTasks).count(10)).toBe(10);
  });

  test('the context persists across calls that report progress', async () => {
    await using pool = new ThreadPool({ threads: 1, context: Tally });
    const reported: unknown[] = [];
    const view = pool.with({ onProgress: (calls) => reported.push(calls) });
    const first = await view.spawn(ProgressTasks).tallied();
    const second = await view.spawn(ProgressTasks).tallied();
    expect(second).toEqual({ threadId: first.threadId, calls: 2 });
    expect(reported).toEqual([1, 2]);
  });
});
