import { KEY_SLOTS, KeySlots, slotOf } from '../src/main/affinity';
import type { Threads } from '../src/main/executor';

/**
 * The placement of keys on threads, on its own: which thread each key's calls go to as threads come
 * and go (the pool's tests check that calls do go there). The threads here are ids in a list.
 */
class ThreadList implements Threads {
  constructor(readonly ids: number[]) {}
  live(): readonly number[] {
    return this.ids;
  }
  isLive(thread: number): boolean {
    return this.ids.includes(thread);
  }
  idle(): readonly number[] {
    return [];
  }
  onIdle(): void {
    // Placement needs no wake-ups.
  }
}

function countBy(values: Iterable<number>): Map<number, number> {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

const keys = Array.from({ length: 20_000 }, (_, i) => `tenant-${String(i)}`);

describe('key placement', () => {
  test('a few keys go one per thread, round the threads', () => {
    const slots = new KeySlots(new ThreadList([1, 2, 3, 4]));
    const few = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'wonka'];
    expect(new Set(few.map(slotOf)).size).toBe(few.length);
    const placed = few.map((key) => slots.threadOf(key));
    expect([...countBy(placed as number[]).values()]).toEqual([2, 2, 2, 2]);
    // Asked again, in another order: the same threads.
    expect([...few].reverse().map((key) => slots.threadOf(key))).toEqual([...placed].reverse());
  });

  test('many keys spread evenly, and each stays on its thread', () => {
    const slots = new KeySlots(new ThreadList([1, 2, 3, 4]));
    const placed = keys.map((key) => slots.threadOf(key) as number);
    const counts = [...countBy(placed).values()];
    expect(counts).toHaveLength(4);
    expect(Math.max(...counts) / Math.min(...counts)).toBeLessThan(1.1);
    expect(keys.filter((key, i) => slots.threadOf(key) !== placed[i])).toEqual([]);
  });

  test("a dead thread's keys spread over the others; no other key moves", () => {
    const threads = new ThreadList([1, 2, 3, 4]);
    const slots = new KeySlots(threads);
    const before = keys.map((key) => slots.threadOf(key) as number);
    threads.ids.splice(threads.ids.indexOf(2), 1);
    const after = keys.map((key) => slots.threadOf(key) as number);
    expect(keys.filter((_, i) => before[i] !== 2 && after[i] !== before[i])).toEqual([]);
    const moved = after.filter((thread, i) => before[i] === 2);
    expect(moved.length).toBeGreaterThan(0);
    const movedTo = [...countBy(moved).values()];
    expect(movedTo).toHaveLength(3);
    expect(Math.max(...movedTo) / Math.min(...movedTo)).toBeLessThan(1.15);
    const counts = [...countBy(after).values()];
    expect(Math.max(...counts) / Math.min(...counts)).toBeLessThan(1.1);
  });

  test('a thread that joins takes new keys; no key moves off a thread that lives', () => {
    const threads = new ThreadList([1, 2]);
    const slots = new KeySlots(threads);
    const old = keys.slice(0, 10);
    const placed = old.map((key) => slots.threadOf(key));
    threads.ids.push(3);
    expect(old.map((key) => slots.threadOf(key))).toEqual(placed);
    // The next new keys go to the thread with the fewest slots until it catches up.
    expect(slots.threadOf('newcomer-a')).toBe(3);
    expect(slots.threadOf('newcomer-b')).toBe(3);
  });

  test('no live thread: no placement, and the key is placed once one lives', () => {
    const threads = new ThreadList([]);
    const slots = new KeySlots(threads);
    expect(slots.threadOf('k')).toBeUndefined();
    threads.ids.push(7);
    expect(slots.threadOf('k')).toBe(7);
  });

  test('slots are the key text hashed: numbers and strings alike, within the table', () => {
    for (const key of [0, -1, 1.5, 2 ** 40, '', 'x', 'ünïcode', '😀']) {
      const slot = slotOf(key);
      expect(Number.isInteger(slot)).toBe(true);
      expect(slot).toBeGreaterThanOrEqual(0);
      expect(slot).toBeLessThan(KEY_SLOTS);
    }
    expect(slotOf(42)).toBe(slotOf('42'));
  });
});
