// An application service that uses a pool: the kind of code whose tests "Testing services that use
// asyncthreadpool" in the README is about. It only needs something with the pool's spawn API.
import type { ThreadPool } from '../../src';
import { type Line, PricingTasks, type RateCache } from '../../tasks/pricing';

export interface Quote {
  readonly country: string;
  readonly total: number;
}

export class QuoteService {
  constructor(private readonly pool: ThreadPool<RateCache>) {}

  /** Quotes one order for several countries, in parallel on the pool. */
  async quote(lines: readonly Line[], countries: readonly string[]): Promise<Quote[]> {
    const pricing = this.pool.spawn(PricingTasks);
    const totals = await Promise.all(countries.map((country) => pricing.total(lines, country)));
    return countries.map((country, i) => ({ country, total: totals[i] ?? 0 }));
  }
}
