import * as path from 'node:path';
import { ROOT, runNode } from './helpers-process';
import { describeWithRedis } from './helpers-redis';

/**
 * `npm run demo:cluster` (ts-node on demo/cluster/index.ts) runs to the end and its figures hold:
 * all 2,000 jobs finished with their own page, the runs per process add up to at least 2,000, and
 * the HTTP server saw one connection per thread, of which the survivor's are the ones still open.
 */
describeWithRedis('npm run demo:cluster', () => {
  test('2,000 jobs on two servers, one SIGKILLed midway: all finish; runs per process and thread; one open connection per live thread', async () => {
    const tsNode = require.resolve('ts-node/dist/bin.js', { paths: [ROOT] });
    // Bounds a failure only: three ts-node processes and their threads start slowly on a loaded machine.
    const run = await runNode([tsNode, '--transpile-only', path.join('demo', 'cluster', 'index.ts')], 150_000);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = run.stdout;
    expect(out).toContain('all 2000 jobs finished: 2000 of 2000 calls got their own page, each call settled once (2000 settles)');
    // Not a terminal here: plain progress lines, no carriage returns.
    expect(out).toContain('   jobs 2000/2000\n');
    expect(out).not.toContain('\r');

    const [, victimPid, survivorPid] = /pids (\d+), (\d+)\)/.exec(out) ?? [];
    expect(victimPid).toBeDefined();
    expect(out).toContain(`SIGKILL sent to process ${String(victimPid)}`);
    const processes = [...out.matchAll(/^ {3}process (\d+)(?: \(killed\))?\s+(\d+) runs \((thread \d+: \d+(?:, thread \d+: \d+)*)\), (\d+) results$/gm)];
    expect(processes.map((m) => m[1])).toEqual([victimPid, survivorPid]);
    let runs = 0;
    let results = 0;
    for (const [, , total, threads, delivered] of processes) {
      const perThread = [...String(threads).matchAll(/thread \d+: (\d+)/g)].map((m) => Number(m[1]));
      expect(perThread.reduce((a, b) => a + b, 0)).toBe(Number(total));
      expect(perThread.length).toBeLessThanOrEqual(2);
      runs += Number(total);
      results += Number(delivered);
    }
    expect(runs).toBeGreaterThanOrEqual(2000);
    expect(results).toBe(2000);
    expect(out).toContain(`total ${String(runs)} runs for 2000 jobs`);
    // Two threads per process, one keep-alive socket each: 4 accepted, the survivor's 2 still open.
    expect(out).toContain(
      `HTTP server connections: 4 accepted, 2 open now = one per live thread (process ${String(survivorPid)}, threads 1 and 2); the killed process's 2 (threads 1 and 2) closed when it died`,
    );
  }, 160_000);
});
