import * as path from 'node:path';
import { runNode } from './helpers-process';

/**
 * The call-site check of arguments costs no more than their structured clone: an array of length
 * 2^32 - 1 holding nothing is checked by what it holds, not index by index (which blocked the
 * calling thread for minutes). Run in a child process with a generous bound, since a regression
 * blocks the caller's event loop and would freeze jest itself.
 */
test('a call with an empty array of length 2^32 - 1 answers at once, and a function at its last index is still refused', async () => {
  const { code, stdout, stderr } = await runNode([path.join(__dirname, 'fixtures', 'sparse-array-call.cjs')], 60_000);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  const out = JSON.parse(stdout) as Record<string, unknown>;
  expect(out).toMatchObject({ pool: 2 ** 32 - 1, nested: 1, inline: 2 ** 32 - 1, temporary: 2 ** 32 - 1 });
  expect(out.refused).toContain('a function at `[4294967294]`');
}, 90_000);
