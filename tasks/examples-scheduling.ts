import { threadId } from 'node:worker_threads';
import { task, ThreadContext } from '../src/task';

/** The tasks of `examples/priorities.ts`. */
export class JobTasks {
  /** Works for `ms` milliseconds (a busy loop), then says which job it was. */
  @task static run(name: string, ms: number): string {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // working
    }
    return name;
  }
}

/** A thread's cache of tenants' price lists (the context of `examples/key-affinity.ts`): loading one is the slow part. */
export class PriceLists {
  readonly lists = new Map<string, Map<string, number>>();
  loads = 0;
}

/** The tasks of `examples/key-affinity.ts`. */
export class PriceTasks {
  /** The price of `sku` for `tenant`, from this thread's cache (loading the tenant's list on a miss). */
  @task static price(@ThreadContext() cache: PriceLists, tenant: string, sku: string): { price: number; threadId: number; loaded: boolean } {
    let list = cache.lists.get(tenant);
    const loaded = list === undefined;
    if (list === undefined) {
      // Stands for a database query or a file read, done once per tenant per thread.
      list = new Map(['a', 'b', 'c', 'd', 'e', 'f'].map((letter, i) => [`sku-${letter}`, (tenant.length + i) * 100]));
      cache.lists.set(tenant, list);
      cache.loads++;
    }
    return { price: list.get(sku) ?? 0, threadId, loaded };
  }
}
