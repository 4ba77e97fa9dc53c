import * as path from 'node:path';
import { spawn, ThreadPool } from '../src';
import { LoadedModuleTasks } from './fixtures/loaded-modules';
import { ROOT, runNode } from './helpers-process';

/**
 * A thread whose task module imports the task entry (`asyncthreadpool/task`) loads the worker side
 * and the task side of the library only: none of the pool's main-thread modules, and no Piscina
 * beyond the worker file Piscina starts its threads from. Read from the thread's own `require.cache`.
 */
/**
 * The main-side modules of the library among `loaded`: everything under `main/` of the library
 * folder (`src/` or `dist/`), and the package index, which re-exports it.
 */
function mainSideModules(loaded: string[], libraryDir: string): string[] {
  const mainDir = path.join(libraryDir, 'main') + path.sep;
  return loaded
    .filter((file) => file.startsWith(mainDir) || /^index\.(ts|js)$/.test(path.relative(libraryDir, file)))
    .map((file) => path.relative(libraryDir, file));
}

/** Piscina's modules among `loaded`, relative to its package folder. */
function piscinaModules(loaded: string[]): string[] {
  return loaded.flatMap((file) => /[\\/]node_modules[\\/]piscina[\\/](.*)$/.exec(file)?.[1]?.replace(/\\/g, '/') ?? []);
}

/** What Piscina's thread start-up itself loads: its worker file and what that imports. */
const PISCINA_WORKER_SIDE = ['dist/common.js', 'dist/symbols.js', 'dist/worker.js'];

describe('a thread running a task module that imports asyncthreadpool/task', () => {
  const sources = path.join(ROOT, 'src');

  test('from the sources: a pool thread loads no main-side module and only Piscina’s worker file', async () => {
    const pool = new ThreadPool({ threads: 1 });
    try {
      const loaded = await pool.spawn(LoadedModuleTasks).loaded();
      expect(loaded).toContain(path.join(sources, 'task.ts'));
      expect(mainSideModules(loaded, sources)).toEqual([]);
      expect(piscinaModules(loaded).sort()).toEqual(PISCINA_WORKER_SIDE);
    } finally {
      await pool.close();
    }
  });

  test('from the sources: a pool-less spawn’s thread loads no main-side module and no Piscina', async () => {
    const loaded = await spawn(LoadedModuleTasks).loaded();
    expect(loaded).toContain(path.join(sources, 'task.ts'));
    expect(mainSideModules(loaded, sources)).toEqual([]);
    expect(piscinaModules(loaded)).toEqual([]);
  });

  test('from the build, in plain Node: the same, for a pool thread and a temporary thread', async () => {
    const run = await runNode([path.join('__tests__', 'fixtures', 'report-thread-modules.cjs')]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { pooled, temporary } = JSON.parse(run.stdout) as { pooled: string[]; temporary: string[] };
    const dist = path.join(ROOT, 'dist');
    for (const loaded of [pooled, temporary]) {
      expect(loaded).toContain(path.join(dist, 'task.js'));
      expect(mainSideModules(loaded, dist)).toEqual([]);
    }
    expect(piscinaModules(pooled).sort()).toEqual(PISCINA_WORKER_SIDE);
    expect(piscinaModules(temporary)).toEqual([]);
  });
});
