import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers-process';

/** The files `npm pack` would put in the tarball (paths relative to the package root). */
function packedFiles(): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, timeout: 60_000 }, (error, stdout) => {
      if (error !== null) {
        reject(new Error(`npm pack failed: ${error.message}`, { cause: error }));
        return;
      }
      const [report] = JSON.parse(stdout) as [{ files: { path: string }[] }];
      resolve(report.files.map((f) => f.path));
    });
  });
}

/**
 * A stack trace through the installed package is source-mapped to `node_modules/asyncthreadpool/…`
 * paths that the maps name: every one of them must be a file the package ships, or the trace (and a
 * debugger) points at nothing.
 */
test('every source of every shipped source map is a shipped file', async () => {
  const files = await packedFiles();
  const shipped = new Set(files);
  const maps = files.filter((f) => f.endsWith('.map'));
  expect(maps).toContain('dist/shared/errors.js.map');
  const missing: string[] = [];
  for (const map of maps) {
    const { sources, sourceRoot = '' } = JSON.parse(fs.readFileSync(path.join(ROOT, map), 'utf8')) as { sources: string[]; sourceRoot?: string };
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      const file = path.posix.normalize(path.posix.join(path.posix.dirname(map), sourceRoot, source));
      if (!shipped.has(file)) missing.push(`${map} -> ${file}`);
    }
  }
  expect(missing).toEqual([]);
});
