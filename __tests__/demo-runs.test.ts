import * as path from 'node:path';
import { ROOT, runNode } from './helpers-process';

/** `npm run demo` (ts-node on demo/index.ts) must keep running, and keep saying what the README says. */
test('the demo runs to the end and shows each example, the per-thread counts and N connections', async () => {
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
  // Not a terminal here: plain progress lines, then the measured speedup with identical results.
  expect(run.stdout).toContain('main thread 48/48 chunks');
  expect(run.stdout).toMatch(/pool of \d+ 48\/48 chunks/);
  expect(run.stdout).toMatch(/speedup \d+\.\d\dx \(results identical\)/);
});
