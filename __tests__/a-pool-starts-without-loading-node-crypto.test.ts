import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomNonce } from '../src/main/piscina-backend';
import { runNode } from './helpers-process';

/**
 * A pool's nonce (the secret its threads' hellos carry) is 16 random bytes read from the kernel's
 * random device where there is one: loading `node:crypto` for them cost a process ~2.5 ms on the
 * way to a cold start's first result. Without such a device, they come from `node:crypto`.
 */
const HEX_16_BYTES = /^[0-9a-f]{32}$/;
const hasDevice = fs.existsSync('/dev/urandom') && fs.statSync('/dev/urandom').isCharacterDevice();

test('a nonce is 16 bytes in hex, a new one each time', () => {
  const [a, b] = [randomNonce(), randomNonce()];
  expect(a).toMatch(HEX_16_BYTES);
  expect(b).toMatch(HEX_16_BYTES);
  expect(a).not.toBe(b);
});

test('without the device, or where it is not a character device, the nonce comes from node:crypto', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncthreadpool-nonce-'));
  try {
    const plain = path.join(dir, 'urandom');
    fs.writeFileSync(plain, Buffer.alloc(64));
    for (const device of [path.join(dir, 'missing'), plain]) {
      const nonce = randomNonce(device);
      expect(nonce).toMatch(HEX_16_BYTES);
      expect(nonce).not.toBe('0'.repeat(32));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a process that starts a pool and gets its first result loads no node:crypto where the device is there', async () => {
  const run = await runNode([path.join('__tests__', 'fixtures', 'report-crypto-loaded.cjs')]);
  expect(run.stderr).toBe('');
  // Where there is no such device (not Linux or macOS), the nonce's bytes come from node:crypto.
  expect(JSON.parse(run.stdout)).toEqual({ product: 42, crypto: !hasDevice });
});
