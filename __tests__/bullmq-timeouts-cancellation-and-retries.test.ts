import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { AsyncThreadPoolError, ThreadPool } from '../src';
import { RemotePool, serve, type Server } from '../src/bullmq';
import { RemoteTasks } from './fixtures/remote-tasks';
import { rejectionOf } from './helpers';
import { describeWithRedis, TestRedis, until } from './helpers-redis';

describeWithRedis('timeouts, cancellation, retries and job ids across machines', () => {
  let redis: TestRedis;
  let pool: ThreadPool;
  let server: Server;
  let remote: RemotePool;
  let queue: Queue;
  let dir: string;
  let n = 0;
  const file = (): string => path.join(dir, `f${String(++n)}`);
  const read = (name: string): string => (fs.existsSync(name) ? fs.readFileSync(name, 'utf8') : '');

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atp-cancel-'));
    redis = await TestRedis.start();
    pool = new ThreadPool({ threads: 1, abortGracePeriod: 200 });
    server = await serve({ queue: 'cancel', connection: redis.connection, pool, tasks: [RemoteTasks], concurrency: 1 });
    remote = new RemotePool({ queue: 'cancel', connection: redis.connection });
    queue = new Queue('cancel', { connection: redis.connection });
  });
  afterAll(async () => {
    await remote.close();
    await server.close();
    await pool.close();
    await queue.close();
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('timeout is enforced by the server, counted from the task\'s start there: ERR_TASK_TIMEOUT at the caller', async () => {
    const late = await rejectionOf(remote.with({ timeout: 150 }).spawn(RemoteTasks).sleep(5_000));
    expect(AsyncThreadPoolError.is(late, 'ERR_TASK_TIMEOUT')).toBe(true);
    // Waiting behind a job twice as long as the budget does not count: the budget starts when the
    // task does. A 50 ms task could still outlast a budget on a stalled machine: then again with
    // twice the budget (and the wait). Were the wait counted, every round would time out (a hang).
    for (let budget = 300; ; budget *= 2) {
      const first = remote.spawn(RemoteTasks).sleep(2 * budget);
      const second = remote.with({ timeout: budget }).spawn(RemoteTasks).sleep(50);
      const [ahead, timed] = await Promise.allSettled([first, second]);
      expect(ahead).toEqual({ status: 'fulfilled', value: 'slept' });
      if (timed.status === 'rejected' && AsyncThreadPoolError.is(timed.reason, 'ERR_TASK_TIMEOUT')) continue;
      expect(timed).toEqual({ status: 'fulfilled', value: 'slept' });
      break;
    }
  });

  test('aborting a waiting job rejects at once with AbortError and removes the job: it never runs', async () => {
    const busy = file();
    // The blocker holds the one slot until the test lets it go (not for a time that a slow machine
    // could outlast before the waiting job is seen waiting, which would let that job run).
    const release = new AbortController();
    const blocker = rejectionOf(remote.with({ jobId: 'blocker', signal: release.signal }).spawn(RemoteTasks).untilAborted(busy));
    await until(() => read(busy).includes('started'), 20_000, 'the blocker to start');
    const marker = file();
    const controller = new AbortController();
    const waiting = remote.with({ signal: controller.signal, jobId: 'waiting-1' }).spawn(RemoteTasks).sleep(1, marker);
    await until(async () => (await queue.getJobState('waiting-1')) === 'waiting', 20_000, 'the job to wait');
    controller.abort(new Error('changed my mind'));
    const error = await rejectionOf(waiting);
    expect((error as Error).name).toBe('AbortError');
    expect(AsyncThreadPoolError.is(error, 'ERR_TASK_ABORTED')).toBe(true);
    expect((error as Error).cause).toMatchObject({ message: 'changed my mind' });
    await until(async () => (await queue.getJobState('waiting-1')) === 'unknown', 20_000, 'the job to be removed');
    release.abort();
    expect((await blocker) as Error).toMatchObject({ name: 'AbortError' });
    await until(() => read(busy).includes('aborted'), 20_000, 'the blocker to stop');
    // FIFO with one slot: had the aborted job stayed, it would have run before this one.
    await remote.spawn(RemoteTasks).add(1, 1);
    expect(read(marker)).toBe('');
  });

  test('aborting a running job rejects at once and aborts its @TaskSignal on the server; it is not retried', async () => {
    const marker = file();
    const controller = new AbortController();
    const running = remote.with({ signal: controller.signal, jobId: 'running-1', attempts: 3 }).spawn(RemoteTasks).untilAborted(marker);
    await until(() => read(marker).includes('started'), 20_000, 'the task to start');
    controller.abort();
    const error = await rejectionOf(running);
    expect((error as Error).name).toBe('AbortError');
    await until(() => read(marker).includes('aborted'), 20_000, 'the task signal to abort');
    await until(async () => (await queue.getJobState('running-1')) === 'failed', 20_000, 'the job to fail');
    expect((await queue.getJob('running-1'))?.attemptsMade).toBe(1);
    expect(read(marker)).toBe('started\naborted\n');
  });

  test('attempts and backoff: a failing task runs again, up to attempts runs', async () => {
    const runs = file();
    expect(await remote.with({ attempts: 3, backoff: 10 }).spawn(RemoteTasks).flaky(runs, 2)).toBe(3);
    const tooFew = file();
    const error = await rejectionOf(remote.with({ attempts: 2, backoff: { type: 'fixed', delay: 10 } }).spawn(RemoteTasks).flaky(tooFew, 5));
    expect((error as Error).message).toBe('run 2 fails');
    expect(read(tooFew)).toBe('xx');
  });

  test('jobId makes submission idempotent: the same id runs once and every call gets its result', async () => {
    const runs = file();
    const view = remote.with({ jobId: 'once' });
    const [a, b] = await Promise.all([view.spawn(RemoteTasks).recorded(21, runs, 50), view.spawn(RemoteTasks).recorded(21, runs, 50)]);
    expect([a, b]).toEqual([42, 42]);
    // Finished and kept: a later call with the id gets the kept result without a run.
    expect(await view.spawn(RemoteTasks).recorded(21, runs, 50)).toBe(42);
    expect(read(runs).trim().split('\n')).toHaveLength(1);
  });

  test('call options are validated at once', () => {
    expect(() => remote.with({ attempts: 0 })).toThrow(/attempts/);
    expect(() => remote.with({ jobId: '12' })).toThrow(/jobId/);
    expect(() => remote.with({ priority: -1 })).toThrow(/priority/);
    expect(() => remote.with({ timeout: -5 })).toThrow(/timeout/);
    expect(() => remote.with({ retries: 1 } as never)).toThrow(/Unknown call option/);
  });
});
