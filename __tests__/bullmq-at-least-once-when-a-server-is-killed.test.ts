import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RemotePool } from '../src/bullmq';
import { type RemoteCounter, RemoteTasks } from './fixtures/remote-tasks';
import { ROOT } from './helpers-process';
import { describeWithRedis, TestRedis } from './helpers-redis';

const SERVER = path.join(__dirname, 'fixtures', 'bullmq-server.ts');
const JOBS = 500;
const THREADS = 2;
/**
 * The most jobs a server holds active in Redis at once: serve's default concurrency, its threads
 * plus one fetched ahead. A killed server's jobs that may run again are those: running on a thread,
 * fetched and waiting for one, or run to the end with the completion not yet written to Redis
 * (while the thread already ran the next).
 */
const CONCURRENCY = THREADS + 1;

/** A serving child process; resolves once it prints `ready`. */
function startServer(port: number, queue: string): Promise<{ child: ChildProcess; exited: Promise<number | null>; output: () => string }> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', SERVER, String(port), queue, String(THREADS)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { resolve(code); }));
  return new Promise((resolve, reject) => {
    const onData = (): void => {
      if (out.includes('ready')) {
        child.stdout.off('data', onData);
        resolve({ child, exited, output: () => out });
      }
    };
    child.stdout.on('data', onData);
    void exited.then((code) => { reject(new Error(`server exited (${String(code)}) before it was ready: ${out}`)); });
  });
}

describeWithRedis('at-least-once delivery', () => {
  let redis: TestRedis;
  let dir: string;

  beforeAll(async () => {
    redis = await TestRedis.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atp-kill-'));
  });
  afterAll(async () => {
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test(`${String(JOBS)} jobs, one of two servers SIGKILLed midway: every call resolves once with its value; only the killed server's running jobs ran twice`, async () => {
    const [a, b] = await Promise.all([startServer(redis.port, 'kill'), startServer(redis.port, 'kill')]);
    const pidA = a.child.pid;
    const pidB = b.child.pid;
    const log = path.join(dir, 'executions');
    const remote = new RemotePool<RemoteCounter>({ queue: 'kill', connection: redis.connection, checkInterval: 500 });
    try {
      let settled = 0;
      let killed: Promise<number | null> | undefined;
      const settles = new Map<number, number>();
      const calls = Array.from({ length: JOBS }, (_, i) =>
        remote
          .spawn(RemoteTasks)
          .recorded(i, log, 5)
          .finally(() => {
            settles.set(i, (settles.get(i) ?? 0) + 1);
            if (++settled === 150) {
              a.child.kill('SIGKILL');
              killed = a.exited;
            }
          }),
      );
      const values = await Promise.all(calls);
      expect(values).toEqual(Array.from({ length: JOBS }, (_, i) => i * 2));
      expect([...settles.values()].every((count) => count === 1)).toBe(true);
      expect(killed).toBeDefined();
      await killed;

      const runs = new Map<number, number[]>();
      for (const line of fs.readFileSync(log, 'utf8').trim().split('\n')) {
        const [id, pid] = line.split(' ').map(Number) as [number, number];
        runs.set(id, [...(runs.get(id) ?? []), pid]);
      }
      expect(runs.size).toBe(JOBS);
      const twice = [...runs].filter(([, pids]) => pids.length > 1);
      // Both servers did work, and the ones that ran twice were active on the killed server.
      const pids = new Set([...runs.values()].flat());
      expect(pids).toEqual(new Set([pidA, pidB]));
      expect(twice.length).toBeLessThanOrEqual(CONCURRENCY);
      for (const [, ran] of twice) {
        expect(ran).toHaveLength(2);
        expect(ran[0]).toBe(pidA);
        expect(ran[1]).toBe(pidB);
      }
    } finally {
      await remote.close();
      a.child.kill('SIGKILL');
      b.child.kill('SIGTERM');
      // The survivor closes its server and pool on SIGTERM, then exits by itself.
      expect(await b.exited).toBe(0);
      expect(b.output()).toContain('closed');
    }
    // Bounds a failure only: two ts-node processes starting threads on a loaded machine take a while.
  }, 120_000);
});
