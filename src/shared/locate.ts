// Default imports: `import * as` compiles to a copy of every export, made at each thread's start.
import fs from 'node:fs';
import path from 'node:path';
import type * as NodeUrl from 'node:url';
import { isMainThread } from 'node:worker_threads';

/**
 * `node:url`, loaded at its first use rather than as a thread starts: a fresh worker has not
 * loaded it yet, and most threads never meet a `file:` URL (a temporary thread loads no Piscina,
 * which would load it).
 */
export function nodeUrl(): typeof NodeUrl {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- on demand, see above
  return require('node:url') as typeof NodeUrl;
}

/** The library's root folder (`src/` or `dist/`): frames in it are the library's own. */
const LIBRARY_DIR = path.dirname(__dirname) + path.sep;

/**
 * The file of the nearest caller outside this library (and outside the `tslib` helpers): for a
 * decorator, the module whose evaluation is declaring the class. Read from V8's structured stack,
 * so it names the file exactly as the module loader does (a `.ts` path under ts-jest, ts-node and
 * tsx; a `.js` path from compiled code). Undefined for code with no file (REPL, `eval`).
 */
export function callerModule(): string | undefined {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- saved to be put back as it was
  const previousPrepare = Error.prepareStackTrace;
  const previousLimit = Error.stackTraceLimit;
  let sites: NodeJS.CallSite[] = [];
  try {
    Error.stackTraceLimit = 50;
    Error.prepareStackTrace = (_error, callSites) => callSites;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, callerModule);
    sites = holder.stack as NodeJS.CallSite[];
  } finally {
    Error.prepareStackTrace = previousPrepare;
    Error.stackTraceLimit = previousLimit;
  }
  for (const site of sites) {
    const file = moduleFile(site.getFileName() ?? site.getScriptNameOrSourceURL());
    if (file === undefined || file.startsWith(LIBRARY_DIR) || isHelper(file)) continue;
    return file;
  }
  return undefined;
}

/**
 * The absolute path of the file a module name (a stack frame's file, a `require.cache` key) stands
 * for: the name itself, a `file:` URL's path, or the file inside a tsx `data:` URL (below).
 * Undefined for names with no file (`node:` built-ins, REPL, `eval`).
 */
export function moduleFile(name: string | null | undefined): string | undefined {
  if (name == null || name === '' || name.startsWith('node:')) return undefined;
  if (name.startsWith('file:')) return nodeUrl().fileURLToPath(name);
  if (name.startsWith('data:')) return dataModuleFile(name);
  return path.isAbsolute(name) ? name : undefined;
}

/**
 * The file behind a `data:` module URL, if it names one. tsx on Node 20 hands Node's ES module
 * loader a CommonJS TypeScript module imported from an ES module (`import './tasks'` in a `.mts`)
 * as `data:text/javascript,<transpiled code>?filePath=<file>`, the file possibly followed by tsx's
 * own `?query`. V8 reports that URL as the module's file name, so `filePath` is the only place the
 * defining file appears. The code part is URI-encoded, so the last `?filePath=` is the marker.
 */
function dataModuleFile(url: string): string | undefined {
  const marker = url.lastIndexOf(DATA_FILE_MARKER);
  if (marker === -1) return undefined;
  let file: string;
  try {
    file = decodeURIComponent(url.slice(marker + DATA_FILE_MARKER.length));
  } catch {
    return undefined;
  }
  if (file.startsWith('file:')) file = nodeUrl().fileURLToPath(file);
  const query = file.indexOf('?');
  if (query !== -1 && !fs.existsSync(file)) file = file.slice(0, query);
  return path.isAbsolute(file) ? file : undefined;
}

const DATA_FILE_MARKER = '?filePath=';

function isHelper(file: string): boolean {
  // The pattern is compiled only for a file it may match: a thread meets its task module first.
  return file.includes('node_modules') && /[\\/]node_modules[\\/](tslib|reflect-metadata)[\\/]/.test(file);
}

/**
 * The file Node started (`node main.js`, CommonJS or ES module), whose top level is the program
 * itself: a thread that loads it runs the program again. Undefined in a worker thread, in a REPL,
 * and under a runner whose entry is its own (jest).
 */
export function entryModule(): string | undefined {
  if (entry === null) entry = findEntryModule();
  return entry;
}

let entry: string | undefined | null = null;

function findEntryModule(): string | undefined {
  if (!isMainThread) return undefined;
  const main = require.main?.filename ?? process.argv[1];
  if (main === undefined || main === '') return undefined;
  try {
    return fs.realpathSync(main);
  } catch {
    return main;
  }
}

