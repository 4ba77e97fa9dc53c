import type { BroadcastBarrier } from './protocol';

/**
 * The broadcast barrier, the one module that knows its layout. Int32 slots: [0] parts that reached
 * a thread, [1] 1 once the broadcast is called off (a part failed to reach one). Each thread holds
 * its part until all `parties` arrived, so no thread can take two parts.
 */
const ARRIVED = 0;
const CALLED_OFF = 1;

/** A barrier for `parties` threads (main thread). */
export function createBarrier(parties: number): BroadcastBarrier {
  return { buffer: new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT), parties };
}

/** Calls a broadcast off: the threads waiting at its barrier go on (main thread). */
export function callOff(barrier: BroadcastBarrier): void {
  const slots = new Int32Array(barrier.buffer);
  Atomics.store(slots, CALLED_OFF, 1);
  Atomics.notify(slots, ARRIVED);
}

/** Holds this thread until every part of a broadcast reached a thread, or the broadcast is called off (worker thread). */
export async function arriveAndWait(barrier: BroadcastBarrier): Promise<void> {
  const slots = new Int32Array(barrier.buffer);
  Atomics.add(slots, ARRIVED, 1);
  Atomics.notify(slots, ARRIVED);
  for (
    let arrived = Atomics.load(slots, ARRIVED);
    arrived < barrier.parties && Atomics.load(slots, CALLED_OFF) === 0;
    arrived = Atomics.load(slots, ARRIVED)
  ) {
    // Asynchronous wait: the thread's event loop (its context's timers and sockets) keeps running.
    const wait = Atomics.waitAsync(slots, ARRIVED, arrived);
    if (wait.async) await wait.value;
  }
}
