import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, runNode } from './helpers-process';

/**
 * The boundary between the sides of the tree is checked by ESLint (eslint.config.mjs): a module a
 * thread loads (src/shared, src/worker, src/task.ts) that imports the main side, the package index
 * or Piscina fails the lint. Proved on temporary files placed in those folders and linted with the
 * project's own configuration, then removed.
 */
const BOUNDARY_RULES = ['no-restricted-imports', 'no-restricted-syntax'];

/** A temporary file's place (relative to the root) and text; `allowed` ones must lint clean of the rule. */
const PROBES: { file: string; text: string; allowed?: true }[] = [
  { file: 'src/shared/import-main', text: "import { ThreadPool } from '../main/pool';\nexport const pool = ThreadPool;\n" },
  { file: 'src/shared/type-from-main', text: "import type { PoolStats } from '../main/stats';\nexport type Stats = PoolStats;\n" },
  { file: 'src/worker/reexport-index', text: "export { ThreadPool } from '..';\n" },
  { file: 'src/worker/index-by-file', text: "export * from '../index.js';\n" },
  { file: 'src/shared/detour', text: "export { spawn } from '../shared/../main/spawn';\n" },
  { file: 'src/shared/bullmq', text: "export { serve } from '../bullmq';\n" },
  { file: 'src/shared/self-by-name', text: "export { ThreadPool } from 'asyncthreadpool';\n" },
  { file: 'src/worker/piscina', text: "import { Piscina } from 'piscina';\nexport const P = Piscina;\n" },
  { file: 'src/worker/dynamic-import', text: "export const later = import('../main/pool');\n" },
  { file: 'src/shared/shared-only', text: "import { fail } from './errors';\nexport const f = fail;\n", allowed: true },
  { file: 'src/worker/worker-and-shared', text: "export { runTask } from './runtime';\nexport { fail } from '../shared/errors';\n", allowed: true },
];

describe('the side boundary is linted', () => {
  const written: string[] = [];
  afterAll(() => {
    for (const file of written) fs.rmSync(file, { force: true });
  });

  test('a thread-side module that reaches the main side, the index or Piscina fails the lint; one that stays on its side does not', async () => {
    const files = PROBES.map(({ file, text }) => {
      const full = path.join(ROOT, `${file}.boundary-probe-${String(process.pid)}.ts`);
      written.push(full);
      fs.writeFileSync(full, text);
      return full;
    });
    const cjs = path.join(ROOT, 'src', 'worker', `require-main.boundary-probe-${String(process.pid)}.cjs`);
    written.push(cjs);
    fs.writeFileSync(cjs, "'use strict';\nmodule.exports = require('../main/pool');\n");
    // The task entry's own text with an import of the main side added (linted as src/task.ts, unchanged on disk).
    const taskEntry = path.join(ROOT, 'src', 'task.ts');
    const taskText = `${fs.readFileSync(taskEntry, 'utf8')}export { ThreadPool } from './main/pool';\n`;
    const run = await runNode([path.join('__tests__', 'fixtures', 'lint-files.cjs'), ...files, cjs, `${taskEntry}=${taskText}`], 120_000);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const messages = JSON.parse(run.stdout) as { file: string; ruleId: string | null; message: string }[];
    const boundary = (file: string): string[] =>
      messages.filter((m) => m.file === file && m.ruleId !== null && BOUNDARY_RULES.includes(m.ruleId)).map((m) => m.message);
    PROBES.forEach((probe, index) => {
      const found = boundary(files[index] ?? '');
      if (probe.allowed) expect({ probe: probe.file, found }).toEqual({ probe: probe.file, found: [] });
      else expect({ probe: probe.file, found: found.length }).toEqual({ probe: probe.file, found: 1 });
      if (!probe.allowed) expect(found[0]).toMatch(/must not reach the main side/);
    });
    expect(boundary(cjs)).toHaveLength(1);
    expect(boundary(taskEntry)).toHaveLength(1);
  });
});
