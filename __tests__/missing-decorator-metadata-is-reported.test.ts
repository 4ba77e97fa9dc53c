import * as path from 'node:path';
import { runNode } from './helpers-process';

interface Report {
  warnings: { name: string; code: string; message: string }[];
  counted: number;
  poolless: { code?: string; message?: string };
}

/**
 * Compiled with `emitDecoratorMetadata` off, a context task has no `design:paramtypes`. Under ts-jest
 * or ts-node the threads' own transpile adds it, so production is where it would first show: the
 * runtime says so at declaration (a warning, once) and names the tsconfig option when it fails.
 */
test('a compiled context task without decorator metadata: one coded warning at declaration, the option named at failure', async () => {
  const run = await runNode([path.join('__tests__', 'fixtures', 'no-metadata-main.cjs')]);
  expect(run.code).toBe(0);
  const report = JSON.parse(run.stdout) as Report;

  // Two context tasks lack metadata; one warning names the option.
  expect(report.warnings.map((w) => [w.name, w.code])).toEqual([['AsyncThreadPoolWarning', 'ASYNCTHREADPOOL_NO_DECORATOR_METADATA']]);
  expect(report.warnings[0]?.message).toContain('"emitDecoratorMetadata": true');
  // No thread warned again (each loads the module too).
  expect(run.stderr.match(/ASYNCTHREADPOOL_NO_DECORATOR_METADATA/g) ?? []).toHaveLength(1);

  // A pool given its context needs no metadata (it finds the class among the loaded modules)...
  expect(report.counted).toBe(2);
  // ...a pool-less spawn does, and says which option is missing.
  expect(report.poolless.code).toBe('ERR_CONTEXT_NOT_FOUND');
  expect(report.poolless.message).toContain('"emitDecoratorMetadata": true');
});
