import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { copyPackage, type PackageCopy, runCopy, temporaryFiles } from './helpers-code-cache';

/**
 * A thread's V8 code cache is of one Node version and machine, and is made where the package is
 * installed: `npm pack` must not ship the one a build's threads saved in dist/, nor a temporary file.
 */
let copy: PackageCopy;
beforeAll(() => {
  copy = copyPackage();
});
afterAll(() => {
  copy.remove();
});

function packedFiles(dir: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, timeout: 60_000 }, (error, stdout) => {
      if (error !== null) {
        reject(new Error(`npm pack failed: ${error.message}`, { cause: error }));
        return;
      }
      const [report] = JSON.parse(stdout) as [{ files: { path: string }[] }];
      resolve(report.files.map((f) => f.path));
    });
  });
}

test('npm pack leaves out the code cache and its temporary files', async () => {
  await runCopy(copy, 'spawn');
  expect(fs.existsSync(copy.cacheFile)).toBe(true);
  // As a thread killed between its write and its rename would leave it.
  fs.writeFileSync(`${copy.cacheFile}.1-1-x.tmp`, '');
  expect(temporaryFiles(copy)).toHaveLength(1);
  const files = await packedFiles(copy.dir);
  expect(files).toContain('dist/worker/thread.js');
  expect(files.filter((file) => file.endsWith('.cache') || file.endsWith('.tmp'))).toEqual([]);
});
