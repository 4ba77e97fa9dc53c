import { ThreadPool } from '../src';

/**
 * `ThreadPool.inline` tells the constructor to run inline through a private factory, not through
 * a hidden key of the options object: what the constructor reads of the options it is given (a
 * Proxy records it here) is the documented option names, and nothing else.
 */
const DOCUMENTED = ['threads', 'context', 'contextArgs', 'resourceLimits', 'maxQueue', 'abortGracePeriod', 'contextTimeout', 'spinWait', 'env'];

function recording(): { options: object; read: (string | symbol)[] } {
  const read: (string | symbol)[] = [];
  const options = new Proxy(
    { threads: 1 },
    {
      get: (target, key, receiver) => {
        read.push(key);
        return Reflect.get(target, key, receiver) as unknown;
      },
      has: (target, key) => {
        read.push(key);
        return Reflect.has(target, key);
      },
    },
  );
  return { options, read };
}

test('new ThreadPool reads no key of its options but the documented ones', async () => {
  const { options, read } = recording();
  const pool = new ThreadPool(options);
  try {
    expect(read.length).toBeGreaterThan(0);
    expect(read.filter((key) => typeof key !== 'string' || !DOCUMENTED.includes(key))).toEqual([]);
  } finally {
    await pool.close();
  }
});

test('ThreadPool.inline still runs inline, on one thread, from the same options', async () => {
  const pool = ThreadPool.inline({ maxQueue: 5 });
  try {
    expect(pool.threads).toBe(1);
  } finally {
    await pool.close();
  }
});
