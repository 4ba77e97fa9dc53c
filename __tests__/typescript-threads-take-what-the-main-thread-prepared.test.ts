import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ROOT, runNode } from './helpers-process';
import type { HandoverReport } from './fixtures/handover-tasks';

/**
 * When the library runs from its TypeScript sources under a main process that holds the compiler
 * (ts-node, ts-jest), the main thread's prefill checks the library's sources against the build and
 * transpiles (or reads from the cache) the task modules, and hands the result to each thread it
 * starts (`workerData.typescript`): a thread then loads the build's worker bundle for the library,
 * takes the task modules' output as handed while their text is unchanged, and neither checks the
 * build, reads the cache, hashes nor loads the compiler, warm cache or cold. The build is handed
 * only when every library source matches it; a task module changed since is transpiled again.
 */
const HOOK = path.join(ROOT, 'src', 'shared', 'ts-hook.cjs');

describe('threads started by a main thread that prepared their TypeScript', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncthreadpool-handover-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('under ts-node, cold cache then warm: each thread loads the bundle and checks, reads and transpiles nothing', async () => {
    const tsNode = require.resolve('ts-node/dist/bin.js', { paths: [ROOT] });
    const expected: HandoverReport = {
      // The task module and its context's module, as handed; the library's two entries a thread
      // meets as sources (the worker entry, the task entry) stand for the build's modules.
      hook: { transpiled: 0, cacheReads: 0, buildChecks: 0, handed: 4, packagesResolved: 0 },
      bundleLoaded: true,
      librarySources: ['src/task.ts', 'src/worker/entry.ts'],
      typescriptLoaded: false,
      // The bundle is loaded with Node's source maps off, as on a compiled install's thread; the
      // task module's map is read, so its frames name its .ts lines.
      bundleMapParsed: false,
      ownMapParsed: true,
      paramTypes: ['Ledger', 'String'],
    };
    for (const round of ['cold', 'warm']) {
      const run = await runNode([tsNode, '--transpile-only', path.join('__tests__', 'fixtures', 'handover-run-main.ts')], 60_000, {
        ASYNCTHREADPOOL_TS_CACHE: dir,
      });
      expect({ round, stderr: run.stderr, code: run.code }).toEqual({ round, stderr: '', code: 0 });
      expect(JSON.parse(run.stdout)).toEqual({ pooled: [expected, expected], temporary: expected });
    }
  });

  test('a handed transpile is used only while the file still has the text it was made from', async () => {
    const file = path.join(dir, 'probe.ts');
    fs.writeFileSync(file, 'export const from: string = "the file";\n');
    const handed = (source: string): object => ({ typescript: { built: [], transpiled: { [file]: { source, output: 'exports.from = "handed";\n' } } } });
    const load = async (workerData: object): Promise<unknown> => {
      const code = `require(${JSON.stringify(HOOK)}).install(); require('node:worker_threads').parentPort.postMessage(require(${JSON.stringify(file)}).from);`;
      const worker = new Worker(code, { eval: true, workerData, env: { ...process.env, ASYNCTHREADPOOL_TS_CACHE: 'off' } });
      try {
        return await new Promise((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        });
      } finally {
        await worker.terminate();
      }
    };
    expect(await load(handed(fs.readFileSync(file, 'utf8')))).toBe('handed');
    // The file changed since the main thread transpiled it: the thread transpiles the file as it is.
    expect(await load(handed('export const from: string = "an older text";\n'))).toBe('the file');
  }, 60_000);
});
