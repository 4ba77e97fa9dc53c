import { ThreadPool } from '../src';
import { startCountingServer } from '../demo/http-server';
import { HttpClient, HttpTasks } from '../tasks/http';

describe('a thread-pooled HTTP client with one keep-alive socket per thread', () => {
  test('N threads, hundreds of requests: the server sees exactly N connections', async () => {
    const server = await startCountingServer();
    const threads = 3;
    const pool = new ThreadPool({ context: HttpClient, threads });
    try {
      // Every thread makes its connection first (broadcast reaches each thread once).
      expect(await pool.broadcast(HttpTasks).get(`${server.url}/warm`)).toEqual(Array.from({ length: threads }, () => 'ok /warm'));
      const bodies = await Promise.all(Array.from({ length: 300 }, (_, i) => pool.spawn(HttpTasks).get(`${server.url}/${String(i)}`)));
      expect(bodies[299]).toBe('ok /299');
      expect(server.connections()).toBe(threads);
    } finally {
      await pool.close();
      await server.close();
    }
  });

  test('the baseline without keep-alive opens a connection per request', async () => {
    const server = await startCountingServer();
    const pool = new ThreadPool({ threads: 2 });
    try {
      await Promise.all(Array.from({ length: 50 }, (_, i) => pool.spawn(HttpTasks).getWithoutKeepAlive(`${server.url}/${String(i)}`)));
      expect(server.connections()).toBe(50);
    } finally {
      await pool.close();
      await server.close();
    }
  });
});
