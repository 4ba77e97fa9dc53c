import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { AsyncThreadPoolError, ThreadPool } from '../src';
import { RemotePool, serve, type Server } from '../src/bullmq';
import { RemoteTasks } from './fixtures/remote-tasks';
import { rejectionOf } from './helpers';
import { describeWithRedis, TestRedis, until } from './helpers-redis';

describeWithRedis('lost jobs and Redis outages never leave a call waiting forever', () => {
  let redis: TestRedis;
  let pool: ThreadPool;
  let server: Server;
  let remote: RemotePool;
  let idle: RemotePool;
  let queue: Queue;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atp-lost-'));
    redis = await TestRedis.start();
    pool = new ThreadPool({ threads: 1 });
    server = await serve({ queue: 'served', connection: redis.connection, pool, tasks: [RemoteTasks], concurrency: 1, onError: () => undefined });
    remote = new RemotePool({ queue: 'served', connection: redis.connection, unavailableTimeout: 1_000, checkInterval: 200 });
    // A queue nobody serves: its jobs wait until something happens to them.
    idle = new RemotePool({ queue: 'unserved', connection: redis.connection, unavailableTimeout: 1_000, checkInterval: 200 });
    queue = new Queue('served', { connection: redis.connection });
    // The outage is on purpose: the test's own probe must not log it.
    queue.on('error', () => undefined);
  });
  afterAll(async () => {
    // Cleanup after a deliberate outage. `remote.destroy()` and `server.close()` are bounded by
    // themselves (5 s, and closeTimeout + 5 s, then their connections end: see the closes-settle
    // test); the plain BullMQ Queue and the pool are not, so those two are bounded here, and Redis
    // is stopped after them, which ends any client still waiting on it.
    const bounded = async (what: string, close: () => Promise<unknown>): Promise<void> => {
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          process.stderr.write(`cleanup: closing ${what} did not settle within 10 s\n`);
          resolve();
        }, 10_000);
      });
      await Promise.race([close().catch(() => undefined), gaveUp]);
      clearTimeout(timer);
    };
    // destroy(): a call some test left waiting must not hold the cleanup.
    await remote.destroy();
    await idle.destroy();
    await bounded('queue', () => queue.close());
    await server.close();
    await bounded('pool', () => pool.close());
    await redis.stop();
    await pool.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  test('a job removed by someone else rejects its call with ERR_JOB_LOST', async () => {
    const started = path.join(dir, 'blocker');
    // The blocker holds the server's one slot until the test lets it go (not for a time that a slow
    // machine could outlast before the victim is seen waiting, which would let the victim run).
    const release = new AbortController();
    const blocker = rejectionOf(remote.with({ signal: release.signal }).spawn(RemoteTasks).untilAborted(started));
    await until(() => fs.existsSync(started), 20_000, 'the blocker to start');
    const victim = remote.with({ jobId: 'victim' }).spawn(RemoteTasks).add(1, 2);
    await until(async () => (await queue.getJobState('victim')) === 'waiting', 20_000, 'the job to wait');
    expect(await queue.remove('victim')).toBe(1);
    const error = await rejectionOf(victim);
    expect(AsyncThreadPoolError.is(error, 'ERR_JOB_LOST')).toBe(true);
    release.abort();
    expect((await blocker) as Error).toMatchObject({ name: 'AbortError' });
    await until(() => fs.readFileSync(started, 'utf8').includes('aborted'), 20_000, 'the blocker to stop');
  });

  test('a job lost with Redis\'s data (FLUSHALL) rejects its call with ERR_JOB_LOST', async () => {
    const waiting = idle.with({ jobId: 'flushed' }).spawn(RemoteTasks).add(1, 2);
    const probe = new Queue('unserved', { connection: redis.connection });
    try {
      await until(async () => (await probe.getJobState('flushed')) === 'waiting', 20_000, 'the job to wait');
    } finally {
      await probe.close();
    }
    redis.command('FLUSHALL');
    const error = await rejectionOf(waiting);
    expect(AsyncThreadPoolError.is(error, 'ERR_JOB_LOST')).toBe(true);
  });

  test('Redis down: waiting and new calls reject with ERR_REMOTE_UNAVAILABLE; back up, calls work again and the server serves again', async () => {
    const waiting = idle.spawn(RemoteTasks).add(1, 2);
    await until(() => idle.pending === 1, 20_000, 'the call to wait');
    await redis.stop();
    const during = remote.spawn(RemoteTasks).add(2, 3);
    const [w, d] = await Promise.all([rejectionOf(waiting), rejectionOf(during)]);
    expect(AsyncThreadPoolError.is(w, 'ERR_REMOTE_UNAVAILABLE')).toBe(true);
    expect(AsyncThreadPoolError.is(d, 'ERR_REMOTE_UNAVAILABLE')).toBe(true);

    await redis.restart();
    // The caller's and the server's connections come back by themselves (ioredis retries at least
    // every 20 s; within a few seconds for a short outage).
    let sum: unknown;
    await until(
      async () => {
        try {
          sum = await remote.spawn(RemoteTasks).add(20, 22);
          return true;
        } catch (error) {
          if (AsyncThreadPoolError.is(error, 'ERR_REMOTE_UNAVAILABLE')) return false;
          throw error;
        }
      },
      40_000,
      'a call to go through after the restart',
    );
    expect(sum).toBe(42);
  }, 90_000);
});
