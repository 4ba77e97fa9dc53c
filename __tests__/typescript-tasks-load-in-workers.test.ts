import * as fs from 'node:fs';
import * as os from 'node:os';
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

describe('TypeScript task modules where the `typescript` package cannot transpile', () => {
  test('a TypeScript 7 (no JavaScript API) in the task project: ERR_MODULE_LOAD_FAILED saying to install typescript 5', async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncthreadpool-ts7-'));
    try {
      const fake = path.join(project, 'node_modules', 'typescript');
      fs.mkdirSync(fake, { recursive: true });
      fs.writeFileSync(path.join(fake, 'package.json'), JSON.stringify({ name: 'typescript', version: '7.0.2', main: 'index.js' }));
      fs.writeFileSync(path.join(fake, 'index.js'), "module.exports = { version: '7.0.2' };\n");
      const dist = JSON.stringify(path.join(ROOT, 'dist'));
      fs.writeFileSync(
        path.join(project, 'tasks.ts'),
        `const { task } = require(${dist});\n` +
          'export class Ts7Tasks {\n  static one(): number {\n    return 1;\n  }\n}\n' +
          "task(Ts7Tasks, 'one', Object.getOwnPropertyDescriptor(Ts7Tasks, 'one'));\n",
      );
      fs.writeFileSync(
        path.join(project, 'main.ts'),
        `const { ThreadPool } = require(${dist});\nconst { Ts7Tasks } = require('./tasks');\n` +
          'const pool = new ThreadPool({ threads: 1 });\n' +
          'pool.spawn(Ts7Tasks).one().then((value: unknown) => ({ value }), (e: { code: string; message: string }) => ({ code: e.code, message: e.message }))\n' +
          '  .then(async (outcome: unknown) => { await pool.close(); console.log(JSON.stringify(outcome)); });\n',
      );
      // The main process runs under ts-node with this project's compiler; the thread's hook finds the task project's.
      const run = await runNode(['-r', 'ts-node/register/transpile-only', path.join(project, 'main.ts')]);
      expect(run.stderr).toBe('');
      const outcome = JSON.parse(run.stdout) as { code: string; message: string };
      expect(outcome.code).toBe('ERR_MODULE_LOAD_FAILED');
      expect(outcome.message).toContain('7.0.2');
      expect(outcome.message).toContain('npm install --save-dev typescript@5');
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
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
