import { ThreadPool } from '../src';
import { ContextTasks, Tally } from './fixtures/contexts';
import { Counter, MathTasks } from '../tasks/math';
import { sharedCounter } from './helpers';

describe('one context per thread', () => {
  test('mutations persist across tasks on the same thread', async () => {
    const one = new ThreadPool({ context: Counter, threads: 1 });
    expect(await one.spawn(MathTasks).incr(1)).toBe(1);
    expect(await one.spawn(MathTasks).incr(2)).toBe(3);
    expect(await one.spawn(MathTasks.incr, 4)).toBe(7);
    expect(await one.spawn(MathTasks).get(0)).toBe(7);
    await one.close();
  });

  test('N threads hold N independent contexts', async () => {
    const threads = 3;
    const pool = new ThreadPool({ context: Tally, threads });
    // Each call waits until all three arrived, so the three run at once: one per thread.
    const shared = sharedCounter();
    const first = await Promise.all(Array.from({ length: threads }, () => pool.spawn(ContextTasks).tallyAt(shared, threads)));
    expect(new Set(first.map((r) => r.threadId)).size).toBe(threads);
    expect(first.map((r) => r.calls)).toEqual([1, 1, 1]);

    // A second round: every thread's own context has seen exactly its own calls.
    const again = sharedCounter();
    const second = await Promise.all(Array.from({ length: threads }, () => pool.spawn(ContextTasks).tallyAt(again, threads)));
    expect(second.map((r) => r.calls)).toEqual([2, 2, 2]);

    // Many calls: per thread, counts go up one by one, and they add up to the number of calls.
    const results = await Promise.all(Array.from({ length: 60 }, () => pool.spawn(ContextTasks).tally()));
    const byThread = new Map<number, number[]>();
    for (const r of results) byThread.set(r.threadId, [...(byThread.get(r.threadId) ?? []), r.calls]);
    let total = 0;
    for (const calls of byThread.values()) {
      const sorted = [...calls].sort((a, b) => a - b);
      expect(sorted).toEqual(Array.from({ length: sorted.length }, (_, i) => i + 3));
      total += sorted.length;
    }
    expect(total).toBe(60);
    await pool.close();
  });
});
