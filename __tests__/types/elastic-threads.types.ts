import { ThreadPool, type ElasticThreads, type PoolStats } from '../../src';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

export async function elasticThreads(): Promise<void> {
  const fixed = new ThreadPool({ threads: 2 });
  const elastic = new ThreadPool({ threads: { min: 1, max: 4, idleTimeout: 5000 } });
  const partial: ElasticThreads = { max: 4 };
  new ThreadPool({ threads: partial });
  // @ts-expect-error min is a number
  new ThreadPool({ threads: { min: '1', max: 4 } });
  // @ts-expect-error unknown key of the threads option
  new ThreadPool({ threads: { min: 1, maximum: 4 } });
  const stats: PoolStats = elastic.stats;
  assertType<Equal<typeof stats.started, number>>();
  assertType<Equal<typeof stats.reaped, number>>();
  assertType<Equal<typeof elastic.threads, number>>();
  await fixed.close();
  await elastic.close();
}
