import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { ThreadPool } from '../src';
import { RemotePool, serve, type Server } from '../src/bullmq';
import { RemoteTasks } from './fixtures/remote-tasks';
import { describeWithRedis, TestRedis, until } from './helpers-redis';

/** A call's outcome, with its rejection handled at once: a step that fails leaves nothing unhandled. */
function outcomeOf<T>(call: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return call.then((value) => ({ value }), (error: unknown) => ({ error }));
}

const read = (file: string): string => fs.readFileSync(file, 'utf8');

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
    // Destroyed, not closed: a test that failed may leave a task running that nothing will end.
    await pool.destroy();
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

  // These two leave a job waiting in Redis with no server: their remote pools are destroyed at the
  // end (close() would wait for that job's call), so a step that fails reports its own error.

  test('close() stops taking jobs and lets the running ones finish', async () => {
    const server = await serve({ queue: 'finish', connection: redis.connection, pool, tasks: [RemoteTasks], concurrency: 1 });
    const remote = new RemotePool({ queue: 'finish', connection: redis.connection });
    let next: Server | undefined;
    try {
      const marker = path.join(dir, 'finish');
      const running = outcomeOf(remote.spawn(RemoteTasks).sleep(300, marker));
      await until(() => fs.existsSync(marker), 20_000, 'the job to start');
      const waiting = outcomeOf(remote.spawn(RemoteTasks).add(1, 2));
      await server.close();
      expect(read(marker)).toBe('started\nfinished\n');
      expect(await running).toEqual({ value: 'slept' });
      // The waiting job was not taken: a second server runs it.
      next = await serve({ queue: 'finish', connection: redis.connection, pool, tasks: [RemoteTasks] });
      expect(await waiting).toEqual({ value: 3 });
    } finally {
      await server.close();
      await next?.close();
      await remote.destroy();
    }
  });

  test('past closeTimeout, close() aborts the running tasks\' signals and hands their jobs back to the queue', async () => {
    const server = await serve({ queue: 'abort', connection: redis.connection, pool, tasks: [RemoteTasks], closeTimeout: 100 });
    const remote = new RemotePool({ queue: 'abort', connection: redis.connection });
    const controller = new AbortController();
    let next: Server | undefined;
    try {
      const marker = path.join(dir, 'abort');
      const call = outcomeOf(remote.with({ jobId: 'handed-back', signal: controller.signal }).spawn(RemoteTasks).untilAborted(marker));
      await until(() => fs.existsSync(marker), 20_000, 'the job to start');
      await server.close();
      // close() returns once the job is back in the queue; the task, on its thread, sees its
      // signal aborted at about the same time, and writes so.
      const queue = new Queue('abort', { connection: redis.connection });
      try {
        expect(await queue.getJobState('handed-back')).toBe('waiting');
      } finally {
        await queue.close();
      }
      await until(() => read(marker) === 'started\naborted\n', 20_000, 'the task to see its signal aborted');
      // Another server takes it and runs it again (here until its caller aborts).
      next = await serve({ queue: 'abort', connection: redis.connection, pool, tasks: [RemoteTasks] });
      await until(() => read(marker).split('started').length === 3, 20_000, 'the job to run again');
      controller.abort();
      expect(await call).toMatchObject({ error: { name: 'AbortError' } });
      await until(() => read(marker).split('aborted').length === 3, 20_000, 'the task to be aborted');
    } finally {
      controller.abort();
      await next?.close();
      await remote.destroy();
    }
  });
});
