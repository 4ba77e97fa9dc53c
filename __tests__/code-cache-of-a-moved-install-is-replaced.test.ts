import * as fs from 'node:fs';
import { copyPackage, type Report, runCopy } from './helpers-code-cache';

/**
 * An install copied or moved with its code cache (a `node_modules` copied into an image, say) has
 * the cache of its very build, made for the bundle at its old path. V8 accepts it, and the code it
 * holds keeps naming the old file: stack traces would point there, and the decorators, which tell a
 * task module from the library by its frames' files, would record the bundle as the task module, so
 * that no task of the real one is found. Such a cache is `stale`: the thread compiles the bundle
 * from source at its own path, runs its calls, and replaces the cache, which the next process uses.
 */
test('a cache made for the same build at another path is not used, and is replaced', async () => {
  const before = copyPackage();
  const after = copyPackage();
  try {
    // A temporary thread reports before it saves the cache, as it answers.
    expect((await runCopy(before, 'spawn')).map((r) => r.state)).toEqual(['absent']);
    expect((await runCopy(before, 'spawn')).map((r) => r.state)).toEqual(['accepted']);
    fs.copyFileSync(before.cacheFile, after.cacheFile);
    const run = await runCopy<{ first: Report[]; second: Report[] }>(after, 'pool');
    expect(run.first.map((r) => r.state)).toEqual(['stale']);
    expect(run.second.map((r) => r.state)).toEqual(['written']);
    const facts = await runCopy<{ stack: string[] }>(after, 'facts');
    expect(facts.stack.length).toBeGreaterThan(0);
    for (const line of facts.stack) expect(line).toContain(`${after.bundle}:`);
    expect((await runCopy(after, 'spawn')).map((r) => r.state)).toEqual(['accepted']);
  } finally {
    before.remove();
    after.remove();
  }
});
