import * as path from 'node:path';
import type * as Index from '../src';
import type * as TaskEntry from '../src/task';
import { runNode } from './helpers-process';

/**
 * The build makes the package index load the main side from one file too: dist/index.js first
 * loads dist/index.bundle.js (through its copy of src/shared/code-cache.cjs, which the build puts
 * at its end, with the bundle's V8 code cache), which puts
 * every module the index reaches, and the task entry, into `require.cache` under its own file's
 * name; the index's own `require()`s, a task module's `require('asyncthreadpool/task')` and the
 * modules a pool loads only when it needs them (its Piscina backend, say) all find them there. So a
 * process compiles two library files however much of the library it runs, with or without the
 * code cache, and the task entry's classes are the index's.
 */
const FIXTURE = path.join('__tests__', 'fixtures', 'report-main-compiled-files.cjs');

test.each([
  ['with the code cache', {}],
  ['without it', { ASYNCTHREADPOOL_CODE_CACHE: '0' }],
])('a process that loads the index and runs a pool compiles two library files, %s', async (_how, env) => {
  const run = await runNode([FIXTURE], 120_000, env);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual({ files: ['index.js', 'index.bundle.js'], sameErrorClass: true });
});

test('under jest, whose module registry keeps its own cache, the index loads its modules one by one and works the same', async () => {
  // ts-jest maps `asyncthreadpool` to the sources; the build is loaded here by its path.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require(path.join(__dirname, '..', 'dist')) as typeof Index;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const taskEntry = require(path.join(__dirname, '..', 'dist', 'task')) as typeof TaskEntry;
  expect(taskEntry.AsyncThreadPoolError).toBe(lib.AsyncThreadPoolError);
  const error = new lib.AsyncThreadPoolError('ERR_POOL_CLOSED', 'closed');
  expect(error).toBeInstanceOf(taskEntry.AsyncThreadPoolError);
  expect(error.code).toBe('ERR_POOL_CLOSED');
  // A task module of a compiled project, which imports the build's index.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { JsTasks } = require('./fixtures/js-tasks.cjs') as { JsTasks: { mul(a: number, b: number): number } };
  const pool = new lib.ThreadPool({ threads: 1 });
  try {
    expect(await pool.spawn(JsTasks.mul, 6, 7)).toBe(42);
  } finally {
    await pool.close();
  }
  await expect(pool.spawn(JsTasks.mul, 6, 7)).rejects.toMatchObject({ code: 'ERR_POOL_CLOSED' });
});
