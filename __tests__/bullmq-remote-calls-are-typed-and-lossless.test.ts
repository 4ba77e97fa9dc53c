import { hostname } from 'node:os';
import { AsyncThreadPoolError, registerErrorClass, ThreadPool } from '../src';
import { RemotePool, serve, type Server } from '../src/bullmq';
import { QuotaExceeded, RemoteCounter, RemoteTasks } from './fixtures/remote-tasks';
import { rejectionOf } from './helpers';
import { describeWithRedis, TestRedis } from './helpers-redis';

describeWithRedis('a RemotePool calls tasks served through BullMQ', () => {
  let redis: TestRedis;
  let pool: ThreadPool<RemoteCounter>;
  let server: Server;
  let remote: RemotePool<RemoteCounter>;

  beforeAll(async () => {
    redis = await TestRedis.start();
    pool = new ThreadPool({ context: RemoteCounter, threads: 2 });
    server = await serve({ queue: 'calls', connection: redis.connection, pool, tasks: [RemoteTasks] });
    remote = new RemotePool<RemoteCounter>({ queue: 'calls', connection: redis.connection });
  });
  afterAll(async () => {
    await remote.close();
    await server.close();
    await pool.close();
    await redis.stop();
  });

  test('in both spawn forms, with the context parameter supplied by the serving thread', async () => {
    expect(await remote.spawn(RemoteTasks).add(3, 2)).toBe(5);
    expect(await remote.spawn(RemoteTasks.add, 4, 5)).toBe(9);
    // Each serving thread keeps its own context between jobs.
    const counts = await Promise.all(Array.from({ length: 10 }, () => remote.spawn(RemoteTasks).incr(1)));
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(5);
    expect(await remote.with({ attempts: 2, priority: 1 }).spawn(RemoteTasks).add(1, 1)).toBe(2);
  });

  test('values cross the wire both ways as they cross a thread', async () => {
    const value = {
      u: undefined,
      nan: NaN,
      big: 12345678901234567890n,
      when: new Date(99),
      map: new Map([['k', new Set([1, 2])]]),
      bytes: new Uint16Array([1, 65535]),
      nested: [[{ deep: -0 }]],
    };
    const back = (await remote.spawn(RemoteTasks).echo(value)) as typeof value;
    expect(back).toEqual(value);
    expect('u' in back).toBe(true);
    expect(back.bytes).toBeInstanceOf(Uint16Array);
    expect(back.when).toBeInstanceOf(Date);
    expect(Object.is(back.nested[0]?.[0]?.deep, -0)).toBe(true);
  });

  test('arguments that cannot cross are refused at the call site with ERR_UNCLONEABLE', async () => {
    const error = await rejectionOf(remote.spawn(RemoteTasks).echo({ f: () => 1 }));
    expect(AsyncThreadPoolError.is(error, 'ERR_UNCLONEABLE')).toBe(true);
  });

  test('errors come back with class, message, code, cause, properties, and a stack naming the server', async () => {
    const error = (await rejectionOf(remote.spawn(RemoteTasks).fail('range'))) as RangeError & { code: string; details: { when: Date } };
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('out of range');
    expect(error.code).toBe('E_RANGE');
    expect(error.details.when).toEqual(new Date(7));
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(error.stack).toContain('remote-tasks.ts');
    expect(error.stack).toContain(`host ${hostname()}, pid ${String(process.pid)}, queue calls`);

    // A user class comes back as itself once registered on the calling side.
    registerErrorClass(QuotaExceeded);
    const quota = await rejectionOf(remote.spawn(RemoteTasks).fail('quota'));
    expect(quota).toBeInstanceOf(QuotaExceeded);
    expect(quota).toMatchObject({ message: 'over quota', limit: 10 });
  });

  test('a thread that exits mid-task fails its job with ERR_WORKER_EXITED, and the server goes on', async () => {
    const error = await rejectionOf(remote.spawn(RemoteTasks).exit(3));
    expect(AsyncThreadPoolError.is(error, 'ERR_WORKER_EXITED')).toBe(true);
    expect(await remote.spawn(RemoteTasks).add(1, 2)).toBe(3);
  });
});
