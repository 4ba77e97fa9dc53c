import type { ThreadPool } from '../src';
import { dispatchProbe } from '../src/main/threads';
import type { TaskRequest } from '../src/shared/protocol';
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

/** Every run handed to a thread, as it is handed: the thread and the requests it carried. */
export function recordSends(): { sends: { thread: number; requests: readonly TaskRequest[] }[]; untilSends: (count: number) => Promise<void> } {
  const sends: { thread: number; requests: readonly TaskRequest[] }[] = [];
  const waiters: (() => void)[] = [];
  dispatchProbe.onSend = (thread, requests) => {
    sends.push({ thread, requests });
    for (const wake of waiters.splice(0)) wake();
  };
  return {
    sends,
    untilSends: async (count) => {
      while (sends.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}

/** The numbers of `OrderTasks.record` calls in the runs sent, in the order they were sent. */
export function recorded(sends: readonly { requests: readonly TaskRequest[] }[]): number[] {
  return sends.flatMap((send) => send.requests.filter((request) => request.task.endsWith('.record')).map((request) => request.args[1] as number));
}
