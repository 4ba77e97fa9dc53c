import { execFile } from 'node:child_process';
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '..');

/**
 * Runs a Node process to completion and returns its exit code and output. A process that does not
 * exit on its own within `limitMs` is killed and reported as `code: null`: a bound on failure, not
 * a synchronisation. `env` is added to this process's environment.
 */
export function runNode(
  args: string[],
  limitMs = 120_000,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const options = { cwd: ROOT, timeout: limitMs, killSignal: 'SIGKILL' as const, env: { ...process.env, ...env } };
    execFile(process.execPath, args, options, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}
