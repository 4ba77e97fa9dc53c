import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { ThreadPool } from '../src';
import { RemotePool, serve } from '../src/bullmq';
import { RemoteTasks } from './fixtures/remote-tasks';
import { describeWithRedis, TestRedis, until } from './helpers-redis';

describeWithRedis('a server takes at most `concurrency` jobs at a time; the rest wait in Redis', () => {
  let redis: TestRedis;
  let pool: ThreadPool;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atp-concurrency-'));
    redis = await TestRedis.start();
    pool = new ThreadPool({ threads: 2 });
  });
  afterAll(async () => {
    await pool.close();
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Serves `name` with `concurrency` (undefined: the default), submits 10 jobs that wait for a gate,
   * and returns how many the server took (active in Redis) once it had taken all it would, how many
   * started on a thread by then, and the most it ever held (from the queue's event stream).
   */
  async function held(name: string, concurrency: number | undefined, expected: number): Promise<{ active: number; waiting: number; started: number; most: number }> {
    const file = path.join(dir, `${name}.log`);
    const gate = path.join(dir, `${name}.gate`);
    const queue = new Queue(name, { connection: redis.connection });
    const events = new QueueEvents(name, { connection: redis.connection, lastEventId: '0-0' });
    let holding = 0;
    let most = 0;
    events.on('active', () => {
      most = Math.max(most, ++holding);
    });
    const done = (): void => {
      holding--;
    };
    events.on('completed', done);
    events.on('failed', done);
    await events.waitUntilReady();
    const server = await serve({ queue: name, connection: redis.connection, pool, tasks: [RemoteTasks], ...(concurrency === undefined ? {} : { concurrency }) });
    const client = new RemotePool({ queue: name, connection: redis.connection });
    try {
      const calls = Array.from({ length: 10 }, (_, i) => client.spawn(RemoteTasks).gated(i, file, gate));
      await until(async () => (await queue.getActiveCount()) === expected && (await queue.getWaitingCount()) === 10 - expected, 20_000, `${String(expected)} jobs taken`);
      await until(() => fs.existsSync(file) && fs.readFileSync(file, 'utf8').split('\n').length - 1 === Math.min(2, expected), 20_000, 'the threads to start their jobs');
      const snapshot = { active: await queue.getActiveCount(), waiting: await queue.getWaitingCount(), started: fs.readFileSync(file, 'utf8').split('\n').length - 1 };
      fs.writeFileSync(gate, '');
      await expect(Promise.all(calls)).resolves.toEqual(Array.from({ length: 10 }, (_, i) => i));
      await until(() => holding === 0, 20_000, 'the completed events');
      return { ...snapshot, most };
    } finally {
      await client.close();
      await server.close();
      await events.close();
      await queue.close();
    }
  }

  test('by default the pool\'s threads + 1: each thread runs a job and one more is fetched ahead', async () => {
    expect(await held('default', undefined, 3)).toEqual({ active: 3, waiting: 7, started: 2, most: 3 });
  });

  test('an explicit concurrency is the most it holds, fetched-ahead jobs included', async () => {
    expect(await held('one', 1, 1)).toEqual({ active: 1, waiting: 9, started: 1, most: 1 });
    expect(await held('two', 2, 2)).toEqual({ active: 2, waiting: 8, started: 2, most: 2 });
  });
});
