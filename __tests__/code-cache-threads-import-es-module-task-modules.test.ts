import { copyPackage, type PackageCopy, type Report, runCopyWithOutput } from './helpers-code-cache';

/**
 * A thread whose bundle came from its code cache still imports ES module task modules, and prints
 * nothing doing so: the worker side's `import()` is compiled by Node's own loader (see
 * src/worker/import.cjs), not in the bundle, whose script Node 20 gives no loader for `import()`
 * once it comes from a cache.
 */
let copy: PackageCopy;
beforeAll(() => {
  copy = copyPackage();
});
afterAll(() => {
  copy.remove();
});

test('an ES module task module loads on a thread without a cache, then on one with it, with nothing on stderr', async () => {
  const first = await runCopyWithOutput(copy, 'esm');
  expect((first.printed as Report[]).map((r) => r.state)).toEqual(['absent']);
  expect(first.stderr).toBe('');
  const next = await runCopyWithOutput(copy, 'esm');
  expect((next.printed as Report[]).map((r) => r.state)).toEqual(['accepted']);
  expect(next.stderr).toBe('');
});
