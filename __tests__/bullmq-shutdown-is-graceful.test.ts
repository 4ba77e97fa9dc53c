import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { ThreadPool } from '../src';
import { RemotePool, serve } from '../src/bullmq';
import { RemoteTasks } from './fixtures/remote-tasks';
import { describeWithRedis, TestRedis, until } from './helpers-redis';

describeWithRedis('graceful shutdown and concurrency of a server', () => {
  let redis: TestRedis;
  let dir: string;
  let pool: ThreadPool;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atp-close-'));
    redis = await TestRedis.start();
    pool = new ThreadPool({ threads: 2, abortGracePeriod: 200 });
  });
  afterAll(async () => {
    await pool.close();
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a server runs at most `concurrency` jobs at once; the rest wait in Redis', async () => {
    const server = await serve({ queue: 'limit', connection: redis.connection, pool, tasks: [RemoteTasks], concurrency: 1 });
    await using remote = new RemotePool({ queue: 'limit', connection: redis.connection });
    const queue = new Queue('limit', { connection: redis.connection });
    try {
      const calls = Array.from({ length: 4 }, () => remote.spawn(RemoteTasks).sleep(150));
      let maxActive = 0;
      let done = false;
      void Promise.all(calls).finally(() => (done = true));
      await until(async () => {
        maxActive = Math.max(maxActive, (await queue.getJobCounts('active')).active ?? 0, server.running);
        return done;
      }, 20_000, 'the calls to finish');
      expect(await Promise.all(calls)).toEqual(['slept', 'slept', 'slept', 'slept']);
      expect(maxActive).toBe(1);
    } finally {
      await queue.close();
      await server.close();
    }
  });

  test('close() stops taking jobs and lets the running ones finish', async () => {
    const server = await serve({ queue: 'finish', connection: redis.connection, pool, tasks: [RemoteTasks], concurrency: 1 });
    await using remote = new RemotePool({ queue: 'finish', connection: redis.connection });
    const marker = path.join(dir, 'finish');
    const running = remote.spawn(RemoteTasks).sleep(300, marker);
    await until(() => fs.existsSync(marker), 20_000, 'the job to start');
    const waiting = remote.spawn(RemoteTasks).add(1, 2);
    await server.close();
    expect(fs.readFileSync(marker, 'utf8')).toBe('started\nfinished\n');
    expect(await running).toBe('slept');
    // The waiting job was not taken: a second server runs it.
    const next = await serve({ queue: 'finish', connection: redis.connection, pool, tasks: [RemoteTasks] });
    try {
      expect(await waiting).toBe(3);
    } finally {
      await next.close();
    }
  });

  test('past closeTimeout, close() aborts the running tasks\' signals and hands their jobs back to the queue', async () => {
    const server = await serve({ queue: 'abort', connection: redis.connection, pool, tasks: [RemoteTasks], closeTimeout: 100 });
    await using remote = new RemotePool({ queue: 'abort', connection: redis.connection });
    const marker = path.join(dir, 'abort');
    const controller = new AbortController();
    const call = remote.with({ jobId: 'handed-back', signal: controller.signal }).spawn(RemoteTasks).untilAborted(marker);
    await until(() => fs.existsSync(marker), 20_000, 'the job to start');
    await server.close();
    expect(fs.readFileSync(marker, 'utf8')).toBe('started\naborted\n');
    const queue = new Queue('abort', { connection: redis.connection });
    try {
      expect(await queue.getJobState('handed-back')).toBe('waiting');
    } finally {
      await queue.close();
    }
    // Another server takes it and runs it again (here until its caller aborts).
    const next = await serve({ queue: 'abort', connection: redis.connection, pool, tasks: [RemoteTasks] });
    try {
      await until(() => fs.readFileSync(marker, 'utf8').split('started').length === 3, 20_000, 'the job to run again');
      controller.abort();
      await expect(call).rejects.toMatchObject({ name: 'AbortError' });
      await until(() => fs.readFileSync(marker, 'utf8').split('aborted').length === 3, 20_000, 'the task to be aborted');
    } finally {
      await next.close();
    }
  });
});
