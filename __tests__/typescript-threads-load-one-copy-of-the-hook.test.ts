import { spawn, ThreadPool } from '../src';
import { LoadedModuleTasks } from './fixtures/loaded-modules';

/**
 * Running from its sources (here, under ts-jest), the library's thread installs the TypeScript hook
 * from src/ and then runs the worker side from the build (dist/, see the hand-over in ts-hook.cjs):
 * loading a TypeScript task module there uses the hook already installed, and never loads the
 * build's copy of the hook beside it (a second ~25 KB file to read and compile on every thread).
 */
const hooks = (loaded: string[]): string[] => loaded.filter((file) => /[\\/]ts-hook\.cjs$/.test(file));

test('a pool-less spawn’s thread loads one copy of the TypeScript hook', async () => {
  expect(hooks(await spawn(LoadedModuleTasks).loaded())).toHaveLength(1);
});

test('a pool thread loads one copy of the TypeScript hook', async () => {
  const pool = new ThreadPool({ threads: 1 });
  try {
    expect(hooks(await pool.spawn(LoadedModuleTasks).loaded())).toHaveLength(1);
  } finally {
    await pool.close();
  }
});
