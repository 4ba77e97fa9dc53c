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
    // Calls back to back, with no gap, until the context's 2 ms interval has ticked ten more times
    // on that thread: were the timers starved while the thread takes calls by polling, this loop
    // would never end (the test's timeout is the bound). No clock decides how many calls it takes.
    const target = Atomics.load(shared, 0) + 10;
    let last = before;
    let calls = 0;
    while (Atomics.load(shared, 0) < target) {
      last = await pool.spawn(ContextTasks).ticks();
      calls++;
    }
    last = await pool.spawn(ContextTasks).ticks();
    expect(calls).toBeGreaterThan(0);
    expect(last.threadId).toBe(before.threadId);
    expect(last.ticks - before.ticks).toBeGreaterThanOrEqual(10);
    await pool.close();
  });
});
