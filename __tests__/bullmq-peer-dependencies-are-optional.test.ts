import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, runNode } from './helpers-process';

const HIDE = path.join(__dirname, 'fixtures', 'hide-bullmq.cjs');
const LOADED = "Object.keys(require.cache).filter((f) => /node_modules[\\\\/](bullmq|ioredis)[\\\\/]/.test(f)).length";

describe('bullmq and ioredis are optional peer dependencies', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, unknown>;
    peerDependencies: Record<string, string>;
    peerDependenciesMeta: Record<string, { optional?: boolean }>;
    dependencies: Record<string, string>;
  };

  test('declared as optional peers, exported as the asyncthreadpool/bullmq subpath (types first)', () => {
    expect(pkg.peerDependencies.bullmq).toMatch(/^\^6\./);
    expect(pkg.peerDependencies.ioredis).toBeDefined();
    expect(pkg.peerDependenciesMeta.bullmq?.optional).toBe(true);
    expect(pkg.peerDependenciesMeta.ioredis?.optional).toBe(true);
    expect(pkg.dependencies.bullmq).toBeUndefined();
    expect(pkg.exports['./bullmq']).toEqual({ types: './dist/bullmq/index.d.ts', default: './dist/bullmq/index.js' });
  });

  test('importing asyncthreadpool loads neither', async () => {
    const run = await runNode(['-e', `require('asyncthreadpool'); console.log(${LOADED})`]);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('0');
  });

  test('asyncthreadpool/bullmq resolves to the build and loads them', async () => {
    const run = await runNode(['-e', `const m = require('asyncthreadpool/bullmq'); console.log(require.resolve('asyncthreadpool/bullmq'), typeof m.serve, typeof m.RemotePool, ${LOADED} > 0)`]);
    expect(run.stdout.trim()).toBe(`${path.join(ROOT, 'dist', 'bullmq', 'index.js')} function function true`);
  });

  test('importing asyncthreadpool/bullmq without them fails with ERR_MISSING_DEPENDENCY, saying what to install', async () => {
    const run = await runNode(['-r', HIDE, '-e', "try { require('asyncthreadpool/bullmq') } catch (e) { console.log(e.code + ': ' + e.message) }"]);
    expect(run.stdout.trim()).toBe(
      'ERR_MISSING_DEPENDENCY: asyncthreadpool/bullmq needs the packages bullmq and ioredis, which are not installed: run `npm install bullmq@6 ioredis`',
    );
    // The main entry is unaffected.
    const main = await runNode(['-r', HIDE, '-e', "console.log(typeof require('asyncthreadpool').ThreadPool)"]);
    expect(main.stdout.trim()).toBe('function');
  });
});
