import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ThreadPool } from '../src';
import { RemotePool, serve, type Server } from '../src/bullmq';
import { RemoteTasks } from './fixtures/remote-tasks';
import { rejectionOf } from './helpers';
import { describeWithRedis, TestRedis, until } from './helpers-redis';

// A caller's cancellation marks the job in Redis and announces it on a channel (pub/sub: a server
// whose subscription is down misses it). A server whose subscription comes back looks up the jobs
// it runs, so a running job cancelled meanwhile is still aborted.
describeWithRedis('cancellation survives an announcement the server missed', () => {
  let redis: TestRedis;
  let admin: Redis;
  let pool: ThreadPool;
  let server: Server;
  let remote: RemotePool;
  let queue: Queue;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atp-missed-'));
    redis = await TestRedis.start();
    admin = new Redis(redis.connection);
    pool = new ThreadPool({ threads: 1, abortGracePeriod: 200 });
    // Reconnects a second after a drop: time for the cancellation to be announced to nobody.
    server = await serve({ queue: 'missed', connection: { ...redis.connection, retryStrategy: () => 1_000 }, pool, tasks: [RemoteTasks], concurrency: 1 });
    remote = new RemotePool({ queue: 'missed', connection: redis.connection });
    queue = new Queue('missed', { connection: redis.connection });
  });
  afterAll(async () => {
    await remote.close();
    await server.close();
    await pool.close();
    await queue.close();
    admin.disconnect();
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a job cancelled while its server was not subscribed is aborted once the server is back', async () => {
    const marker = path.join(dir, 'running');
    const controller = new AbortController();
    const running = remote.with({ signal: controller.signal, jobId: 'missed-1' }).spawn(RemoteTasks).untilAborted(marker);
    await until(() => fs.existsSync(marker) && fs.readFileSync(marker, 'utf8').includes('started'), 20_000, 'the task to start');
    const channel = 'bull:missed:atp:cancel';
    expect(await admin.pubsub('NUMSUB', channel)).toEqual([channel, 1]);
    await admin.client('KILL', 'TYPE', 'pubsub');
    controller.abort();
    expect((await rejectionOf(running) as Error).name).toBe('AbortError');
    // The cancellation is in Redis, and was announced while nobody listened.
    await until(async () => (await admin.hget('bull:missed:missed-1', 'defa')) !== null, 20_000, 'the cancellation mark');
    expect(await admin.pubsub('NUMSUB', channel)).toEqual([channel, 0]);
    await until(() => fs.readFileSync(marker, 'utf8').includes('aborted'), 20_000, 'the task signal to abort');
    await until(async () => (await queue.getJobState('missed-1')) === 'failed', 20_000, 'the job to fail');
    expect(fs.readFileSync(marker, 'utf8')).toBe('started\naborted\n');
  });
});
