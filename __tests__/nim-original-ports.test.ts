import { spawn, ThreadPool } from '../src';
import { Counter } from '../tasks/math';
import { NimTasks, ValueError } from '../tasks/nim';
import { main as sample1 } from '../examples/thread-pool';
import { main as sample2 } from '../examples/poolless-spawn';
import { main as sample3 } from '../examples/thread-context';
import { rejectionOf } from './helpers';

/**
 * The storms below start 100 and 400 threads: they test that nothing hangs, not how fast threads
 * start, which on a loaded 2-core machine can take most of jest's default 60 s. A hang still fails.
 */
const HANG_BOUND_MS = 240_000;

/** Every test of the Nim original (tests/*.nim), ported. */
describe('ports of the Nim original tests', () => {
  test('test1: two concurrent tasks awaited in reverse order, then sequential awaits', async () => {
    const t = new ThreadPool();
    const f1 = t.spawn(NimTasks).intProc(10, 10, 10);
    const f2 = t.spawn(NimTasks).intProc(5, 5, 0);
    const r2 = await f2;
    const r1 = await f1;
    expect(r2).toBe(10);
    expect(r1).toBe(20);
    expect(await t.spawn(NimTasks).intProc(10, 10, 10)).toBe(20);
    expect(await t.spawn(NimTasks).intProc(5, 5, 10)).toBe(10);
    await t.close();
  });

  test('test1: pool-less spawn', async () => {
    expect(await spawn(NimTasks).intProc(10, 10, 10)).toBe(20);
  });

  test('test1: contexts on a one-thread pool (and a failing assertion in a task rejects)', async () => {
    const t = new ThreadPool({ context: Counter, threads: 1 });
    expect(await t.spawn(NimTasks).incCtx(1)).toBe(1);
    expect(await t.spawn(NimTasks).incCtx(2)).toBe(3);
    await expect(t.spawn(NimTasks).chkCtx(3)).resolves.toBeUndefined();
    const failed = await rejectionOf(t.spawn(NimTasks).chkCtx(4));
    expect(failed).toMatchObject({ code: 'ERR_ASSERTION', actual: 3, expected: 4 });
    await t.close();
  });

  test('test1: an exception keeps its class and message across the thread hop', async () => {
    const t = new ThreadPool();
    const error = await rejectionOf(t.spawn(NimTasks).raiseErrorTask());
    expect(error).toBeInstanceOf(ValueError);
    expect((error as Error).message).toContain('Test exception');
    await t.close();
  });

  test('test_issue14: 101 sequential pool-less void spawns', async () => {
    for (let i = 0; i <= 100; i++) {
      await expect(spawn(NimTasks).bar(1)).resolves.toBeUndefined();
    }
  }, HANG_BOUND_MS);

  test('test_issue15: 100 x (new pool of 4, 16 concurrent 10 ms tasks), no hang', async () => {
    for (let round = 0; round < 100; round++) {
      const pool = new ThreadPool({ threads: 4 });
      const all = Array.from({ length: 16 }, () => pool.spawn(NimTasks).bar(1, 10));
      await expect(Promise.all(all)).resolves.toHaveLength(16);
      await pool.close();
    }
  }, HANG_BOUND_MS);

  test('the three README samples', async () => {
    expect(await sample1()).toBe(5);
    expect(await sample2()).toBe(5);
    expect(await sample3()).toEqual([5, 5, 2]);
  });
});
