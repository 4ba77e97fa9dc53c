import * as path from 'node:path';
import { ROOT, runNode } from './helpers-process';

/** `npm run demo` (ts-node on demo/index.ts) must keep running, and keep saying what the README says. */
test('the demo runs to the end and shows each example, the per-thread counts, N connections and the CPU job\'s per-task progress', async () => {
  const tsNode = require.resolve('ts-node/dist/bin.js', { paths: [ROOT] });
  const run = await runNode([tsNode, '--transpile-only', path.join('demo', 'index.ts')], 60_000);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/myTask\(3, 2\)\s+=> 5/);
  expect(run.stdout).toMatch(/myTask\(2, 3\)\s+=> 5/);
  expect(run.stdout).toContain('[ 5, 5, 2 ]');
  expect(run.stdout).toContain('total 20: no call lost');
  expect(run.stdout).toMatch(/one keep-alive socket per thread \(context\):\s+\d+ requests\/s, 4 connections/);
  expect(run.stdout).toMatch(/a new connection per request \(baseline\):\s+\d+ requests\/s, 2000 connections/);
  // The CPU job: one line per round (main thread and pool timed side by side), then the speedup as
  // the median of the rounds' ratios, with the ratios listed, and identical results. Never its value.
  const rounds = [...run.stdout.matchAll(/round (\d+)\/6: main thread +\d+ ms, pool of \d+ +\d+ ms, (\d+\.\d\d)x/g)];
  expect(rounds.map((r) => r[1])).toEqual(['1', '2', '3', '4', '5', '6']);
  const summary = /speedup (\d+\.\d\d)x, the median of 6 rounds \(([\d., ]+)\) \(results identical\)/.exec(run.stdout);
  expect(summary).not.toBeNull();
  const listed = (summary?.[2] ?? '').split(', ').map(Number);
  expect(listed).toEqual(rounds.map((r) => Number(r[2])));
  const sorted = [...listed].sort((a, b) => a - b);
  expect(Number(summary?.[1])).toBeCloseTo(((sorted[2] ?? 0) + (sorted[3] ?? 0)) / 2, 1);
  // Per-task progress through onProgress: every chunk reported, its last report (100%) before its result.
  const progress = /progress: (\d+) tasks sent (\d+) reports \(coalesced[^)]*\); (\d+) of (\d+) reported 100% before their result/.exec(run.stdout);
  expect(progress).not.toBeNull();
  const [tasks, reports, complete, of] = (progress ?? []).slice(1).map(Number);
  expect(reports).toBeGreaterThanOrEqual(tasks ?? Infinity);
  expect(complete).toBe(tasks);
  expect(of).toBe(tasks);
});
