import { task } from '../src/task';

/**
 * An application error with its own class and `code`. It is exported by the module that defines the
 * tasks, so a call that fails with it rejects with this very class on the caller's side.
 */
export class OutOfStockError extends Error {
  override readonly name = 'OutOfStockError';
  readonly code = 'OUT_OF_STOCK';
  constructor(readonly sku: string) {
    super(`${sku} is out of stock`);
  }
}

/** The tasks of `examples/errors.ts` (and the failing call of `examples/stats.ts`). */
export class InventoryTasks {
  /** Reserves `quantity` items of `sku`; fails with a built-in error or an application error. */
  @task static reserve(sku: string, quantity: number): number {
    if (!Number.isInteger(quantity) || quantity <= 0) throw new RangeError(`quantity must be a positive integer, got ${quantity}`);
    if (sku === 'sold-out') throw new OutOfStockError(sku);
    return quantity;
  }

  /** Not marked `@task`: a helper that runs only where it is called, never on the pool. */
  static restock(): number {
    return 0;
  }
}
