import * as http from 'node:http';
import { task, ThreadContext } from '../src/task';

/**
 * The thread context of the HTTP demo: one keep-alive agent per thread, limited to one socket, so a
 * thread reuses one TCP connection for all its requests (the Nim README's motivating example).
 */
export class HttpClient {
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  requests = 0;

  dispose(): void {
    this.agent.destroy();
  }
}

/** Fetches over HTTP/1.1 with the given agent; resolves to the body. */
function fetchText(url: string, agent: http.Agent | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: agent ?? new http.Agent({ keepAlive: false }) }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        resolve(body);
      });
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

export class HttpTasks {
  /** GET through this thread's keep-alive agent: one connection per thread, reused. */
  @task static async get(url: string, @ThreadContext() client: HttpClient): Promise<string> {
    client.requests++;
    return fetchText(url, client.agent);
  }

  /** GET with a fresh connection every time: the baseline. */
  @task static async getWithoutKeepAlive(url: string): Promise<string> {
    return fetchText(url, undefined);
  }
}
