import { ThreadPool } from '../src';
import { QuoteService } from '../examples/service/quote-service';
import { PricingTasks, RateCache } from '../tasks/pricing';
import { CrashingTasks } from './fixtures/crashes';
import { expectCode, rejectionOf } from './helpers';

const order = [
  { sku: 'a', price: 10, quantity: 2 },
  { sku: 'b', price: 5, quantity: 1 },
];

/** The same service test, against an inline pool and against a real one. */
describe.each([
  ['an inline pool', () => ThreadPool.inline({ context: RateCache })],
  ['a real pool', () => new ThreadPool({ context: RateCache, threads: 2 })],
])('QuoteService on %s', (_label, makePool) => {
  let pool: ThreadPool<RateCache>;
  beforeEach(() => {
    pool = makePool();
  });
  afterEach(() => pool.close());

  test('quotes an order for several countries', async () => {
    const quotes = await new QuoteService(pool).quote(order, ['FR', 'DE', 'US']);
    expect(quotes).toEqual([
      { country: 'FR', total: 30 },
      { country: 'DE', total: 29.75 },
      { country: 'US', total: 25 },
    ]);
  });

  test('an unknown country rejects with the task\'s RangeError', async () => {
    await expect(new QuoteService(pool).quote(order, ['XX'])).rejects.toThrow(RangeError);
  });
});

describe('the inline pool', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  test('runs on the calling thread, so jest.spyOn sees the call and can mock it', async () => {
    const pool = ThreadPool.inline({ context: RateCache });
    const spy = jest.spyOn(PricingTasks, 'total');
    await new QuoteService(pool).quote(order, ['FR']);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]?.[1]).toBe('FR');
    expect(spy.mock.calls[0]?.[2]).toBeInstanceOf(RateCache); // the context was injected
    spy.mockReturnValue(42);
    expect(await new QuoteService(pool).quote(order, ['DE'])).toEqual([{ country: 'DE', total: 42 }]);
    await pool.close();
  });

  test('keeps one context, built and init()-ed once', async () => {
    const pool = ThreadPool.inline({ context: RateCache });
    const spy = jest.spyOn(PricingTasks, 'total');
    await new QuoteService(pool).quote(order, ['FR', 'DE', 'US']);
    const contexts = new Set(spy.mock.calls.map((call) => call[2]));
    expect(contexts.size).toBe(1);
    expect([...contexts][0]?.loads).toBe(1);
    expect(pool.threads).toBe(1);
    await pool.close();
  });

  test('clones arguments and results like a real pool: uncloneable data fails the same way', async () => {
    const pool = ThreadPool.inline();
    expectCode(await rejectionOf(pool.spawn(CrashingTasks.echo, () => 1)), 'ERR_UNCLONEABLE');
    expectCode(await rejectionOf(pool.spawn(CrashingTasks).uncloneableResult()), 'ERR_UNCLONEABLE');
    const input = { nested: { n: 1 } };
    const output = (await pool.spawn(CrashingTasks.echo, input)) as typeof input;
    expect(output).toEqual(input);
    expect(output).not.toBe(input);
    expect(output.nested).not.toBe(input.nested);
    await pool.close();
  });

  test('has the rest of the API: queue limits, broadcast, stats, close', async () => {
    const pool = ThreadPool.inline({ context: RateCache, maxQueue: 1 });
    expect(await pool.broadcast(PricingTasks).total(order, 'US')).toEqual([25]);
    const first = pool.spawn(PricingTasks).total(order, 'US');
    const second = pool.spawn(PricingTasks).total(order, 'US');
    expect(pool.trySpawn(PricingTasks).total(order, 'US')).toBeUndefined();
    expect(await Promise.all([first, second])).toEqual([25, 25]);
    expect(pool.stats).toMatchObject({ threads: 1, completed: 3, failed: 0 });
    await pool.close();
    expectCode(await rejectionOf(pool.spawn(PricingTasks).total(order, 'US')), 'ERR_POOL_CLOSED');
  });
});
