import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './helpers-process';

/**
 * A copy of the built package in a folder of its own (package.json, dist/, a link to the
 * repository's node_modules, and the task module fixtures/code-cache-tasks.cjs, which imports the
 * package's task entry by name): the tests of the thread bundle's V8 code cache (see
 * src/worker/bootstrap.cjs) make, damage and remove the cache next to the copy's bundle, never the
 * one of the repository's dist/, which the rest of the suite's threads use meanwhile.
 */
export interface PackageCopy {
  readonly dir: string;
  /** dist/worker/thread.js of the copy. */
  readonly bundle: string;
  /** Where a thread of this Node version looks for the bundle's cache. */
  readonly cacheFile: string;
  /** Where the main thread of this Node version looks for the cache of the main side's bundle, dist/index.bundle.js. */
  readonly mainCacheFile: string;
  remove(): void;
}

/** What CodeCacheTasks.report answers on a thread. */
export interface Report {
  state: string;
  threadId: number;
}

export function copyPackage(): PackageCopy {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncthreadpool-code-cache-'));
  // Readable by every user: one test runs its child as another user.
  fs.chmodSync(dir, 0o755);
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  // With their times: a thread uses the bundle only if it is not older than entry.js.
  fs.cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), {
    recursive: true,
    preserveTimestamps: true,
    filter: (file) => !file.endsWith('.cache') && !file.endsWith('.tmp'),
  });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  fs.mkdirSync(path.join(dir, 'fixtures'));
  for (const file of ['code-cache-tasks.cjs', 'code-cache-tasks.mjs']) fs.copyFileSync(path.join(__dirname, 'fixtures', file), path.join(dir, 'fixtures', file));
  const bundle = path.join(dir, 'dist', 'worker', 'thread.js');
  return {
    dir,
    bundle,
    cacheFile: `${bundle}.${process.version}-${process.arch}.cache`,
    mainCacheFile: path.join(dir, 'dist', `index.bundle.js.${process.version}-${process.arch}.cache`),
    remove: () => {
      fs.chmodSync(path.join(dir, 'dist', 'worker'), 0o755);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh copy of the package for each test of the calling file (see {@link copyPackage}): made
 * before each test and handed to `take`, removed after it.
 */
export function copyPackageForEachTest(take: (copy: PackageCopy) => void): void {
  let copy: PackageCopy | undefined;
  beforeEach(() => {
    copy = copyPackage();
    take(copy);
  });
  afterEach(() => {
    copy?.remove();
    copy = undefined;
  });
}

export interface RunOptions {
  env?: Record<string, string>;
  execArgv?: string[];
  /** Run the child as this user (and group): only where this process may (as root). */
  uid?: number;
}

/** How code-cache-run.cjs calls: see there. */
export type How = 'spawn' | 'pool' | 'facts' | 'esm' | 'main';

/**
 * Runs __tests__/fixtures/code-cache-run.cjs against `copy` in a fresh process (`how`: `spawn`,
 * `pool` with `threads`, `facts`, `esm` or `main`) and returns the JSON it printed; rejects with its output if
 * it failed. The limit bounds a hang only.
 */
export async function runCopy<T = Report[]>(copy: PackageCopy, how: How, options: RunOptions = {}, threads = 1): Promise<T> {
  return (await runCopyWithOutput(copy, how, options, threads)).printed as T;
}

/** {@link runCopy}, with what the child wrote to stderr. */
export function runCopyWithOutput(copy: PackageCopy, how: How, options: RunOptions = {}, threads = 1): Promise<{ printed: unknown; stderr: string }> {
  const args = [...(options.execArgv ?? []), path.join(__dirname, 'fixtures', 'code-cache-run.cjs'), copy.dir, how, String(threads)];
  const env = { ...process.env, ...options.env };
  const user = options.uid === undefined ? {} : { uid: options.uid, gid: options.uid };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: copy.dir, env, timeout: 120_000, killSignal: 'SIGKILL', ...user }, (error, stdout, stderr) => {
      if (error !== null) {
        reject(new Error(`the child failed (${String(error.code ?? error.signal)}): ${stderr}`, { cause: error }));
        return;
      }
      resolve({ printed: JSON.parse(stdout.trim().split('\n').pop() ?? '') as unknown, stderr });
    });
  });
}

/** Files the cache's atomic writes left behind in the copy's dist/worker (their temporary files). */
export function temporaryFiles(copy: PackageCopy): string[] {
  return fs.readdirSync(path.dirname(copy.bundle)).filter((file) => file.endsWith('.tmp'));
}
