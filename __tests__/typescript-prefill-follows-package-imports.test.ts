import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, runNode } from './helpers-process';

/**
 * With a cold transpile cache, the main thread's prefill follows a TypeScript task module's imports
 * of packages that resolve to TypeScript (a workspace package whose `main` is a .ts file), and of
 * absolute paths, as well as relative ones: no thread loads the compiler for them.
 */
describe('the prefill of a task module that imports a TypeScript package', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncthreadpool-prefill-package-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the package is transpiled on the main thread; no thread loads the compiler', async () => {
    const project = path.join(dir, 'project');
    const cache = path.join(dir, 'cache');
    const pkg = path.join(project, 'node_modules', 'greeting-source');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'greeting-source', main: 'index.ts' }));
    fs.writeFileSync(path.join(pkg, 'index.ts'), 'export function greet(name: string): string {\n  return `hello ${name}`;\n}\n');
    // Absolute imports of the library's sources: the prefill follows those too.
    const src = JSON.stringify(path.join(ROOT, 'src'));
    const taskEntry = JSON.stringify(path.join(ROOT, 'src', 'task'));
    fs.writeFileSync(
      path.join(project, 'tasks.ts'),
      [
        `import { task } from ${taskEntry};`,
        "import { greet } from 'greeting-source';",
        'export class GreetingTasks {',
        '  @task static hello(name: string): { greeting: string; typescriptLoaded: boolean } {',
        '    const typescriptLoaded = Object.keys(require.cache).some((file) => /[\\\\/]node_modules[\\\\/]typescript[\\\\/]/.test(file));',
        '    return { greeting: greet(name), typescriptLoaded };',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(project, 'main.ts'),
      [
        `import { ThreadPool } from ${src};`,
        "import { GreetingTasks } from './tasks';",
        'async function main(): Promise<void> {',
        '  const pool = new ThreadPool({ threads: 1 });',
        '  try {',
        "    process.stdout.write(JSON.stringify(await pool.spawn(GreetingTasks).hello('thread')));",
        '  } finally {',
        '    await pool.close();',
        '  }',
        '}',
        'void main();',
        '',
      ].join('\n'),
    );
    const tsNode = require.resolve('ts-node/dist/bin.js', { paths: [ROOT] });
    const run = await runNode([tsNode, '--transpile-only', '--skipIgnore', path.join(project, 'main.ts')], 60_000, {
      ASYNCTHREADPOOL_TS_CACHE: cache,
      TS_NODE_COMPILER_OPTIONS: JSON.stringify({ module: 'commonjs', target: 'es2022', experimentalDecorators: true, emitDecoratorMetadata: true }),
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ greeting: 'hello thread', typescriptLoaded: false });
    // tasks.ts and the package's index.ts; the library's files come from its build.
    expect(fs.readdirSync(cache).filter((f) => f.endsWith('.js'))).toHaveLength(2);
  });
});