/** Whether `file` is the program's entry module (compared by real path). */
export function isEntryModule(file: string | undefined): boolean {
  const entry = entryModule();
  if (file === undefined || entry === undefined) return false;
  if (file === entry) return true;
  // Asked at every pool-less spawn and for every cached module: one `realpath` per file, not per ask.
  let answer = entryAnswers.get(file);
  if (answer === undefined) {
    try {
      answer = fs.realpathSync(file) === entry;
    } catch {
      answer = false;
    }
    entryAnswers.set(file, answer);
  }
  return answer;
}

const entryAnswers = new Map<string, boolean>();

/**
 * Whether `file` is the entry module and runs the program from its top level unguarded, so that a
 * thread loading it would run the program again. A file whose code (comments aside) guards its
 * program in one of the usual ways may be loaded: `require.main === module`, `!module.parent`,
 * `require.main.filename === __filename`, `if (isMainThread)`, `import.meta.main`, or a comparison with
 * `import.meta.url`, `import.meta.filename` or `process.argv[1]` (all differ on a thread). A test
 * file (see {@link isTestFile}) never may, guard or not.
 */
export function isUnguardedEntryModule(file: string | undefined): boolean {
  if (!isEntryModule(file)) return false;
  // A test file needs its runner's globals: no guard makes it loadable on a thread.
  if (file !== undefined && isTestFile(file)) return true;
  if (entryGuarded === undefined) {
    let source = '';
    try {
      source = fs.readFileSync(entryModule() ?? '', 'utf8');
    } catch {
      // Unreadable: treat as unguarded.
    }
    entryGuarded = guardsItsProgram(source);
  }
  return !entryGuarded;
}

/** Whether a module's source (comments aside) guards its program in one of the usual ways (above). */
export function guardsItsProgram(source: string): boolean {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  return guardPatterns().some((guard) => guard.test(code));
}

let guards: readonly RegExp[] | undefined;

/**
 * The guards {@link guardsItsProgram} looks for, made at its first use (on the main thread, by a
 * call's check of its task module) rather than as a thread loads this module: eleven regular
 * expressions cost a fresh thread ~0.06 ms, and threads never ask.
 */
function guardPatterns(): readonly RegExp[] {
  if (guards !== undefined) return guards;
  const COMPARE = String.raw`\s*[!=]==?\s*`;
  guards = [
    new RegExp(String.raw`\brequire\.main${COMPARE}module\b`),
    new RegExp(String.raw`\bmodule${COMPARE}require\.main\b`),
    new RegExp(String.raw`\brequire\.main\??\.filename${COMPARE}__filename\b`),
    new RegExp(String.raw`\b__filename${COMPARE}require\.main\??\.filename\b`),
    /!\s*module\.parent\b/,
    /\bif\s*\(\s*(worker_threads\.)?isMainThread\s*\)/,
    /\bimport\.meta\.main\b/,
    new RegExp(String.raw`\bimport\.meta\.(url|filename)\)*${COMPARE}`),
    new RegExp(String.raw`[!=]==?\s*[\w.]*\(?\s*import\.meta\.(url|filename)\b`),
    new RegExp(String.raw`\bprocess\.argv\[1\]\)*${COMPARE}`),
    new RegExp(String.raw`[!=]==?\s*[\w.]*\(?\s*process\.argv\[1\]`),
  ];
  return guards;
}

let entryGuarded: boolean | undefined;

/**
 * Whether the entry module `file` is a test file: named `*.test.ts`, `*.spec.js` and the like, or
 * under `__tests__/` and made the entry by a runner rather than started by Node (jest's default
 * patterns; under jest, `process.argv[1]` is jest's own script). Under jest the test file is the
 * entry module, and guarding it does not help: a thread loading it would run `describe` and `test`,
 * which exist only under the test runner.
 */
export function isTestFile(file: string): boolean {
  if (/\.(test|spec)\.[cm]?[jt]sx?$/.test(file)) return true;
  return /(^|[\\/])__tests__[\\/]/.test(file) && !isStartedFile(file);
}

/** Whether `file` is the one Node was started with (`process.argv[1]`), compared by real path. */
function isStartedFile(file: string): boolean {
  const started = process.argv[1];
  if (started === undefined || started === '') return false;
  try {
    return fs.realpathSync(started) === fs.realpathSync(file);
  } catch {
    return started === file;
  }
}

/**
 * How to fix a task or context class (`what`) that lives in the entry module `file`: for a program,
 * move it or guard the program; for a test file, only moving it helps.
 */
export function entryModuleAdvice(file: string, what: string): string {
  return isTestFile(file)
    ? `move the ${what} into a module of its own (for example under __tests__/fixtures/) and import it from the test: a thread cannot load a test file, which needs the test runner (a \`require.main === module\` guard does not help there)`
    : `move the ${what} to a module of its own, or run the program only under \`if (require.main === module)\``;
}
