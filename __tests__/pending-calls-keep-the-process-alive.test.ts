import * as path from 'node:path';
import { runNode } from './helpers-process';

/**
 * A call keeps the process alive until it settles, also when its thread dies under it: between the
 * death (its control port closes first) and the worker's `exit`, and until the replacement thread
 * took the calls re-queued after it. Each trial is one chance for a process with nothing else alive
 * to exit in that gap; the child runs several, alternating process.exit(3) and running out of memory.
 */
const TRIALS = 8;

test('a thread dying inside a batch: every call settles, then the process exits by itself with code 0', async () => {
  const run = await runNode([path.join('__tests__', 'fixtures', 'pending-calls-keep-alive.cjs'), String(TRIALS)], 120_000);
  const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown);
  expect(lines).not.toContainEqual(expect.objectContaining({ exitedEarly: true }));
  expect(run.code).toBe(0);
  expect(lines).toHaveLength(TRIALS);
  lines.forEach((line, trial) => {
    const how = trial % 2 === 0 ? 'exit' : 'memory';
    const dying = how === 'exit' ? { code: 'ERR_WORKER_EXITED', exitCode: 3 } : { code: 'ERR_WORKER_EXITED', cause: 'ERR_WORKER_OUT_OF_MEMORY' };
    const expected = Array.from({ length: 20 }, (_, i) => (i === 9 ? dying : { value: i }));
    expect(line).toEqual({ how, settled: expected });
  });
});
