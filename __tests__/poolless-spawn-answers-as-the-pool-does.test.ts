import { type Remote, spawn, ThreadPool } from '../src';
import { Counter, HostileTasks } from './fixtures/hostile-throws';
import { expectCode, rejectionOf } from './helpers';

/**
 * A temporary thread (pool-less spawn) answers through the pool's own path: thrown non-errors come
 * back as thrown, a task's own `parentPort` messages are never taken for the answer (the answer
 * travels on a private port), and a Proxy result or argument is refused with ERR_UNCLONEABLE.
 */
type Runner = () => Remote<typeof HostileTasks, Counter>;

function sameAnswers(run: Runner): void {
  test('a thrown string, null, undefined or plain object comes back as thrown', async () => {
    expect(await rejectionOf(run().text())).toBe('a string');
    expect(await rejectionOf(run().nothing())).toBeNull();
    expect(await rejectionOf(run().undefinedValue())).toBeUndefined();
    expect(await rejectionOf(run().customObject())).toEqual({ code: 'E_CUSTOM' });
  });

  test('what a task posts on parentPort is not its answer', async () => {
    expect(await run().forgesAnswer()).toBe('real');
    expect(await run().postsHello()).toBe('real');
    expect(await run().forgesOnWorkerDataPort()).toBe('real');
  });

  test('a Proxy result or argument is refused with ERR_UNCLONEABLE', async () => {
    const result = await rejectionOf(run().proxyResult());
    expectCode(result, 'ERR_UNCLONEABLE');
    expect((result as Error).message).toContain('HostileTasks.proxyResult');
    expectCode(await rejectionOf(run().echo(new Proxy({ a: 1 }, {}))), 'ERR_UNCLONEABLE');
  });
}

describe('pool-less spawn', () => {
  sameAnswers(() => spawn(HostileTasks));
});

describe.each([
  ['a pool', () => new ThreadPool({ threads: 1, context: Counter })],
  ['an inline pool', () => ThreadPool.inline({ context: Counter })],
])('%s', (_label, makePool) => {
  const pool = makePool();
  let before = 0;
  beforeAll(async () => {
    before = await pool.spawn(HostileTasks).bump();
  });
  afterAll(async () => {
    // Nothing above cost the thread its context.
    expect(await pool.spawn(HostileTasks).bump()).toBe(before + 1);
    await pool.close();
  });
  sameAnswers(() => pool.spawn(HostileTasks));
});
