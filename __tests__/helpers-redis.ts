import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/**
 * A real Redis for the BullMQ tests: Debian's `redis-server`, started by the test on a free loopback
 * port with no persistence and `maxmemory-policy noeviction` (what BullMQ requires), and stopped by
 * it. A missing `redis-server` fails the Redis tests, saying how to install it.
 */

export const REDIS_SERVER = findRedisServer();

const INSTALL_HINT = 'redis-server is not installed: the BullMQ tests need it (`apt-get install -y redis-server`; .ci/run installs it on CI)';

function findRedisServer(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).concat(['/usr/bin', '/usr/sbin', '/usr/local/bin'])) {
    const file = path.join(dir, 'redis-server');
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * `describe`, or with no redis-server a failing test that says how to install it: the BullMQ tests
 * never skip (a skipped test proves nothing), on CI (`.ci/run` installs it) or anywhere else.
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (REDIS_SERVER !== undefined) {
    describe(name, body);
    return;
  }
  describe(name, () => {
    test('needs redis-server', () => {
      throw new Error(INSTALL_HINT);
    });
  });
}

/** A Redis server process of a test. */
export class TestRedis {
  readonly host = '127.0.0.1';
  #process: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  /** Starts one on a free port; resolves when it accepts connections. */
  static async start(): Promise<TestRedis> {
    for (let attempt = 0; ; attempt++) {
      const redis = new TestRedis(await freePort());
      try {
        await redis.restart();
        return redis;
      } catch (error) {
        // Another process took the port between the probe and the start: try another.
        if (attempt >= 3) throw error;
      }
    }
  }

  /** The connection options of this server. */
  get connection(): { host: string; port: number } {
    return { host: this.host, port: this.port };
  }

  /** Starts the server (again) on the same port, with empty data. */
  restart(): Promise<void> {
    if (REDIS_SERVER === undefined) throw new Error('redis-server is not installed');
    const child = spawn(
      REDIS_SERVER,
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#process = child;
    return new Promise<void>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          child.stdout.off('data', onData);
          child.stdout.resume();
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.resume();
      child.once('exit', (code) => {
        reject(new Error(`redis-server exited with code ${String(code)} before it was ready: ${output}`));
      });
    });
  }

  /** Stops the server; resolves when its process is gone. */
  async stop(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
    child.kill('SIGKILL');
    await exited;
  }

  /** Runs a redis-cli-like command through a short-lived connection (for flushing, inspecting). */
  command(...args: string[]): string {
    return execFileSync(process.execPath, ['-e', CLI, String(this.port), ...args], { encoding: 'utf8' }).trim();
  }
}

/** A one-shot RESP client in a child Node process (keeps no handle open in the test). */
const CLI = `
const net = require('node:net');
const [port, ...args] = process.argv.slice(1);
const s = net.connect(Number(port), '127.0.0.1');
s.write('*' + args.length + '\\r\\n' + args.map((a) => '$' + Buffer.byteLength(a) + '\\r\\n' + a + '\\r\\n').join(''));
s.once('data', (d) => { process.stdout.write(d.toString().replace(/^[+:$-]\\d*\\r?\\n?/, '')); s.end(); });
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => { resolve(port); });
    });
  });
}

/** Polls `check` until it is true, at most `limitMs`: for state that has no event (Redis, files). */
export async function until(check: () => boolean | Promise<boolean>, limitMs = 20_000, what = 'the condition'): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
