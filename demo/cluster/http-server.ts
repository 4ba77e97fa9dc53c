import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One TCP connection the server accepted, and who sent its requests (`pid/threadId`, from a header). */
export interface Connection {
  servedBy: string | undefined;
  open: boolean;
  /** Resolves when the connection has closed. */
  readonly closed: Promise<void>;
}

/**
 * The cluster demo's local HTTP server (127.0.0.1, random port): it records every TCP connection it
 * accepts, whether it is still open, and the `x-served-by` tag of its requests; and it counts the
 * `/job/...` requests per tag (how many runs each process and thread made) and per path.
 */
export async function startTaggingServer(): Promise<{
  url: string;
  connections: () => readonly Connection[];
  runsBy: () => ReadonlyMap<string, number>;
  runsOf: () => ReadonlyMap<string, number>;
  close: () => Promise<void>;
}> {
  const connections = new Map<Socket, Connection>();
  const runsBy = new Map<string, number>();
  const runsOf = new Map<string, number>();
  const server = http.createServer((request, response) => {
    const tag = request.headers['x-served-by'];
    const servedBy = typeof tag === 'string' ? tag : undefined;
    const connection = connections.get(request.socket);
    if (connection !== undefined) connection.servedBy ??= servedBy;
    const url = request.url ?? '';
    if (url.startsWith('/job/') && servedBy !== undefined) {
      runsBy.set(servedBy, (runsBy.get(servedBy) ?? 0) + 1);
      runsOf.set(url, (runsOf.get(url) ?? 0) + 1);
    }
    response.setHeader('content-type', 'text/plain');
    response.end(`ok ${url}`);
  });
  // Keep idle keep-alive sockets open: each thread's one connection lasts the whole demo.
  server.keepAliveTimeout = 0;
  server.on('connection', (socket: Socket) => {
    let closed = (): void => undefined;
    const connection: Connection = { servedBy: undefined, open: true, closed: new Promise<void>((resolve) => (closed = resolve)) };
    connections.set(socket, connection);
    socket.once('close', () => {
      connection.open = false;
      closed();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    connections: () => [...connections.values()],
    runsBy: () => runsBy,
    runsOf: () => runsOf,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
