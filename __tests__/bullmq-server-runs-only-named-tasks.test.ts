import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { AsyncThreadPoolError, ThreadPool } from '../src';
import { RemotePool, serve, type Server } from '../src/bullmq';
import { RemoteTasks, UnservedTasks } from './fixtures/remote-tasks';
import { rejectionOf } from './helpers';
import { describeWithRedis, TestRedis } from './helpers-redis';

describeWithRedis('a server runs only the tasks it names', () => {
  let redis: TestRedis;
  let pool: ThreadPool;
  let server: Server;
  let remote: RemotePool;
  let queue: Queue;
  let events: QueueEvents;
  let dir: string;
  const errors: Error[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atp-named-'));
    redis = await TestRedis.start();
    pool = new ThreadPool({ threads: 1 });
    server = await serve({ queue: 'named', connection: redis.connection, pool, tasks: [RemoteTasks], onError: (e) => errors.push(e) });
    remote = new RemotePool({ queue: 'named', connection: redis.connection });
    queue = new Queue('named', { connection: redis.connection });
    events = new QueueEvents('named', { connection: redis.connection });
    await events.waitUntilReady();
  });
  afterAll(async () => {
    await remote.close();
    await server.close();
    await pool.close();
    await events.close();
    await queue.close();
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a job naming another task fails at once, without retries, with ERR_TASK_NOT_REGISTERED, and runs nothing', async () => {
    const marker = path.join(dir, 'secret');
    const error = await rejectionOf(remote.with({ attempts: 5 }).spawn(UnservedTasks).secret(marker));
    expect(AsyncThreadPoolError.is(error, 'ERR_TASK_NOT_REGISTERED')).toBe(true);
    expect((error as Error).message).toContain('UnservedTasks.secret');
    expect(fs.existsSync(marker)).toBe(false);
  });

  test('a job naming a module path runs nothing either: names are looked up in the served classes only', async () => {
    const job = await queue.add(path.join(__dirname, 'fixtures', 'remote-tasks.ts'), { atp: 1, value: ['a'] }, { attempts: 3 });
    await expect(job.waitUntilFinished(events)).rejects.toThrow(/runs no task named/);
    const failed = await queue.getJob(String(job.id));
    expect(failed?.attemptsMade).toBe(1);
  });

  test('a payload not in this library\'s encoding fails with ERR_INVALID_PAYLOAD, and the server keeps serving', async () => {
    for (const data of [{ hello: 'world' }, { atp: 99, value: ['a'] }, { atp: 1, value: ['?'] }, { atp: 1, value: 'not a list' }]) {
      const job = await queue.add('RemoteTasks.add', data, { attempts: 3 });
      await expect(job.waitUntilFinished(events)).rejects.toThrow(/encoding|format|malformed|argument list/);
      const failed = await queue.getJob(String(job.id));
      expect(failed?.attemptsMade).toBe(1);
      expect(JSON.stringify(failed?.progress)).toContain('ERR_INVALID_PAYLOAD');
    }
    expect(await remote.spawn(RemoteTasks).add(20, 22)).toBe(42);
    expect(errors).toEqual([]);
  });
});
