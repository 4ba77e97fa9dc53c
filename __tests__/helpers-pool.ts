import type { ThreadPool } from '../src';
import { CancellableTasks } from './fixtures/cancellable';
import { sharedCounter, untilAtLeast } from './helpers';

/**
 * Occupies one thread of `pool` with a call that blocks until `release()`; resolves once that call
 * is running. `held` settles with the call (after the release).
 */
export async function holdThread(pool: ThreadPool): Promise<{ held: Promise<number>; release: () => void }> {
  const gate = sharedCounter();
  const held = pool.spawn(CancellableTasks).holdUntil(gate);
  await untilAtLeast(gate, 1, 1);
  return {
    held,
    release: () => {
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
    },
  };
}
