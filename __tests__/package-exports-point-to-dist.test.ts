import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, runNode } from './helpers-process';

describe('the package', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, Record<string, string>>;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };

  test('is named asyncthreadpool and exports the build, types first', () => {
    expect(pkg.name).toBe('asyncthreadpool');
    const root = pkg.exports['.'];
    expect(Object.keys(root ?? {})).toEqual(['types', 'default']);
    expect(root).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
  });

  test('the build holds JavaScript, declarations and the worker files', () => {
    for (const file of ['index.js', 'index.d.ts', 'main/pool.d.ts', 'worker/entry.js', 'worker/bootstrap.cjs', 'shared/ts-hook.cjs']) {
      expect(fs.existsSync(path.join(ROOT, 'dist', file))).toBe(true);
    }
  });

  test("resolves by name to the build (Node's self-reference through exports)", async () => {
    const run = await runNode(['-e', "console.log(require.resolve('asyncthreadpool'))"]);
    expect(run.stdout.trim()).toBe(path.join(ROOT, 'dist', 'index.js'));
  });

  test('depends at run time on piscina 5 and reflect-metadata only; typescript is pinned below 7', () => {
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['piscina', 'reflect-metadata']);
    expect(pkg.dependencies.piscina).toMatch(/^\^5\./);
    expect(pkg.devDependencies.typescript).toMatch(/^~?[56]\./);
  });
});
