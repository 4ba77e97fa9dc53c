import { spawn, ThreadPool } from '../src';
import { SyncStreamTasks } from './fixtures/sync-streams';

/**
 * A generator that makes its items without waiting (no I/O between them: CPU work) and slowly still
 * gets each item to the caller within about a millisecond of the next, not once a chunk of them is
 * full: between chunks the pulling reads the clock, by the items' pace (every item when each takes
 * long, every 64 when they come in nanoseconds), and sends what it has once a millisecond has gone
 * by without a turn of the thread's event loop. The fixture waits, after its second item, until
 * the caller has its first (see `waitsForTheCaller` in fixtures/sync-streams.ts).
 */
describe.each([
  ['a pool', true],
  ['a temporary thread', false],
])('on %s', (_where, onPool) => {
  test.each(['waitsForTheCallerSync', 'waitsForTheCallerAsync'] as const)('%s: the first item arrives while the generator still works', async (method) => {
    await using pool = onPool ? new ThreadPool({ threads: 1 }) : undefined;
    const remote = pool === undefined ? spawn(SyncStreamTasks) : pool.spawn(SyncStreamTasks);
    const shared = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    const items: string[] = [];
    for await (const item of remote[method](shared)) {
      items.push(item);
      Atomics.store(shared, 0, 1);
    }
    expect(items).toEqual(['first', 'second', 'third']);
  });
});
