import { task, ThreadContext } from '../src/task';

/** A per-thread cache of tax rates, as a real service would keep (loaded once per thread). */
export class RateCache {
  readonly rates = new Map<string, number>();
  loads = 0;
  init(): void {
    this.rates.set('FR', 0.2);
    this.rates.set('DE', 0.19);
    this.rates.set('US', 0);
    this.loads++;
  }
}

export interface Line {
  readonly sku: string;
  readonly price: number;
  readonly quantity: number;
}

export class PricingTasks {
  /** The total of an order with the country's tax, rounded to cents. */
  @task static total(lines: readonly Line[], country: string, @ThreadContext() cache: RateCache): number {
    const rate = cache.rates.get(country);
    if (rate === undefined) throw new RangeError(`no tax rate for ${country}`);
    const net = lines.reduce((sum, line) => sum + line.price * line.quantity, 0);
    return Math.round(net * (1 + rate) * 100) / 100;
  }
}
