import { availableParallelism } from 'node:os';
import { ThreadPool } from '../src';
import { expectCode, thrownBy } from './helpers';
import { Counter } from '../tasks/math';
import { NeedsTwo, PairTasks } from './fixtures/contexts';

/** Not exported from any module: the threads cannot load it. */
class Unreachable {}

describe('pool options', () => {
  test('threads defaults to os.availableParallelism()', async () => {
    const pool = new ThreadPool();
    expect(pool.threads).toBe(availableParallelism());
    await pool.close();
  });

  test.each([0, -1, 1.5, Number.NaN, Infinity, 1e9, '4', null, true])('threads = %p is refused at once', (threads) => {
    const error = thrownBy(() => new ThreadPool({ threads: threads as number }));
    expectCode(error, 'ERR_INVALID_OPTION');
    expect((error as Error).message).toMatch(/^Expected `threads` to be a positive integer/);
  });

  test('an unknown option is refused (a typo would otherwise be silently ignored)', () => {
    expectCode(thrownBy(() => new ThreadPool({ thread: 2 } as never)), 'ERR_INVALID_OPTION');
  });

  test('options must be an object', () => {
    expectCode(thrownBy(() => new ThreadPool(4 as never)), 'ERR_INVALID_OPTION');
  });

  test('context must be a class', () => {
    expectCode(thrownBy(() => new ThreadPool({ context: {} as never })), 'ERR_INVALID_OPTION');
    expectCode(thrownBy(() => new ThreadPool({ context: (() => ({})) as never })), 'ERR_INVALID_OPTION');
  });

  test('contextArgs must be an array and come with a context', () => {
    expectCode(thrownBy(() => new ThreadPool({ context: Counter, contextArgs: 'x' as never })), 'ERR_INVALID_OPTION');
    expectCode(thrownBy(() => new ThreadPool({ contextArgs: [1] })), 'ERR_INVALID_OPTION');
  });

  test('contextArgs must be cloneable', () => {
    expectCode(thrownBy(() => new ThreadPool({ context: NeedsTwo, contextArgs: [1, () => 2] })), 'ERR_UNCLONEABLE');
  });

  test('a valid configuration starts that many threads, each context built with contextArgs', async () => {
    // No task declares NeedsTwo as its context type: the threads find it as an export of its module.
    const pool = new ThreadPool({ threads: 3, context: NeedsTwo, contextArgs: [1, 2] });
    expect(pool.threads).toBe(3);
    expect(await pool.spawn(PairTasks).sum()).toBe(3);
    await pool.close();
  });

  test('a context class the threads cannot find is refused at once', () => {
    const error = thrownBy(() => new ThreadPool({ context: Unreachable }));
    expectCode(error, 'ERR_CONTEXT_NOT_FOUND');
    // Says both ways to make the class findable, and what is not searched.
    expect((error as Error).message).toMatch(/export it from a CommonJS module.*@ThreadContext\(\) parameter.*ES modules are not searched/);
  });
});
