import { Redis } from 'ioredis';
import { AsyncThreadPoolError } from '../src';
import { RemotePool } from '../src/bullmq';
import { RemoteTasks } from './fixtures/remote-tasks';
import { describeWithRedis, TestRedis, until } from './helpers-redis';

// The periodic check (checkInterval) finds jobs that are gone; with many calls waiting it looks up
// at most 1,000 jobs each time, the next ones at the next check, instead of every job every time.
describeWithRedis('periodic checks look up a bounded number of jobs', () => {
  let redis: TestRedis;
  let admin: Redis;

  beforeAll(async () => {
    redis = await TestRedis.start();
    admin = new Redis(redis.connection);
  });
  afterAll(async () => {
    admin.disconnect();
    await redis.stop();
  });

  test('1,200 lost jobs: each check rejects at most 1,000 of their calls, and all reject with ERR_JOB_LOST', async () => {
    const remote = new RemotePool({ queue: 'many', connection: redis.connection, checkInterval: 200 });
    try {
      const tasks = remote.spawn(RemoteTasks);
      const batches: number[] = [];
      let rejected = 0;
      let firstOfBatch = true;
      const errors = await Promise.all(
        Array.from({ length: 1_200 }, (_, i) => {
          return tasks.add(i, 1).then(
            () => undefined,
            async (error: unknown) => {
              rejected++;
              if (firstOfBatch) {
                // Every call a check rejects settles before the next turn of the event loop's
                // check phase, and the next check is a timer: count them there.
                firstOfBatch = false;
                const before = rejected - 1;
                await new Promise((resolve) => setImmediate(resolve));
                batches.push(rejected - before);
                firstOfBatch = true;
              }
              return error;
            },
          );
        }).concat([
          (async () => {
            // No server: the jobs wait. Once they are all in Redis, Redis loses them.
            await until(async () => (await admin.llen('bull:many:wait')) === 1_200, 20_000, 'the jobs to wait');
            await admin.flushall();
            return undefined;
          })(),
        ]),
      );
      const lost = errors.slice(0, 1_200);
      expect(lost.every((e) => AsyncThreadPoolError.is(e, 'ERR_JOB_LOST'))).toBe(true);
      expect(batches.reduce((a, b) => a + b, 0)).toBe(1_200);
      expect(Math.max(...batches)).toBeLessThanOrEqual(1_000);
      expect(batches.length).toBeGreaterThanOrEqual(2);
    } finally {
      await remote.close();
    }
  });
});
