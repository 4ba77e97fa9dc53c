import * as path from 'node:path';
import { ROOT, runNode } from './helpers-process';

/**
 * `tsx main.mts` importing a CommonJS `.ts` task module: on Node 20, tsx runs that module as a
 * `data:` URL, so the stack the decorators read names no file. The file is in the URL's `filePath`.
 */
test('an .mts entry under tsx calls tasks of a CommonJS .ts module, on a pool with a context and pool-less', async () => {
  const tsx = require.resolve('tsx/cli', { paths: [ROOT] });
  const run = await runNode([tsx, path.join('__tests__', 'fixtures', 'tsx-mts-entry', 'main.mts')]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual({ sum: 6, counted: { count: 5, onWorker: true }, temporary: { count: 4, onWorker: true } });
});
