import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, runNode } from './helpers-process';

/**
 * A small project with "type": "module": its TypeScript is compiled to ES modules (by the test),
 * it imports the built package by name, and its task modules are themselves ES modules (an `.mjs`
 * one, and a `.js` one with a top-level await) that the worker threads import.
 */
test('an ES module project uses the built package, with ES module task modules', async () => {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncthreadpool-esm-'));
  try {
    fs.cpSync(path.join(__dirname, 'fixtures', 'esm-project'), project, { recursive: true });
    fs.mkdirSync(path.join(project, 'node_modules', '@types'), { recursive: true });
    fs.symlinkSync(ROOT, path.join(project, 'node_modules', 'asyncthreadpool'), 'dir');
    fs.symlinkSync(path.join(ROOT, 'node_modules', '@types', 'node'), path.join(project, 'node_modules', '@types', 'node'), 'dir');

    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const build = await runNode([tsc, '-p', path.join(project, 'tsconfig.json')]);
    expect(build.stdout + build.stderr).toBe('');
    expect(build.code).toBe(0);
    expect(fs.readFileSync(path.join(project, 'dist', 'tasks.mjs'), 'utf8')).toMatch(/^import /m);

    const run = await runNode([path.join(project, 'dist', 'main.mjs')]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ sum: 5, counted: { count: 2, onWorker: true }, awaited: 40, temporary: 9, closed: true });
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
  }
});
