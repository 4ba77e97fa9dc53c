import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * Builds `dist/` once before the suite, as `npm run build` does: some tests run the compiled package (from a plain Node
 * process, or beside the sources to check that two copies share one manifest).
 */
export default function globalSetup(): void {
  const root = path.join(__dirname, '..');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  // What `npm run build` does next: the worker side as one file (scripts/bundle.cjs).
  execFileSync(process.execPath, [path.join(root, 'scripts', 'bundle.cjs')], { cwd: root, stdio: 'ignore' });
}
