import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runNode } from './helpers-process';

/** A program that forgets `await pool.close()`: at exit, its contexts are disposed all the same. */
describe('a pool the program never closes', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'asyncthreadpool-exit-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const script = path.join('__tests__', 'fixtures', 'unclosed-pool.cjs');
  const disposals = (file: string): string[] => readFileSync(file, 'utf8').trim().split('\n');

  test('is closed gracefully when nothing else is left to do: every context disposed once, exit code 0', async () => {
    const file = path.join(dir, 'forget.txt');
    const run = await runNode([script, file, 'forget']);
    expect(run).toMatchObject({ code: 0, stderr: '', stdout: 'main done\n' });
    expect(disposals(file)).toHaveLength(2);
  });

  test('keeps the exit code the program set', async () => {
    const file = path.join(dir, 'exit-code.txt');
    const run = await runNode([script, file, 'exit-code']);
    expect(run.code).toBe(3);
    expect(disposals(file)).toHaveLength(2);
  });

  test('a dispose() that never settles, with contextTimeout: the process still exits, with a warning', async () => {
    const file = path.join(dir, 'hang.txt');
    const run = await runNode([script, file, 'hang']);
    expect(run.code).toBe(0);
    expect(disposals(file)).toHaveLength(2);
    expect(run.stderr).toMatch(/ASYNCTHREADPOOL_CLOSE_AT_EXIT.*created at __tests__[\\/]fixtures[\\/]unclosed-pool\.cjs:\d+:\d+/);
  });

  test('one beforeExit listener while pools are open, none once they are closed or destroyed', async () => {
    const file = path.join(dir, 'many.txt');
    const run = await runNode([script, file, 'many']);
    expect(run).toMatchObject({ code: 0, stderr: '', stdout: 'listeners 0 1\nafter 0\nmain done\n' });
    expect(disposals(file)).toHaveLength(2);
  });
});
