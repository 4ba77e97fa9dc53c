/**
 * One serving process of `npm run demo:cluster`: `server.ts <redis port> <queue> <threads> <http url>`.
 * A pool of `threads` threads, each with its keep-alive `HttpClient` context, serves the queue's
 * `ClusterTasks` jobs. Prints `ready <pid>` once it takes jobs; on SIGTERM it stops taking jobs,
 * finishes the running ones, closes the pool, prints `closed <pid>` and exits by itself.
 */
import { ThreadPool } from '../../src';
import { serve } from '../../src/bullmq';
import { ClusterTasks } from '../../tasks/cluster';
import { HttpClient } from '../../tasks/http';

async function main(): Promise<void> {
  const [port, queue, threads, url] = process.argv.slice(2) as [string, string, string, string];
  const pool = new ThreadPool({ context: HttpClient, threads: Number(threads) });
  // Every thread started, its socket to the HTTP server open, before the first job.
  await pool.broadcast(ClusterTasks).get(`${url}/warm-up`);
  const server = await serve({
    queue,
    connection: { host: '127.0.0.1', port: Number(port) },
    pool,
    tasks: [ClusterTasks],
    // Short, so the demo sees the killed server's jobs taken back within about a second.
    lockDuration: 1_000,
    stalledInterval: 500,
  });
  process.once('SIGTERM', () => {
    void (async () => {
      await server.close();
      await pool.close();
      process.stdout.write(`closed ${String(process.pid)}\n`);
    })();
  });
  process.stdout.write(`ready ${String(process.pid)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
