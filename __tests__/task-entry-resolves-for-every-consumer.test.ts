import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, runNode } from './helpers-process';

/**
 * The subpath export `asyncthreadpool/task`, used by name from a project outside this repository
 * (a temporary folder whose node_modules links to it, so the build and package.json are the ones
 * published): from CommonJS, from an ES module, and from TypeScript resolving with `node16` and with
 * `bundler`.
 */
const TASK_ENTRY_NAMES = ['AsyncThreadPoolError', 'TaskProgress', 'TaskSignal', 'ThreadContext', 'move', 'registerErrorClass', 'task'];

describe('asyncthreadpool/task', () => {
  let project: string;

  beforeAll(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncthreadpool-task-entry-'));
    fs.cpSync(path.join(__dirname, 'fixtures', 'task-entry-project'), project, { recursive: true });
    fs.mkdirSync(path.join(project, 'node_modules', '@types'), { recursive: true });
    fs.symlinkSync(ROOT, path.join(project, 'node_modules', 'asyncthreadpool'), 'dir');
    fs.symlinkSync(path.join(ROOT, 'node_modules', '@types', 'node'), path.join(project, 'node_modules', '@types', 'node'), 'dir');
  });

  afterAll(() => {
    fs.rmSync(project, { recursive: true, force: true });
  });

  test('is exported by package.json with its types first, beside the index', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    const entry = pkg.exports['./task'] as Record<string, string>;
    expect(Object.keys(entry)).toEqual(['types', 'default']);
    expect(entry).toEqual({ types: './dist/task.d.ts', default: './dist/task.js' });
    expect(Object.keys(pkg.exports['.'] as object)).toEqual(['types', 'default']);
  });

  test('loads from CommonJS: exactly the task-side names, the same values as the index', async () => {
    const run = await runNode([path.join(project, 'consumer.cjs')]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ names: TASK_ENTRY_NAMES, sameInIndex: true });
  });

  test('loads from an ES module, with named imports', async () => {
    const run = await runNode([path.join(project, 'consumer.mjs')]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ names: TASK_ENTRY_NAMES, allFunctions: true, sameInIndex: true });
  });

  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  test.each(['node16', 'bundler'])('type-checks from TypeScript with moduleResolution %s, and holds no pool', async (resolution) => {
    const check = await runNode([tsc, '-p', path.join(project, `tsconfig.${resolution}.json`)], 60_000);
    expect(check.stdout + check.stderr).toBe('');
    expect(check.code).toBe(0);
  });
});
