// Key affinity: calls made with pool.with({ key }) run on the thread of their key, so what a
// thread's context caches for that key (here a tenant's price list) is there for the next call.
import { ThreadPool } from '../src';
import { PriceLists, PriceTasks } from '../tasks/examples-scheduling';

export async function main() {
  const pool = new ThreadPool({ context: PriceLists, threads: 2 });
  const tenants = ['acme', 'globex', 'initech', 'umbrella'];

  // Three rounds of calls for every tenant, all at once, each with its tenant as the key.
  const calls = [1, 2, 3].flatMap(() =>
    tenants.map((tenant) => pool.with({ key: tenant }).spawn(PriceTasks).price(tenant, 'sku-b')),
  );
  const results = await Promise.all(calls);

  // Calls without a key still run on any free thread.
  const anyThread = await pool.spawn(PriceTasks).price('acme', 'sku-a');

  const threadOf = new Map<string, Set<number>>();
  results.forEach((r, i) => {
    const tenant = tenants[i % tenants.length] as string;
    threadOf.set(tenant, (threadOf.get(tenant) ?? new Set()).add(r.threadId));
  });
  const perThread = new Map<number, number>();
  for (const threads of threadOf.values()) for (const thread of threads) perThread.set(thread, (perThread.get(thread) ?? 0) + 1);

  await pool.close();
  return {
    calls: results.length, // 12
    loads: results.filter((r) => r.loaded).length, // 4: one per tenant, the other 8 calls hit the cache
    threadsPerTenant: [...threadOf.values()].map((set) => set.size), // [1, 1, 1, 1]
    tenantsPerThread: [...perThread.values()], // [2, 2]: keys spread evenly over the threads
    anyThreadPrice: anyThread.price, // 400
  };
}

if (require.main === module) void main().then((r) => { console.log(r); });
