import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ROOT } from './helpers-process';

/**
 * The build (`npm run build`: tsc, then scripts/bundle.cjs) makes the file every thread starts
 * from, dist/worker/thread.js, hold the whole worker side and the task entry: a fresh thread
 * compiles that one library file, not a dozen, and a task module's `require('asyncthreadpool/task')`
 * gets the task entry already loaded from it, registered under its own file name.
 */
const DIST = path.join(ROOT, 'dist');

interface Report {
  compiled: string[];
  read: string[];
  builtins: string[];
  cached: string[];
  sameTaskEntry: boolean;
  taskModuleLoaded: boolean;
}

/** How the built library's main side starts a thread (src/main/thread-start.ts). */
function libraryStart(): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the build's own module, as a process using the package runs it
  return (require(path.join(DIST, 'main', 'thread-start.js')) as { threadStart(): unknown }).threadStart();
}

function report(start: unknown = libraryStart()): Promise<Report> {
  // `null`: no start data.
  // Not a library thread's role (the entry starts none), but the library's way to start one.
  const worker = new Worker(path.join(__dirname, 'fixtures', 'report-compiled-modules.cjs'), { workerData: start === null ? {} : { start } });
  return new Promise<Report>((resolve, reject) => {
    let received: Report | undefined;
    worker.once('message', (message: Report) => (received = message));
    worker.once('error', reject);
    worker.once('exit', () => {
      if (received === undefined) reject(new Error('the worker exited without a report'));
      else resolve(received);
    });
  });
}

const relative = (files: string[]): string[] => files.filter((f) => f.startsWith(DIST + path.sep)).map((f) => path.relative(DIST, f).split(path.sep).join('/'));

test('a thread compiles one library file besides its start file, and gets every worker-side module from it', async () => {
  const { compiled, read, cached, sameTaskEntry, taskModuleLoaded } = await report();
  expect(taskModuleLoaded).toBe(true);
  // Node's loader reads the start file; the bundle and its cache came from the main side.
  expect(relative(read)).toEqual(['worker/bootstrap.cjs']);
  // The bundle's runner the start file requires (src/shared/run-bundle.cjs) is copied into the
  // built start file by the build, and the main side read the bundle and its cache: no other file.
  expect(relative(compiled)).toEqual(['worker/bootstrap.cjs', 'worker/thread.js']);
  // Registered under their own names, as if loaded one by one.
  expect(relative(cached)).toEqual(
    expect.arrayContaining(['worker/thread.js', 'worker/runtime.js', 'task.js', 'shared/errors.js', 'shared/manifest.js', 'shared/decorators.js', 'shared/invoke.js']),
  );
  expect(relative(cached).filter((f) => f.startsWith('main/') || f === 'index.js')).toEqual([]);
  expect(sameTaskEntry).toBe(true);
});

test('a thread started without the main side\'s start data works it out from its files, and loads the same', async () => {
  const { compiled, read, cached, sameTaskEntry, taskModuleLoaded } = await report(null);
  expect(taskModuleLoaded).toBe(true);
  expect(relative(read)).toEqual(expect.arrayContaining(['worker/thread.js', `worker/thread.js.${process.version}-${process.arch}.cache`]));
  // The code-cache files' reader, which the main side otherwise runs for every thread.
  expect(relative(compiled)).toEqual(['worker/bootstrap.cjs', 'shared/code-cache.cjs', 'shared/run-bundle.cjs', 'worker/thread.js']);
  expect(relative(cached).filter((f) => f.startsWith('main/') || f === 'index.js')).toEqual([]);
  expect(sameTaskEntry).toBe(true);
});

test('a temporary thread given no cache does not look for one: it compiles the same two files', async () => {
  const start = libraryStart() as { found: string };
  const { compiled, taskModuleLoaded } = await report({ ...start, cachedData: undefined, found: 'absent' });
  expect(taskModuleLoaded).toBe(true);
  expect(relative(compiled)).toEqual(['worker/bootstrap.cjs', 'worker/thread.js']);
});

test('a start naming another folder (a path through a link the thread did not follow) is not taken', async () => {
  const start = libraryStart() as { file: string };
  const link = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'asyncthreadpool-link-')), 'worker');
  fs.symlinkSync(path.dirname(start.file), link, 'dir');
  try {
    // The same bundle by another name: the thread works it out from its own files instead.
    const { compiled, sameTaskEntry } = await report({ ...start, file: path.join(link, 'thread.js') });
    expect(relative(compiled)).toEqual(['worker/bootstrap.cjs', 'shared/code-cache.cjs', 'shared/run-bundle.cjs', 'worker/thread.js']);
    expect(sameTaskEntry).toBe(true);
  } finally {
    fs.rmSync(path.dirname(link), { recursive: true, force: true });
  }
});

test('starting a thread loads no Node built-in that a fresh worker has not loaded already', async () => {
  // Such as `node:url`, or the ES module resolver that resolving a package's `exports` loads.
  expect((await report()).builtins).toEqual([]);
});

test('the bundle keeps a source map naming the TypeScript sources it was built from', () => {
  const map = JSON.parse(fs.readFileSync(path.join(DIST, 'worker', 'thread.js.map'), 'utf8')) as { sources: string[]; sourcesContent: string[] };
  expect(map.sources).toEqual(expect.arrayContaining(['../../src/worker/entry.ts', '../../src/worker/runtime.ts', '../../src/shared/errors.ts', '../../src/task.ts']));
  expect(map.sourcesContent).toHaveLength(map.sources.length);
});
