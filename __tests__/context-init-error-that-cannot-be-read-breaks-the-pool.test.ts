import { spawn, ThreadPool } from '../src';
import { InitTasks, UnreadableInit } from './fixtures/hostile-throws';
import { expectCode, rejectionOf } from './helpers';

/**
 * An init() that throws an error whose `message` getter throws fails like any failing init: the
 * call rejects with ERR_CONTEXT_INIT_FAILED (the cause described, `<unreadable message>`) instead of
 * hanging, and close() resolves.
 */
describe('an init() whose error cannot be read', () => {
  test.each([
    ['a pool', () => new ThreadPool({ threads: 1, context: UnreadableInit })],
    ['an inline pool', () => ThreadPool.inline({ context: UnreadableInit })],
  ])('on %s: ERR_CONTEXT_INIT_FAILED, and close() resolves', async (_label, makePool) => {
    const pool = makePool();
    const error = await rejectionOf(pool.spawn(InitTasks).viaUnreadableInit());
    expectCode(error, 'ERR_CONTEXT_INIT_FAILED');
    expect((error as Error).cause).toMatchObject({ message: '<unreadable message>' });
    expectCode(await rejectionOf(pool.spawn(InitTasks).viaUnreadableInit()), 'ERR_CONTEXT_INIT_FAILED');
    await pool.close();
  });

  test('on a temporary thread: ERR_CONTEXT_INIT_FAILED, as on a pool', async () => {
    const error = await rejectionOf(spawn(InitTasks).viaUnreadableInit());
    expectCode(error, 'ERR_CONTEXT_INIT_FAILED');
    expect((error as Error).cause).toMatchObject({ message: '<unreadable message>' });
  });
});
