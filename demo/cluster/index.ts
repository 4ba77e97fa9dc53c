/**
 * `npm run demo:cluster`: the same task class served by two processes through BullMQ, one of them
 * killed with SIGKILL midway, and nothing lost.
 *
 * Starts its own Redis (Debian's `redis-server`, on a free loopback port, no persistence), a local
 * HTTP server that records its connections, and two serving processes (`server.ts`) of 2 threads
 * each, every thread with its keep-alive `HttpClient` context. A `RemotePool` then runs 2,000 GETs
 * through the queue; after 1,000 results one server gets SIGKILL. BullMQ sees its jobs stalled
 * and the other server runs them again. At the end: every call's result, the runs per process and
 * thread, and the HTTP server's connections (one per live thread).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { RemotePool } from '../../src/bullmq';
import type { HttpClient } from '../../tasks/http';
import { ClusterTasks, type Fetched } from '../../tasks/cluster';
import { REDIS_SERVER, TestRedis } from '../../__tests__/helpers-redis';
import { startTaggingServer } from './http-server';

const ROOT = path.join(__dirname, '..', '..');
const SERVER = path.join(__dirname, 'server.ts');
const JOBS = 2000;
const THREADS = 2;
const KILL_AFTER = JOBS / 2;
const QUEUE = 'cluster';

interface Serving {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<void>;
  readonly output: () => string;
}

/** Starts one serving process; resolves once it prints `ready`. */
function startServer(port: number, url: string): Promise<Serving> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', SERVER, String(port), QUEUE, String(THREADS), url], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  return new Promise((resolve, reject) => {
    const onData = (): void => {
      if (out.includes('ready')) {
        child.stdout.off('data', onData);
        resolve({ child, pid: child.pid ?? 0, exited, output: () => out });
      }
    };
    child.stdout.on('data', onData);
    void exited.then(() => { reject(new Error(`a serving process exited before it was ready:\n${out}`)); });
  });
}

/** A progress bar redrawn in place on a terminal; one plain line per quarter otherwise. */
function progress(total: number): { show: (done: number) => void; say: (line: string) => void } {
  const tty = process.stdout.isTTY;
  let quarter = 0;
  let drawn = false;
  return {
    show(done) {
      if (tty) {
        const width = 30;
        const filled = Math.round((done / total) * width);
        process.stdout.write(`\r   jobs [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(done)}/${String(total)}`);
        drawn = done < total;
        if (done === total) process.stdout.write('\n');
      } else if (Math.floor((done / total) * 4) > quarter) {
        quarter = Math.floor((done / total) * 4);
        console.log(`   jobs ${String(done)}/${String(total)}`);
      }
    },
    say(line) {
      if (drawn) process.stdout.write('\n');
      drawn = false;
      console.log(line);
    },
  };
}

const plural = (n: number, word: string): string => `${String(n)} ${word}${n === 1 ? '' : 's'}`;

