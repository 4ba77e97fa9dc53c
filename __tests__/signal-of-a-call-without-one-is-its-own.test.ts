import { ThreadPool } from '../src';
import { SignalListenerTasks } from './fixtures/signal-listeners';

/**
 * A task that takes a `@TaskSignal()` gets one on every call; on a call without `signal` or
 * `timeout` it is a signal of its own that never aborts, collected with the call. What a task adds
 * to it (an `abort` listener, and what the listener holds) never piles up on a signal shared by
 * such calls, which would grow the thread's heap call after call and warn MaxListenersExceeded.
 */
const CALLS = 300;

async function listenersSeen(pool: ThreadPool): Promise<{ listeners: number; warnings: number }[]> {
  const seen: { listeners: number; warnings: number }[] = [];
  // One at a time and all at once (a backlog goes out in batches): both paths.
  for (let i = 0; i < CALLS / 2; i++) seen.push(await pool.spawn(SignalListenerTasks).listen(1));
  seen.push(...(await Promise.all(Array.from({ length: CALLS / 2 }, () => pool.spawn(SignalListenerTasks).listen(1)))));
  return seen;
}

test('on a pool thread: each call without a signal sees only its own listener, and no warning', async () => {
  const pool = new ThreadPool({ threads: 1 });
  try {
    expect(await listenersSeen(pool)).toEqual(Array.from({ length: CALLS }, () => ({ listeners: 1, warnings: 0 })));
  } finally {
    await pool.close();
  }
});

test('on an inline pool: the same', async () => {
  const pool = ThreadPool.inline();
  try {
    expect(await listenersSeen(pool)).toEqual(Array.from({ length: CALLS }, () => ({ listeners: 1, warnings: 0 })));
  } finally {
    await pool.close();
  }
});

test('a call with a signal still gets the one that aborts with it', async () => {
  const pool = new ThreadPool({ threads: 1 });
  try {
    const controller = new AbortController();
    expect(await pool.with({ signal: controller.signal }).spawn(SignalListenerTasks).listen(1)).toEqual({ listeners: 1, warnings: 0 });
  } finally {
    await pool.close();
  }
});
