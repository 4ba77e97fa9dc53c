import { setImmediate as nextTurn } from 'node:timers/promises';
import { spawn, ThreadPool } from '../src';
import { SyncStreamTasks } from './fixtures/sync-streams';

/**
 * A synchronous generator method streams as an async generator does (`@task static *rows()`): the
 * caller iterates its items with `for await`, under the same credit, `break` runs its `finally` on
 * the thread, and a throw rejects the caller's next `next()` after the items before it. The items
 * are pulled in a loop, with no promise an item (see src/shared/call-events.ts). Another iterator
 * streams when the task is declared `stream: true`; an array does not (it is not an iterator).
 */
const OPENERS = [
  ['a pool', () => new ThreadPool({ threads: 1 })],
  ['the inline pool', () => ThreadPool.inline()],
  ['a temporary thread', () => undefined],
] as const;

const PRODUCED = 0;
const FINALLY_RAN = 1;
const MAX_LEAD = 2;
const CONSUMED = 3;

describe.each(OPENERS)('a generator task on %s', (_where, open) => {
  let pool: ThreadPool | undefined;
  beforeEach(() => {
    pool = open();
  });
  afterEach(async () => {
    await pool?.close();
  });
  const runner = (highWaterMark = 16): Pick<ThreadPool, 'spawn'> => (pool ?? spawn).with({ highWaterMark }) as Pick<ThreadPool, 'spawn'>;

  test('streams every item, in order, across chunks', async () => {
    const items: number[] = [];
    for await (const item of runner().spawn(SyncStreamTasks).range(5000)) items.push(item);
    expect(items).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });

  test('a slow consumer holds it back, and break runs its finally and frees the thread', async () => {
    const shared = new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
    const items: { i: number }[] = [];
    for await (const item of runner(4).spawn(SyncStreamTasks).endless(shared)) {
      items.push(item);
      Atomics.add(shared, CONSUMED, 1);
      if (items.length === 100) break;
      await nextTurn();
    }
    expect(items).toEqual(Array.from({ length: 100 }, (_, i) => ({ i })));
    expect(Atomics.load(shared, MAX_LEAD)).toBeLessThanOrEqual(5);
    expect(Atomics.load(shared, PRODUCED)).toBeLessThanOrEqual(105);
    expect(Atomics.load(shared, FINALLY_RAN)).toBe(1);
    if (pool !== undefined) expect(await pool.spawn(SyncStreamTasks).quick(7)).toBe(7);
  });

  test('a throw comes after the items before it, as the class it was', async () => {
    const items: number[] = [];
    let caught: unknown;
    try {
      for await (const item of runner().spawn(SyncStreamTasks).failAfter(3)) items.push(item);
    } catch (error) {
      caught = error;
    }
    expect(items).toEqual([0, 1, 2]);
    expect(caught).toBeInstanceOf(RangeError);
    expect((caught as Error).message).toBe('failed after 3');
  });

  test('an iterator that is not a generator streams when declared so; an array is refused', async () => {
    const values: string[] = [];
    // Typed as a promise: an iterator that is not a `Generator` streams only as declared, which types cannot see.
    for await (const value of runner().spawn(SyncStreamTasks).valuesOf(3) as unknown as AsyncIterable<string>) values.push(value);
    expect(values).toEqual(['v0', 'v1', 'v2']);
    const refused = (async () => {
      for await (const value of runner().spawn(SyncStreamTasks).anArray() as unknown as AsyncIterable<number>) values.push(String(value));
    })();
    await expect(refused).rejects.toMatchObject({ code: 'ERR_INVALID_TASK', message: expect.stringContaining('not an AsyncIterable or an iterator') as unknown });
  });
});
