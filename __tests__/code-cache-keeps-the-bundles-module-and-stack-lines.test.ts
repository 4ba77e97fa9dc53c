import * as path from 'node:path';
import { copyPackage, type PackageCopy, runCopy } from './helpers-code-cache';

/**
 * Compiled from its code cache, the bundle (dist/worker/thread.js) is the same module it is when
 * Node's loader loads it: its module object in `require.cache` (id, file name, package search
 * paths, parent, exports) and the line and column of each of its frames in a stack trace.
 */
let copy: PackageCopy;
beforeAll(() => {
  copy = copyPackage();
});
afterAll(() => {
  copy.remove();
});

interface Facts {
  id: string;
  filename: string;
  path: string;
  paths: string[];
  loaded: boolean;
  parent: string;
  aChildOfItsParent: boolean;
  exports: string[];
  stack: string[];
}

test("the bundle's module and stack frames are the same with the cache as without it", async () => {
  const off = await runCopy<Facts>(copy, 'facts', { env: { ASYNCTHREADPOOL_CODE_CACHE: '0' } });
  // The first compiles from source and saves the cache, the second compiles from the cache.
  const [fromSource, fromCache] = [await runCopy<Facts>(copy, 'facts'), await runCopy<Facts>(copy, 'facts')];
  expect((await runCopy(copy, 'spawn')).map((r) => r.state)).toEqual(['accepted']);
  expect(off).toEqual({
    id: copy.bundle,
    filename: copy.bundle,
    path: path.dirname(copy.bundle),
    paths: expect.arrayContaining([path.join(path.dirname(copy.bundle), 'node_modules'), path.join(copy.dir, 'node_modules')]) as unknown,
    loaded: true,
    parent: path.join(path.dirname(copy.bundle), 'bootstrap.cjs'),
    aChildOfItsParent: true,
    exports: ['handler'],
    stack: [expect.stringMatching(/^at registerErrorClass \(.*[\\/]dist[\\/]worker[\\/]thread\.js:\d+:\d+\)$/), expect.any(String)] as unknown,
  });
  expect(fromSource).toEqual(off);
  expect(fromCache).toEqual(off);
});
