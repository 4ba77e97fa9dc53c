import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers-process';

function declarationFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return declarationFiles(file);
    return entry.name.endsWith('.d.ts') ? [file] : [];
  });
}

/** jest's globalSetup built `dist/` with tsconfig.build.json, as `npm run build` and `npm pack` do. */
test('the published .d.ts files declare no @internal member', () => {
  const files = declarationFiles(path.join(ROOT, 'dist'));
  expect(files.map((f) => path.relative(ROOT, f))).toContain(path.join('dist', 'main', 'pool.d.ts'));
  const leaked = files.filter((f) => fs.readFileSync(f, 'utf8').includes('@internal')).map((f) => path.relative(ROOT, f));
  expect(leaked).toEqual([]);
  // The view keeps its public members.
  const pool = fs.readFileSync(path.join(ROOT, 'dist', 'main', 'pool.d.ts'), 'utf8');
  expect(pool).toMatch(/class PoolView<Ctx>[\s\S]*\btrySpawn</);
  expect(pool).not.toMatch(/\bforward\(/);
});
