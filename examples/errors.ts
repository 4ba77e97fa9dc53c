// Errors: a task's throw reaches the caller with its class, message and properties; the library's
// own failures are AsyncThreadPoolErrors with a stable `code`, checked with AsyncThreadPoolError.is.
import { AsyncThreadPoolError, ThreadPool } from '../src';
import { InventoryTasks, OutOfStockError } from '../tasks/examples-errors';

export async function main() {
  const pool = new ThreadPool({ threads: 1 });
  const inventory = pool.spawn(InventoryTasks);
  const failure = (call: Promise<unknown>): Promise<unknown> => call.then(() => undefined, (error: unknown) => error);

  // A built-in error comes back as the caller's own RangeError class.
  const range = await failure(inventory.reserve('widget', 0));
  const builtIn = range instanceof RangeError ? `RangeError: ${range.message}` : 'not a RangeError';

  // OutOfStockError is exported by the task module, so it comes back as itself, `code` and `sku` included.
  const stock = await failure(inventory.reserve('sold-out', 1));
  const custom = stock instanceof OutOfStockError ? `${stock.code} (${stock.sku})` : 'not an OutOfStockError';

  // A static method without @task cannot run on the pool: a library error, told apart by its code.
  const unregistered = await failure(inventory.restock());
  const libraryCode = AsyncThreadPoolError.is(unregistered, 'ERR_TASK_NOT_REGISTERED') ? unregistered.code : undefined;

  await pool.close();
  // { builtIn: 'RangeError: quantity must be a positive integer, got 0',
  //   custom: 'OUT_OF_STOCK (sold-out)', libraryCode: 'ERR_TASK_NOT_REGISTERED' }
  return { builtIn, custom, libraryCode };
}

if (require.main === module) void main().then((r) => { console.log(r); });
