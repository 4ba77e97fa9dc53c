// @ts-check
'use strict';
/**
 * Lets a worker thread `require()` TypeScript task modules with no build step, keeping decorator
 * metadata (`emitDecoratorMetadata`), which esbuild-based loaders such as tsx do not emit.
 *
 * Plain JavaScript on purpose: it is what makes TypeScript loadable, so it cannot itself be
 * TypeScript. It is the only such file; it is type-checked through `checkJs`.
 *
 * Each file is transpiled alone (`transpileModule`, no type-check: the caller's build does that)
 * and the output is cached on disk, keyed by the source, the nearest tsconfig.json, the compiler
 * version and this file's options. A thread that finds everything in the cache never loads the
 * TypeScript compiler, which costs about half a second per thread.
 *
 * Cache folder: `$ASYNCTHREADPOOL_TS_CACHE` if set (`off` disables the cache), else
 * `node_modules/.cache/asyncthreadpool` of the nearest folder above the working directory that
 * has a `node_modules`, else the OS temp folder.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Module = require('node:module');

/** Bumped whenever the forced options or the output format change, to invalidate old entries. */
const FORMAT = '1';
const EXTENSIONS = ['.ts', '.cts', '.tsx'];
const INSTALLED = Symbol.for('asyncthreadpool.tsHook');

/** @type {typeof import('typescript') | undefined} */
let ts;
/** @type {string | undefined} */
let tsVersion;
/** @type {string | null | undefined} */
let cacheDir;
/** @type {Map<string, string | null>} folder → nearest tsconfig.json path (or null) */
const configFor = new Map();
/** @type {Map<string, { text: string, options: import('typescript').CompilerOptions | undefined }>} */
const configs = new Map();

/** Installs the hook in this thread's CommonJS loader. Idempotent. */
function install() {
  const g = /** @type {Record<symbol, unknown>} */ (/** @type {unknown} */ (globalThis));
  if (g[INSTALLED] === true) return;
  g[INSTALLED] = true;
  process.setSourceMapsEnabled(true);
  const extensions = /** @type {Record<string, (m: NodeJS.Module, filename: string) => void>} */ (
    /** @type {unknown} */ (/** @type {{ _extensions: unknown }} */ (/** @type {unknown} */ (Module))._extensions)
  );
  for (const ext of EXTENSIONS) {
    extensions[ext] = (module, filename) => {
      const js = transpile(filename, fs.readFileSync(filename, 'utf8'));
      /** @type {{ _compile(code: string, filename: string): void }} */ (/** @type {unknown} */ (module))._compile(js, filename);
    };
  }
}

/**
 * The CommonJS output for one TypeScript file, from the cache when possible.
 * @param {string} filename
 * @param {string} source
 * @returns {string}
 */
function transpile(filename, source) {
  const config = nearestConfig(path.dirname(filename));
  const dir = cachePath();
  const key = crypto
    .createHash('sha256')
    .update([FORMAT, compilerVersion(filename), filename, config?.text ?? '', source].join('\0'))
    .digest('hex');
  const cached = dir === null ? undefined : path.join(dir, `${key}.js`);
  if (cached !== undefined) {
    try {
      return fs.readFileSync(cached, 'utf8');
    } catch {
      // not cached yet
    }
  }
  const compiler = loadCompiler(filename);
  const output = compiler.transpileModule(source, {
    fileName: filename,
    compilerOptions: forcedOptions(compiler, nearestConfig(path.dirname(filename))?.options),
  }).outputText;
  if (cached !== undefined && dir !== null) {
    try {
      fs.mkdirSync(dir, { recursive: true });
      // Write then rename, so a thread reading concurrently never sees half a file.
      const temp = `${cached}.${String(process.pid)}.${String(Math.random()).slice(2)}.tmp`;
      fs.writeFileSync(temp, output);
      fs.renameSync(temp, cached);
    } catch {
      // A read-only or full disk only costs speed.
    }
  }
  return output;
}

/**
 * The user's compiler options with what the worker needs forced on top.
 * @param {typeof import('typescript')} compiler
 * @param {import('typescript').CompilerOptions | undefined} base
 * @returns {import('typescript').CompilerOptions}
 */
