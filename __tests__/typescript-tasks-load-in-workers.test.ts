import * as path from 'node:path';
import { ROOT, runNode } from './helpers-process';

const fixture = path.join('__tests__', 'fixtures', 'run-under-loader.ts');

/** Under ts-jest, every other test file already shows it; these cover the other ways to run TypeScript. */
describe('TypeScript task modules in workers, with no build step', () => {
  test('when the main process runs under ts-node', async () => {
    const tsNode = require.resolve('ts-node/dist/bin.js', { paths: [ROOT] });
    const run = await runNode([tsNode, '--transpile-only', fixture]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ sum: 5, incr: 5, scratch: ['init', 'x'] });
  });

  test('when the main process runs under tsx (which emits no decorator metadata; the workers do)', async () => {
    const run = await runNode(['--import', 'tsx', fixture]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ sum: 5, incr: 5, scratch: ['init', 'x'] });
  });
});

describe('the compiled package, from plain Node', () => {
  const script = path.join('__tests__', 'fixtures', 'exit-after-close.cjs');

  test('runs JavaScript task modules with no TypeScript machinery loaded, and exits after close()', async () => {
    const run = await runNode([script]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ product: 42, temporary: 6, paused: 300, workerHasTypescript: false, mainHasTypescript: false });
  });

  test('does not keep the process alive when the pool is left open and idle', async () => {
    const run = await runNode([script, 'forget']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ product: 42, paused: 300 });
  });
});
