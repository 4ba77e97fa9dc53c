import type { Threads } from './executor';

/** A call's affinity key (`with({ key })`). */
export type CallKey = string | number;

/** How many slots keys hash into: enough that a few keys rarely share one, few enough to be kept whole. */
export const KEY_SLOTS = 16_384;

/**
 * Which thread runs the calls of each key. A key hashes to one of {@link KEY_SLOTS} slots; a slot
 * is given, the first time a key needs it, to the live thread that holds the fewest slots, and stays
 * with it while that thread lives: calls with one key run on one thread (a cache it keeps for the key
 * hits), and keys spread evenly over the threads, slot by slot. A slot whose thread is gone (it
 * crashed, was ended after an abort, or was reaped) goes, when next needed, to the live thread with
 * the fewest slots then, which is how a dead thread's keys spread over the others and a new thread
 * gets new keys. No key is ever moved from a thread that lives, so a thread that joins later takes
 * only slots not yet given. Memory is one fixed table, whatever the number of distinct keys.
 */
export class KeySlots {
  /** Per slot, the id of its thread plus one; 0 for a slot not given yet. */
  readonly #slots = new Int32Array(KEY_SLOTS);
  /** Slots held per thread id. */
  readonly #load = new Map<number, number>();
  readonly #threads: Threads;

  constructor(threads: Threads) {
    this.#threads = threads;
  }

  /** The thread that runs `key`'s calls (giving its slot one if it has none), or undefined while no thread lives. */
  threadOf(key: CallKey): number | undefined {
    const slot = slotOf(key);
    const held = (this.#slots[slot] as number) - 1;
    if (held !== -1 && this.#threads.isLive(held)) return held;
    let chosen: number | undefined;
    let fewest = Infinity;
    for (const thread of this.#threads.live()) {
      const load = this.#load.get(thread) ?? 0;
      if (load < fewest) {
        fewest = load;
        chosen = thread;
      }
    }
    if (chosen === undefined) return undefined;
    if (held !== -1) this.#forget(held);
    this.#slots[slot] = chosen + 1;
    this.#load.set(chosen, fewest + 1);
    return chosen;
  }

  /** A dead thread's slot count (its slots are given again one by one, as their keys come). */
  #forget(thread: number): void {
    const load = (this.#load.get(thread) ?? 1) - 1;
    if (load <= 0) this.#load.delete(thread);
    else this.#load.set(thread, load);
  }
}

/** FNV-1a over the key's text: stable, cheap, and even enough over the slots. */
export function slotOf(key: CallKey): number {
  const text = typeof key === 'string' ? key : String(key);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % KEY_SLOTS;
}
