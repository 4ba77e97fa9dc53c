import * as path from 'node:path';
import { runNode } from './helpers-process';

/**
 * The package index loads what every program that makes a pool needs, and leaves the rest until a
 * program uses it: no `reflect-metadata` (the decorators install the small metadata API of
 * src/shared/metadata.ts, as on threads), and neither the inline pool's backend, nor the streams,
 * nor a context's checks until a pool runs inline, streams or has a context. What a fresh process's
 * main thread loaded, read from its `require.cache` (the build, in plain Node).
 */
const DEFERRED = ['main/inline-backend.js', 'shared/invoke.js', 'main/stream.js', 'shared/call-events.js', 'main/context.js', 'package:reflect-metadata'];

test('the index and a pool that runs a plain call load none of the modules they do not use', async () => {
  const run = await runNode([path.join('__tests__', 'fixtures', 'report-main-modules.cjs')]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const { product, afterIndex, afterPool } = JSON.parse(run.stdout) as { product: number; afterIndex: string[]; afterPool: string[] };
  expect(product).toBe(42);
  // What the index does load: the pool, the pool-less spawn, the task side.
  expect(afterIndex).toEqual(expect.arrayContaining(['index.js', 'main/pool.js', 'main/spawn.js', 'shared/decorators.js', 'shared/metadata.js']));
  expect(afterIndex).not.toContain('main/piscina-backend.js');
  expect(afterIndex.filter((file) => DEFERRED.includes(file))).toEqual([]);
  expect(afterPool).toEqual(expect.arrayContaining(['main/piscina-backend.js', 'main/threads.js', 'package:piscina']));
  expect(afterPool.filter((file) => DEFERRED.includes(file))).toEqual([]);
});
