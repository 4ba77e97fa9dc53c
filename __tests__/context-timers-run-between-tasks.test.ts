import { ThreadPool } from '../src';
import { ContextTasks, Ticker } from './fixtures/contexts';
import { sharedCounter, untilAtLeast } from './helpers';

describe('a thread stays alive and awake between tasks', () => {
  test("a context's setInterval keeps ticking while the thread is idle, and the thread is not reaped", async () => {
    const shared = sharedCounter();
    const pool = new ThreadPool({ context: Ticker, contextArgs: [shared], threads: 1 });
    const before = await pool.spawn(ContextTasks).ticks();

    // No task runs now. The context's own timer publishes each tick to shared memory: wait for 25
    // more (about 50 ms of idleness: far past Piscina's default idleTimeout of 0).
    await untilAtLeast(shared, 0, Atomics.load(shared, 0) + 25);

    const after = await pool.spawn(ContextTasks).ticks();
    expect(after.threadId).toBe(before.threadId);
    expect(after.ticks - before.ticks).toBeGreaterThanOrEqual(25);
    await pool.close();
  });

  test("calls back to back, each taken while the thread polls for it (spinWait): the context's timers still run", async () => {
    const shared = sharedCounter();
    const pool = new ThreadPool({ context: Ticker, contextArgs: [shared], threads: 1, spinWait: 10_000 });
    const before = await pool.spawn(ContextTasks).ticks();
    // ~150 ms of calls with no gap: a 2 ms interval should tick dozens of times on that thread meanwhile.
    const started = performance.now();
    let last = before;
    while (performance.now() - started < 150) last = await pool.spawn(ContextTasks).ticks();
    expect(last.threadId).toBe(before.threadId);
    expect(last.ticks - before.ticks).toBeGreaterThanOrEqual(10);
    await pool.close();
  });
});