async function main(): Promise<void> {
  if (REDIS_SERVER === undefined) {
    console.error('demo:cluster needs redis-server (install it with `apt-get install redis-server`)');
    process.exitCode = 1;
    return;
  }
  const redis = await TestRedis.start();
  const web = await startTaggingServer();
  const servers: Serving[] = [];
  try {
    servers.push(...(await Promise.all([startServer(redis.port, web.url), startServer(redis.port, web.url)])));
    const [victim, survivor] = servers as [Serving, Serving];
    console.log('asyncthreadpool cluster demo: BullMQ queue `%s` on a local Redis (127.0.0.1:%d), HTTP server %s', QUEUE, redis.port, web.url);
    console.log(`   2 serving processes (pids ${String(victim.pid)}, ${String(survivor.pid)}), ${String(THREADS)} threads each, one keep-alive HttpClient context per thread`);
    console.log(`   ${String(JOBS)} GETs through a RemotePool; process ${String(victim.pid)} gets SIGKILL after ${String(KILL_AFTER)} results`);

    const remote = new RemotePool<HttpClient>({ queue: QUEUE, connection: redis.connection, checkInterval: 500 });
    const bar = progress(JOBS);
    let done = 0;
    let settles = 0;
    const results = await Promise.all(
      Array.from({ length: JOBS }, (_, i) =>
        remote
          .spawn(ClusterTasks)
          .get(`${web.url}/job/${String(i)}`)
          .finally(() => {
            settles++;
          })
          .then((fetched) => {
            bar.show(++done);
            if (done === KILL_AFTER) {
              victim.child.kill('SIGKILL');
              bar.say(`   SIGKILL sent to process ${String(victim.pid)} (${String(done)} results in); its running jobs go back to the queue once BullMQ sees them stalled`);
            }
            return fetched;
          }),
      ),
    );
    await remote.close();
    await victim.exited;

    const right = results.filter((r: Fetched, i) => r.body === `ok /job/${String(i)}`).length;
    const ok = right === JOBS && settles === JOBS;
    console.log(`\nall ${String(JOBS)} jobs finished: ${String(right)} of ${String(JOBS)} calls got their own page, each call settled once (${String(settles)} settles)`);

    // Runs as the HTTP server saw them (a job run twice counts twice); results as the caller got them.
    const runsBy = web.runsBy();
    console.log('runs per process and thread (GETs the HTTP server received), and results that reached the caller:');
    let runs = 0;
    for (const server of servers) {
      const tags = [...runsBy.keys()].filter((tag) => tag.startsWith(`${String(server.pid)}/`)).sort();
      const processRuns = tags.reduce((sum, tag) => sum + (runsBy.get(tag) ?? 0), 0);
      runs += processRuns;
      const delivered = results.filter((r) => r.pid === server.pid).length;
      const threads = tags.map((tag) => `thread ${tag.split('/')[1] ?? '?'}: ${String(runsBy.get(tag))}`).join(', ');
      const label = server === victim ? `process ${String(server.pid)} (killed)` : `process ${String(server.pid)}`;
      console.log(`   ${label.padEnd(24)} ${String(processRuns).padStart(5)} runs (${threads}), ${String(delivered)} results`);
    }
    const twice = [...web.runsOf().values()].filter((n) => n > 1).length;
    console.log(`   total ${String(runs)} runs for ${String(JOBS)} jobs: ${plural(twice, 'job')} ran twice (running on the killed process when it died)`);

    // The kernel closed the killed process's sockets: wait (at most 5 s) until the HTTP server saw them close.
    const of = (server: Serving): string => `${String(server.pid)}/`;
    const all = web.connections();
    const victims = all.filter((c) => (c.servedBy ?? '').startsWith(of(victim)));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(victims.map((c) => c.closed)), new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
    clearTimeout(timer);
    const open = all.filter((c) => c.open);
    const openSurvivor = open.filter((c) => (c.servedBy ?? '').startsWith(of(survivor)));
    const threadsOf = (list: readonly { servedBy: string | undefined }[]): string => list.map((c) => (c.servedBy ?? '?/?').split('/')[1]).sort().join(' and ');
    console.log(
      `HTTP server connections: ${String(all.length)} accepted, ${String(open.length)} open now = one per live thread (process ${String(survivor.pid)}, threads ${threadsOf(openSurvivor)}); ` +
        `the killed process's ${String(victims.length)} (threads ${threadsOf(victims)}) ${victims.every((c) => !c.open) ? 'closed when it died' : 'are STILL OPEN'}`,
    );

    // Graceful stop of the survivor: it closes its server and pool and exits by itself.
    survivor.child.kill('SIGTERM');
    await survivor.exited;
    if (!survivor.output().includes('closed')) throw new Error(`the surviving server did not close cleanly:\n${survivor.output()}`);
    if (!ok || open.length !== THREADS || all.length !== 2 * THREADS) process.exitCode = 1;
  } finally {
    for (const server of servers) server.child.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.exited));
    await web.close();
    await redis.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
