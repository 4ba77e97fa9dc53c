import * as path from 'node:path';
import { runNode } from './helpers-process';
import { describeWithRedis } from './helpers-redis';

const CHILD = path.join(__dirname, 'fixtures', 'bullmq-close-during-outage.ts');

/**
 * `server.close()`, `remote.close()` and `remote.destroy()` settle whatever Redis does, and leave
 * nothing behind: the child closes everything with Redis down, or just restarted (its connections
 * still waiting to reconnect, where ioredis never ended a disconnected client and BullMQ's closes
 * waited for it without bound), and must then exit by itself.
 */
describeWithRedis('closing during a Redis outage', () => {
  test.each([
    ['still down', 'down', /^ERR_REMOTE_UNAVAILABLE$/],
    // Whichever comes first: the caller's outage bound, or its check after the restart.
    ['just back (connections still waiting to reconnect)', 'back', /^ERR_(REMOTE_UNAVAILABLE|JOB_LOST)$/],
  ])('with Redis %s: every close resolves, every call has a coded outcome, the process exits by itself', async (_what, scenario, running) => {
    const run = await runNode(['-r', 'ts-node/register/transpile-only', CHILD, scenario], 60_000);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout.trim())).toEqual({
      during: 'ERR_REMOTE_UNAVAILABLE',
      // Its job ran on the server when Redis went down: the caller gives up on it after its bound,
      // or (back) finds it gone with Redis's data (no persistence).
      running: expect.stringMatching(running),
      waiting: 'ERR_POOL_CLOSED',
      closes: ['resolved', 'resolved', 'resolved'],
    });
  }, 70_000);
});
