import { ThreadPool } from '../src';
import { OptCtx, OptTasks } from './fixtures/optional-context';

/**
 * `constructor(public size?: number)` compiles to a constructor whose `length` is 1: a pool given
 * no `contextArgs` must still build it, as a pool-less spawn does (the constructor decides).
 */
describe('a context class with an optional constructor parameter', () => {
  test('the premise: Function.length counts the optional parameter', () => {
    expect(OptCtx.length).toBe(1);
  });

  test('builds without contextArgs on a thread pool, and with them', async () => {
    const bare = new ThreadPool({ context: OptCtx, threads: 1 });
    const sized = new ThreadPool({ context: OptCtx, contextArgs: [3], threads: 1 });
    try {
      expect(await bare.spawn(OptTasks).size()).toBeNull();
      expect(await sized.spawn(OptTasks).size()).toBe(3);
    } finally {
      await Promise.all([bare.close(), sized.close()]);
    }
  });

  test('builds without contextArgs on an inline pool', async () => {
    const pool = ThreadPool.inline({ context: OptCtx });
    try {
      expect(await pool.spawn(OptTasks).size()).toBeNull();
    } finally {
      await pool.close();
    }
  });
});