function forcedOptions(compiler, base) {
  return {
    ...base,
    module: compiler.ModuleKind.CommonJS,
    moduleResolution: compiler.ModuleResolutionKind.Node10,
    target: base?.target !== undefined && base.target >= compiler.ScriptTarget.ES2020 ? base.target : compiler.ScriptTarget.ES2022,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    esModuleInterop: true,
    verbatimModuleSyntax: false,
    isolatedModules: true,
    importHelpers: false,
    noEmitHelpers: false,
    declaration: false,
    declarationMap: false,
    composite: false,
    noEmit: false,
    sourceMap: false,
    inlineSourceMap: true,
    inlineSources: false,
    outDir: undefined,
    rootDir: undefined,
  };
}

/**
 * The path of the nearest tsconfig.json at or above `dir`, or null.
 * @param {string} dir
 * @returns {string | null}
 */
function nearestConfigPath(dir) {
  let found = configFor.get(dir);
  if (found === undefined) {
    const candidate = path.join(dir, 'tsconfig.json');
    const parent = path.dirname(dir);
    found = fs.existsSync(candidate) ? candidate : parent === dir ? null : nearestConfigPath(parent);
    configFor.set(dir, found);
  }
  return found;
}

/**
 * The nearest tsconfig.json above `dir`: its text (part of the cache key) and, once the compiler is
 * loaded, its parsed options.
 * @param {string} dir
 * @returns {{ text: string, options: import('typescript').CompilerOptions | undefined } | undefined}
 */
function nearestConfig(dir) {
  const found = nearestConfigPath(dir);
  if (found === null) return undefined;
  let entry = configs.get(found);
  if (entry === undefined) {
    entry = { text: fs.readFileSync(found, 'utf8'), options: undefined };
    configs.set(found, entry);
  }
  if (entry.options === undefined && ts !== undefined) {
    const compiler = ts;
    const read = compiler.readConfigFile(found, (p) => compiler.sys.readFile(p));
    entry.options =
      read.error === undefined ? compiler.parseJsonConfigFileContent(read.config, compiler.sys, path.dirname(found)).options : {};
  }
  return entry;
}

/**
 * The TypeScript compiler: the one the task's project uses, else the one beside this library.
 * @param {string} filename
 */
function loadCompiler(filename) {
  if (ts === undefined) {
    /** @type {typeof import('typescript')} */
    let compiler;
    try {
      compiler = /** @type {typeof import('typescript')} */ (require(resolveCompiler(filename, 'typescript')));
    } catch (error) {
      throw new Error(
        `Loading the TypeScript task module ${filename} on a worker thread needs the \`typescript\` package (5.x; \`npm install --save-dev typescript@5\`), which was not found: ${/** @type {Error} */ (error).message}`,
        { cause: error },
      );
    }
    if (typeof compiler.transpileModule !== 'function' || typeof compiler.readConfigFile !== 'function') {
      throw new Error(
        `Loading the TypeScript task module ${filename} on a worker thread needs the \`typescript\` package's JavaScript API (versions 4.7 to 6.x), and the one installed (${compilerVersion(filename)}) has none: install typescript 5 (\`npm install --save-dev typescript@5\`), or compile your task modules`,
      );
    }
    ts = compiler;
    // Options parsed before the compiler was loaded were left empty: parse them now.
    configs.forEach((entry) => {
      entry.options = undefined;
    });
  }
  return ts;
}

/** @param {string} filename */
function compilerVersion(filename) {
  if (tsVersion === undefined) {
    try {
      const pkg = /** @type {{ version: string }} */ (JSON.parse(fs.readFileSync(resolveCompiler(filename, 'typescript/package.json'), 'utf8')));
      tsVersion = pkg.version;
    } catch {
      tsVersion = 'none';
    }
  }
  return tsVersion;
}

/**
 * @param {string} filename
 * @param {string} request
 */
function resolveCompiler(filename, request) {
  return require.resolve(request, { paths: [path.dirname(filename), __dirname] });
}

/** @returns {string | null} */
function cachePath() {
  if (cacheDir !== undefined) return cacheDir;
  const configured = process.env.ASYNCTHREADPOOL_TS_CACHE;
  if (configured === 'off') return (cacheDir = null);
  if (configured !== undefined && configured !== '') return (cacheDir = path.resolve(configured));
  let dir = process.cwd();
  for (;;) {
    if (fs.existsSync(path.join(dir, 'node_modules'))) return (cacheDir = path.join(dir, 'node_modules', '.cache', 'asyncthreadpool'));
    const parent = path.dirname(dir);
    if (parent === dir) return (cacheDir = path.join(os.tmpdir(), 'asyncthreadpool-ts-cache'));
    dir = parent;
  }
}

module.exports = { install, transpile };
