import { spawn, ThreadPool } from '../src';
import { CrashingTasks } from './fixtures/crashes';
import { expectCode, rejectionOf } from './helpers';

/**
 * A call that returns a promise never throws at the call site: an argument whose getter throws, or
 * a Proxy whose traps throw, rejects with a coded `ERR_UNCLONEABLE` (the original error as `cause`),
 * on every way of calling. And a value structured clone accepts is never refused because the check
 * could not describe it (a `Map` keyed by a null-prototype object).
 */
describe('call sites reject instead of throwing', () => {
  const pool = new ThreadPool({ threads: 1 });
  const inline = ThreadPool.inline();
  afterAll(() => Promise.all([pool.close(), inline.close()]));

  /** Every promise-returning way of calling `CrashingTasks.echo` with one argument. */
  const callers: [string, (value: unknown) => Promise<unknown> | undefined][] = [
    ['pool proxy', (v) => pool.spawn(CrashingTasks).echo(v)],
    ['pool reference', (v) => pool.spawn(CrashingTasks.echo, v)],
    ['pool trySpawn', (v) => pool.trySpawn(CrashingTasks).echo(v)],
    ['pool with()', (v) => pool.with({ timeout: 60_000 }).spawn(CrashingTasks).echo(v)],
    ['pool broadcast', (v) => pool.broadcast(CrashingTasks).echo(v)],
    ['inline pool', (v) => inline.spawn(CrashingTasks).echo(v)],
    ['pool-less spawn', (v) => spawn(CrashingTasks).echo(v)],
    ['pool-less spawn.with()', (v) => spawn.with({ timeout: 60_000 }).spawn(CrashingTasks.echo, v)],
  ];

  /** Calls without letting a synchronous throw escape, so a throw fails the test by name. */
  function call(caller: (value: unknown) => Promise<unknown> | undefined, value: unknown): Promise<unknown> {
    let result: Promise<unknown> | undefined;
    try {
      result = caller(value);
    } catch (error) {
      throw new Error(`the call site threw: ${String(error)}`);
    }
    if (result === undefined) throw new Error('trySpawn returned undefined with room in the queue');
    return result;
  }

  test.each(callers)('%s: a getter that throws rejects with ERR_UNCLONEABLE, caused by what it threw', async (_name, caller) => {
    const boom = new Error('boom');
    const value = {
      ok: 1,
      get x(): number {
        throw boom;
      },
    };
    const error = await rejectionOf(call(caller, { nested: [value] }));
    expectCode(error, 'ERR_UNCLONEABLE');
    expect((error as Error).cause).toBe(boom);
    expect((error as Error).message).toContain('nested[0].x');
  });

  test.each(callers)('%s: a Proxy whose traps throw rejects with ERR_UNCLONEABLE, no trap run', async (_name, caller) => {
    let trapped = 0;
    const trap = (): never => {
      trapped++;
      throw new Error('trap');
    };
    const proxy = new Proxy({}, { ownKeys: trap, get: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap, has: trap });
    for (const value of [proxy, { inner: proxy }]) {
      const error = await rejectionOf(call(caller, value));
      expectCode(error, 'ERR_UNCLONEABLE');
      expect((error as Error).message).toContain('Proxy');
    }
    expect(trapped).toBe(0);
  });

  test.each(callers)('%s: a Map keyed by a null-prototype object is sent; a bad value in one is named', async (name, caller) => {
    const key = Object.assign(Object.create(null) as object, { id: 7 });
    const result = await call(caller, new Map([[key, 'v']]));
    const copy = (name === 'pool broadcast' ? (result as unknown[])[0] : result) as Map<{ id: number }, string>;
    expect([...copy.entries()]).toEqual([[{ id: 7 }, 'v']]);

    const error = await rejectionOf(call(caller, new Map<unknown, unknown>([['first', 1], [key, () => 1]])));
    expectCode(error, 'ERR_UNCLONEABLE');
    expect((error as Error).message).toContain('a function at `get(<key 1>)`');
  });

  test('a Symbol.toStringTag getter that throws is reported too, not thrown', async () => {
    const boom = new Error('tag');
    const value = {
      get [Symbol.toStringTag](): string {
        throw boom;
      },
    };
    const error = await rejectionOf(call((v) => pool.spawn(CrashingTasks.echo, v), value));
    expectCode(error, 'ERR_UNCLONEABLE');
    expect((error as Error).cause).toBe(boom);
  });
});
