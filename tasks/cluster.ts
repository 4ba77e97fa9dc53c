import * as http from 'node:http';
import { threadId } from 'node:worker_threads';
import { task, ThreadContext } from '../src';
import { HttpClient } from './http';

/** What a cluster job returns: the page, and which process and thread fetched it. */
export interface Fetched {
  readonly body: string;
  readonly pid: number;
  readonly threadId: number;
}

/**
 * The task of `npm run demo:cluster`: a GET through the serving thread's keep-alive `HttpClient`
 * context (one socket per thread, as in `tasks/http.ts`), tagged with the process and thread that
 * sent it, so the demo's HTTP server can tell which connection and which run belongs to whom.
 */
export class ClusterTasks {
  @task static get(url: string, @ThreadContext() client: HttpClient): Promise<Fetched> {
    client.requests++;
    const where = `${String(process.pid)}/${String(threadId)}`;
    return new Promise((resolve, reject) => {
      const request = http.get(url, { agent: client.agent, headers: { 'x-served-by': where } }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          resolve({ body, pid: process.pid, threadId });
        });
        response.on('error', reject);
      });
      request.on('error', reject);
    });
  }
}
