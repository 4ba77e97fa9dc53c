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
 * TypeScript compiler, which costs about half a second per thread. A main thread that holds the
 * compiler already (under ts-jest or ts-node) fills the cache before its threads start
 * (`prefill`, called from `ts-prefill.ts`), so that with a cold cache too no thread loads it.
 * When this library itself runs from its sources, its own files come from its build instead, when
 * that was compiled from exactly these sources (`builtOutput`): then only task modules are
 * transpiled, which is what makes a cold cache cheap (a transpile on a compiler whose code is not
 * yet optimised costs about 10 ms per KB of source, and the library's sources are ~100 KB). What
 * that check found is remembered across processes by the files' stamps (`builtMemo`), so that a
 * warm prefill reads, parses and resolves nothing for sources unchanged since.
 *
 * Cache folder: `$ASYNCTHREADPOOL_TS_CACHE` if set (`off` disables the cache), else
 * `node_modules/.cache/asyncthreadpool` of the nearest folder above the working directory that
 * has a `node_modules`, else the OS temp folder.
 */
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

/** Node's own `require`, also where this file is loaded by another module system (jest's). */
const realRequire = Module.createRequire(path.join(__dirname, 'ts-hook.cjs'));

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
/** @type {Map<string, string | null>} folder -> nearest tsconfig.json path (or null) */
const configFor = new Map();
/** @type {Map<string, { text: string, options: import('typescript').CompilerOptions | undefined }>} */
const configs = new Map();

/** Whether this hook turned Node's source map support on (see `install`). */
let sourceMapsOn = false;

/**
 * What this thread's hook did, for tests and the bench: files transpiled by the compiler, entries
 * read from the on-disk cache, library sources checked against the build (`builtOutput`), and
 * modules taken from what the main thread handed this thread (`workerData.typescript`); on the
 * main thread, the packages `prefill` resolved to follow their imports.
 */
const counts = { transpiled: 0, cacheReads: 0, buildChecks: 0, handed: 0, packagesResolved: 0 };

/** @returns {{ transpiled: number, cacheReads: number, buildChecks: number, handed: number, packagesResolved: number }} a copy of the counts */
function stats() {
  return { ...counts };
}

/** Installs the hook in this thread's CommonJS loader. Idempotent. */
function install() {
  const g = /** @type {Record<symbol, unknown>} */ (/** @type {unknown} */ (globalThis));
  if (g[INSTALLED] === true) return;
  g[INSTALLED] = true;
  const extensions = /** @type {Record<string, (m: NodeJS.Module, filename: string) => void>} */ (
    /** @type {unknown} */ (/** @type {{ _extensions: unknown }} */ (/** @type {unknown} */ (Module))._extensions)
  );
  const handed = handedData();
  const built = new Set(handed?.built ?? []);
  const transpiled = handed?.transpiled ?? {};
  for (const ext of EXTENSIONS) {
    extensions[ext] = (module, filename) => {
      const compileAs = /** @type {{ _compile(code: string, filename: string): void }} */ (/** @type {unknown} */ (module));
      const target = built.has(filename) ? builtModule(filename) : undefined;
      if (target !== undefined) {
        // Checked on the main thread: this source is what dist/ was compiled from. One copy of the
        // module, the build's (the worker side's bundle has it loaded already), not a second.
        // Source maps stay off for it, as for a compiled install's thread: Node would read and parse
        // the bundle's whole map as it compiles it, a third of what loading the bundle costs.
        counts.handed++;
        compileAs._compile(`module.exports = require(${JSON.stringify(target)});\n`, filename);
        return;
      }
      const source = fs.readFileSync(filename, 'utf8');
      const ready = Object.hasOwn(transpiled, filename) ? transpiled[filename] : undefined;
      const handedOutput = ready !== undefined && ready.source === source ? ready.output : undefined;
      if (handedOutput !== undefined) counts.handed++;
      const js = handedOutput ?? transpile(filename, source);
      // On before the first module with a map is compiled (Node reads a module's map as it compiles
      // it), so that stack traces through TypeScript modules name their .ts lines.
      if (!sourceMapsOn) {
        sourceMapsOn = true;
        process.setSourceMapsEnabled(true);
      }
      compileAs._compile(js, filename);
    };
  }
}

/**
 * What the main thread handed this thread (`workerData.typescript`, see `ThreadTypeScript` in
 * protocol.ts), if anything.
 * @returns {{ built: string[], transpiled: Record<string, { source: string, output: string }> } | undefined}
 */
function handedData() {
  const data = /** @type {unknown} */ (require('node:worker_threads').workerData);
  if (typeof data !== 'object' || data === null) return undefined;
  const handed = /** @type {{ typescript?: unknown }} */ (data).typescript;
  if (typeof handed !== 'object' || handed === null) return undefined;
  const { built, transpiled } = /** @type {{ built?: unknown, transpiled?: unknown }} */ (handed);
  return {
    built: Array.isArray(built) ? built.filter((file) => typeof file === 'string') : [],
    transpiled: typeof transpiled === 'object' && transpiled !== null ? /** @type {Record<string, { source: string, output: string }>} */ (transpiled) : {},
  };
}

/**
 * The module of the build that stands for one of the library's own sources: `dist/x.js`, and for
 * the worker entry the file a built thread starts from (`dist/worker/bootstrap.cjs`, which loads
 * the worker side's one-file bundle). Undefined when it is not there.
 * @param {string} filename
 * @returns {string | undefined}
 */
function builtModule(filename) {
  if (OWN_SOURCES === undefined || OWN_BUILD === undefined) return undefined;
  const relative = path.relative(OWN_SOURCES, filename);
  const js = path.join(OWN_BUILD, relative === path.join('worker', 'entry.ts') ? path.join('worker', 'bootstrap.cjs') : `${relative.slice(0, -'.ts'.length)}.js`);
  return fs.existsSync(js) ? js : undefined;
}

/** The library's sources found compiled into dist/ unchanged by `prefill`, and what it transpiled or read from the cache. */
const verifiedBuilt = new Set();
/** False once `prefill` met one of the library's sources that the build was not compiled from, or stopped before it had followed every import. */
let buildTrusted = true;
/** @type {Map<string, { source: string, output: string }>} */
const prepared = new Map();
/** The most source and output text handed to each thread (it is copied to every thread). */
const HANDED_MAX_CHARS = 2 * 1024 * 1024;

/**
 * What `prefill` found, for the threads started from now on (`workerData.typescript`): they then
 * load the build for the library's sources checked here, and take these outputs while the sources
 * are unchanged, without hashing, reading the cache or loading the compiler. Undefined if nothing.
 * @returns {{ built: string[], transpiled: Record<string, { source: string, output: string }> } | undefined}
 */
function forThreads() {
  if (verifiedBuilt.size === 0 && prepared.size === 0) return undefined;
  // The build stands in for a source only when it stands in for all of them: a module of the build
  // requires its neighbours from the build (and the bundle holds the whole worker side), so one
  // source changed since the build, or one not checked, and the thread loads every source itself.
  const built = buildTrusted ? [...verifiedBuilt] : [];
  /** @type {Record<string, { source: string, output: string }>} */
  const transpiled = {};
  let chars = 0;
  for (const [file, entry] of prepared) {
    chars += entry.source.length + entry.output.length;
    if (chars > HANDED_MAX_CHARS) break;
    transpiled[file] = entry;
  }
  return { built, transpiled };
}

/**
 * The CommonJS output for one TypeScript file, from the cache when possible.
 * @param {string} filename
 * @param {string} source
 * @returns {string}
 */
function transpile(filename, source) {
  const built = builtOutput(filename, source);
  if (built !== undefined) return built;
  const cached = cacheFile(filename, source);
  return (cached === undefined ? undefined : readCached(cached)) ?? compile(cached, filename, source, loadCompiler(filename));
}

/** This library's TypeScript sources (`src/`), when this file is loaded from them, and its build. */
const OWN_SOURCES = path.basename(path.dirname(__dirname)) === 'src' ? path.dirname(__dirname) : undefined;
/** Where `npm run build` puts them (tsconfig.build.json: `rootDir` src, `outDir` dist). */
const OWN_BUILD = OWN_SOURCES === undefined ? undefined : path.join(path.dirname(OWN_SOURCES), 'dist');

/**
 * The build's output for one of this library's own sources, when the library runs from them (its
 * own tests and bench, under ts-jest or ts-node): `dist/x.js`, used only if its source map says it
 * was compiled from this very file with exactly this text (`sourcesContent`; the build inlines
 * sources). tsc compiled it with the library's tsconfig (CommonJS, ES2022, decorator metadata),
 * which is what a transpile here would produce, so a thread loads the library as a user's thread
 * does, compiled, and only the task modules get transpiled. The source map comment is rewritten to
 * the map's path from the source, so stack traces still point into `src/`. Undefined in every other case
 * (not the library's source, no build, a source changed since the build): the caller transpiles.
 * @param {string} filename
 * @param {string} source
 * @returns {string | undefined}
 */
function builtOutput(filename, source) {
  if (OWN_SOURCES === undefined || OWN_BUILD === undefined || path.extname(filename) !== '.ts') return undefined;
  const relative = path.relative(OWN_SOURCES, filename);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  counts.buildChecks++;
  const js = path.join(OWN_BUILD, `${relative.slice(0, -'.ts'.length)}.js`);
  const mapFile = `${js}.map`;
  try {
    const map = /** @type {{ sources?: unknown, sourceRoot?: unknown, sourcesContent?: unknown }} */ (JSON.parse(fs.readFileSync(mapFile, 'utf8')));
    if (!Array.isArray(map.sources) || map.sources.length !== 1 || typeof map.sources[0] !== 'string') return undefined;
    if (!Array.isArray(map.sourcesContent) || map.sourcesContent[0] !== source) return undefined;
    const root = typeof map.sourceRoot === 'string' ? map.sourceRoot : '';
    if (path.resolve(path.dirname(mapFile), root, map.sources[0]) !== filename) return undefined;
    const text = fs.readFileSync(js, 'utf8');
    const comment = `//# sourceMappingURL=${path.basename(mapFile)}`;
    const at = text.lastIndexOf(comment);
    // A file that does not end with its map's comment is not what this map describes (say, mid-build).
    if (at === -1 || text.slice(at + comment.length).trim() !== '') return undefined;
    // Node resolves a map's path (not an absolute URL) against the module's own file.
    const fromModule = path.relative(path.dirname(filename), mapFile).split(path.sep).map(encodeURIComponent).join('/');
    return `${text.slice(0, at)}//# sourceMappingURL=${fromModule}`;
  } catch {
    return undefined; // no build, or not of this file
  }
}

/**
 * Where the output for this file and source is cached: keyed by the source, the file's path, the
 * nearest tsconfig.json's text, the compiler's version and this file's format. Undefined when the
 * cache is off.
 * @param {string} filename
 * @param {string} source
 * @returns {string | undefined}
 */
function cacheFile(filename, source) {
  const dir = cachePath();
  if (dir === null) return undefined;
  const config = nearestConfig(path.dirname(filename));
  // Loaded here, not as the hook loads: a thread handed its modules by the main thread never hashes.
  const key = require('node:crypto')
    .createHash('sha256')
    .update([FORMAT, compilerVersion(filename), filename, config?.text ?? '', source].join('\0'))
    .digest('hex');
  return path.join(dir, `${key}.js`);
}

/**
 * @param {string} cached
 * @returns {string | undefined}
 */
function readCached(cached) {
  counts.cacheReads++;
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    return undefined; // not cached yet
  }
}

/**
 * Transpiles one file with `compiler` and stores the output at `cached` (if the cache is on).
 * @param {string | undefined} cached
 * @param {string} filename
 * @param {string} source
 * @param {typeof import('typescript')} compiler
 * @returns {string}
 */
function compile(cached, filename, source, compiler) {
  counts.transpiled++;
  const output = compiler.transpileModule(source, {
    fileName: filename,
    compilerOptions: forcedOptions(compiler, nearestConfig(path.dirname(filename))?.options),
  }).outputText;
  if (cached !== undefined) writeAtomically(cached, output);
  return output;
}

/**
 * Fills the cache, on the main thread, with what the threads would transpile: each file of `roots`
 * that is TypeScript, and the TypeScript files they `require()`, transitively (found in the output;
 * paths resolved as Node's CommonJS loader with this hook installed resolves them, packages as Node
 * resolves them).
 * Entries are made exactly as a thread makes them (`transpile` above: same key, same options, the
 * same compiler), so a thread that then finds them all never loads the compiler. The library's own
 * files that a thread takes from the build (`builtOutput`) are not transpiled, only followed; one
 * found so by an earlier prefill and unchanged since (`builtMemo`) is not even read.
 *
 * Only a process that already holds the compiler the threads would load (under ts-jest or
 * ts-node it is in Node's module cache) transpiles here; otherwise this stops at the first file
 * missing from the cache and the threads transpile as before. Never throws.
 * @param {readonly string[]} roots absolute paths
 * @param {number} [settledMs] how long a file must have gone unchanged to be remembered (`builtMemo`); tests shorten it
 */
function prefill(roots, settledMs = SETTLED_MS) {
  if (cachePath() === null) return;
  /** @type {string[]} */
  const queue = [];
  for (const root of roots) {
    const real = realFile(root);
    if (real !== undefined && EXTENSIONS.includes(path.extname(real))) queue.push(real);
  }
  const seen = new Set();
  const memo = builtMemo(settledMs);
  try {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      if (seen.has(file)) continue;
      seen.add(file);
      const own = isOwnSource(file);
      const known = own ? memo.recall(file) : undefined;
      if (known !== undefined) {
        // Checked against the build by an earlier prefill, and nothing it depends on changed since.
        verifiedBuilt.add(file);
        for (const dependency of known) if (!seen.has(dependency)) queue.push(dependency);
        continue;
      }
      // Taken before the files are read: a change made while they are read then shows as a change.
      const stamped = own ? memo.stamp(file) : undefined;
      const source = fs.readFileSync(file, 'utf8');
      let output = builtOutput(file, source);
      if (output !== undefined) verifiedBuilt.add(file);
      else if (own) buildTrusted = false;
      const cached = output === undefined ? cacheFile(file, source) : undefined;
      if (output === undefined && cached === undefined) {
        stopped();
        return;
      }
      output ??= readCached(/** @type {string} */ (cached));
      if (output === undefined) {
        const compiler = heldCompiler(file);
        if (compiler === undefined) {
          stopped();
          return;
        }
        output = compile(cached, file, source, compiler);
      }
      if (!verifiedBuilt.has(file)) prepared.set(file, { source, output });
      // The library's own modules import packages that are compiled (its dependencies): only their
      // relative imports can lead to TypeScript, and resolving a package costs a walk of node_modules.
      const fromBuild = verifiedBuilt.has(file);
      /** @type {string[]} */
      const followed = [];
      /** @type {string[] | undefined} the paths the build's relative `require()`s name, while each resolves */
      let requested = fromBuild ? [] : undefined;
      for (const match of output.matchAll(/\brequire\((["'])([^"'\n]+)\1\)/g)) {
        const request = match[2] ?? '';
        if (fromBuild && !isPath(request)) continue;
        const dependency = resolveRequest(file, request);
        if (dependency === undefined) requested = undefined;
        else requested?.push(path.resolve(path.dirname(file), request));
        if (dependency !== undefined && EXTENSIONS.includes(path.extname(dependency))) {
          followed.push(dependency);
          if (!seen.has(dependency)) queue.push(dependency);
        }
      }
      if (own && !(stamped !== undefined && requested !== undefined && memo.remember(file, stamped, followed, requested))) memo.forget(file);
    }
  } catch {
    // Whatever went wrong, the threads transpile what is missing themselves (and report it).
    stopped();
  }
  memo.save();
}

/**
 * How long a file or folder must have gone unchanged before its stamp (`stampOf`) may stand for
 * its content: file times are kept to a clock tick (milliseconds, up to seconds on some file
 * systems), so a file changed again within the tick it was read in could keep its stamp.
 */
const SETTLED_MS = 2000;
/** Bumped whenever what `builtMemo` keeps changes, to forget older memos. */
const MEMO_FORMAT = '1';

/**
 * A file's or folder's stamp: device, inode, size, modification and change times, which any write,
 * replacement or rename changes (of a folder: any entry added, removed or renamed); the later of
 * its two times; and whether it is a folder. Undefined if absent. The times are ms as doubles,
 * exact to well under a microsecond (far finer than the clock tick file times are kept to).
 * @param {string} file
 * @returns {{ stamp: string, changedMs: number, isFolder: boolean } | undefined}
 */
function stampOf(file) {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (stat === undefined) return undefined;
  return {
    stamp: [stat.dev, stat.ino, stat.size, stat.mtimeMs, stat.ctimeMs].join(':'),
    changedMs: Math.max(stat.mtimeMs, stat.ctimeMs),
    isFolder: stat.isDirectory(),
  };
}

/**
 * @typedef {object} Remembered one of the library's sources found compiled into dist/ unchanged
 * @property {string[]} stamps of the source, its dist/ module and that module's map, as then
 * @property {Record<string, string>} folders the stamps of the folders its relative imports resolved in, and of their parents
 * @property {string[]} followed the TypeScript files those imports led to (what `prefill` follows)
 */

/** @type {Map<string, Remembered> | undefined} the memo, once read; see `builtMemo` */
let remembered;

/**
 * What earlier prefills, in this process or an earlier one, found of the library's sources: a
 * source whose stamp, and those of its dist/ module and map, are as they were when it was found
 * compiled into dist/, and whose imports' folders are as they were (so that each import still
 * resolves to the same file), is that build still: `prefill` then reads, parses and resolves
 * nothing for it (reading its map, which holds the source, and resolving its imports is most of
 * what a warm prefill costs). Kept beside the transpile cache (`built-<hash>.json`); only files
 * that had not changed for {@link SETTLED_MS} are remembered. A source changed, replaced, or
 * touched is checked as before, and remembered again if it still matches.
 * @param {number} settledMs
 */
function builtMemo(settledMs) {
  /** @type {Map<string, string | undefined>} folder stamps, once per prefill (a folder may change between two) */
  const folders = new Map();
  let changed = false;
  const folderStamp = (/** @type {string} */ dir) => {
    if (!folders.has(dir)) folders.set(dir, stampOf(dir)?.stamp);
    return folders.get(dir);
  };
  const entries = () => (remembered ??= readMemo());
  return {
    /**
     * The TypeScript files to follow from `file` if it is remembered and unchanged; else undefined.
     * @param {string} file
     * @returns {string[] | undefined}
     */
    recall(file) {
      const entry = entries().get(file);
      if (entry === undefined) return undefined;
      const files = builtFiles(file);
      if (files === undefined || files.some((f, i) => stampOf(f)?.stamp !== entry.stamps[i])) return undefined;
      for (const [dir, stamp] of Object.entries(entry.folders)) if (folderStamp(dir) !== stamp) return undefined;
      return entry.followed;
    },
    /**
     * The stamps of `file`, its dist/ module and map, taken before they are read; undefined if one
     * is missing or changed too recently to be remembered.
     * @param {string} file
     * @returns {{ stamps: string[], at: number } | undefined}
     */
    stamp(file) {
      const at = Date.now();
      const stamps = [];
      for (const f of builtFiles(file) ?? []) {
        const stamped = stampOf(f);
        if (stamped === undefined || stamped.changedMs > at - settledMs) return undefined;
        stamps.push(stamped.stamp);
      }
      return stamps.length === 0 ? undefined : { stamps, at };
    },
    /**
     * Remembers `file` as compiled into dist/, with the TypeScript files its relative imports led
     * to (`followed`) and the folders those imports were resolved in (where each names a path of
     * `requested`: its folder, and the path itself if it is a folder, where `./x` can lead to
     * `x/index.ts`), as they are now: a file added, removed or renamed there could change where
     * an import leads. Not if one of them changed too recently.
     * @param {string} file
     * @param {{ stamps: string[], at: number }} stamped
     * @param {string[]} followed
     * @param {string[]} requested absolute
     * @returns {boolean} whether it was remembered
     */
    remember(file, stamped, followed, requested) {
      /** @type {Record<string, string>} */
      const stamps = {};
      for (const named of requested) {
        for (const dir of [path.dirname(named), named]) {
          if (Object.hasOwn(stamps, dir)) continue;
          const folder = stampOf(dir);
          if (dir === named && folder?.isFolder !== true) continue;
          // Taken after the imports were resolved: a folder changed since just before then could have changed under them.
          if (folder === undefined || folder.changedMs > stamped.at - settledMs) return false;
          stamps[dir] = folder.stamp;
        }
      }
      entries().set(file, { stamps: stamped.stamps, folders: stamps, followed });
      changed = true;
      return true;
    },
    /** @param {string} file one of the library's sources, not (or no longer) found compiled into dist/ */
    forget(file) {
      if (entries().delete(file)) changed = true;
    },
    /** Writes the memo if it changed (never throws). */
    save() {
      if (!changed || remembered === undefined) return;
      changed = false;
      const file = memoFile();
      if (file === undefined) return;
      /** @type {Record<string, Remembered>} */
      const body = {};
      for (const [source, entry] of remembered) body[source] = entry;
      writeAtomically(file, JSON.stringify({ format: MEMO_FORMAT, entries: body }));
    },
  };
}

/**
 * @param {string} file one of the library's sources
 * @returns {string[] | undefined} it, its module in dist/ and that module's map (what `builtOutput` reads)
 */
function builtFiles(file) {
  if (OWN_SOURCES === undefined || OWN_BUILD === undefined) return undefined;
  const relative = path.relative(OWN_SOURCES, file);
  const js = path.join(OWN_BUILD, `${relative.slice(0, -'.ts'.length)}.js`);
  return [file, js, `${js}.map`];
}

/** @returns {string | undefined} where `builtMemo` is kept: per copy of the library, in the cache folder */
function memoFile() {
  const dir = cachePath();
  if (dir === null || OWN_SOURCES === undefined) return undefined;
  const key = require('node:crypto').createHash('sha256').update([FORMAT, MEMO_FORMAT, OWN_SOURCES].join('\0')).digest('hex').slice(0, 32);
  return path.join(dir, `built-${key}.json`);
}

/** @returns {Map<string, Remembered>} the memo on disk, with what is not well formed left out; empty if none */
function readMemo() {
  /** @type {Map<string, Remembered>} */
  const entries = new Map();
  const file = memoFile();
  if (file === undefined) return entries;
  /** @type {unknown} */
  let body;
  try {
    body = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return entries; // none yet, or not readable: the sources are checked as before
  }
  const strings = (/** @type {unknown} */ value) => Array.isArray(value) && value.every((item) => typeof item === 'string');
  const { format, entries: listed } = /** @type {{ format?: unknown, entries?: unknown }} */ (typeof body === 'object' && body !== null ? body : {});
  if (format !== MEMO_FORMAT || typeof listed !== 'object' || listed === null) return entries;
  for (const [source, value] of Object.entries(listed)) {
    const { stamps, folders, followed } = /** @type {Partial<Record<keyof Remembered, unknown>>} */ (typeof value === 'object' && value !== null ? value : {});
    if (!strings(stamps) || !strings(followed) || typeof folders !== 'object' || folders === null || !strings(Object.values(folders))) continue;
    entries.set(source, /** @type {Remembered} */ ({ stamps, folders, followed }));
  }
  return entries;
}

/**
 * Writes `text` to `file` through a temporary file renamed over it, so that a thread or process
 * reading concurrently never sees half a file. Never throws: a read-only or full disk only costs speed.
 * @param {string} file
 * @param {string} text
 */
function writeAtomically(file, text) {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temp = `${file}.${String(process.pid)}.${String(Math.random()).slice(2)}.tmp`;
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, file);
  } catch {
    // Left as it was.
  }
}

/** `prefill` gave up before the end of its walk: what it did not reach was not checked against the build. */
function stopped() {
  buildTrusted = false;
}

/**
 * @param {string} file
 * @returns {boolean} whether `file` is one of this library's TypeScript sources (when it runs from them)
 */
function isOwnSource(file) {
  if (OWN_SOURCES === undefined || path.extname(file) !== '.ts') return false;
  const relative = path.relative(OWN_SOURCES, file);
  return !relative.startsWith('..') && !path.isAbsolute(relative);
}

/**
 * The compiler a thread would load for `filename` (see `loadCompiler`), if this process has it
 * loaded already; else undefined. Never loads it.
 * @param {string} filename
 * @returns {typeof import('typescript') | undefined}
 */
function heldCompiler(filename) {
  /** @type {string} */
  let file;
  try {
    file = resolveCompiler(filename, 'typescript');
  } catch {
    return undefined;
  }
  const cache = /** @type {Record<string, { loaded: boolean, exports: unknown } | undefined>} */ (
    /** @type {{ _cache: unknown }} */ (/** @type {unknown} */ (Module))._cache
  );
  const held = cache[file];
  if (held?.loaded !== true) return undefined;
  const compiler = /** @type {typeof import('typescript')} */ (held.exports);
  if (typeof compiler.transpileModule !== 'function' || typeof compiler.readConfigFile !== 'function') return undefined;
  // The cache key carries the version read from package.json: the output must come from that compiler.
  if (compiler.version !== compilerVersion(filename)) return undefined;
  if (ts === undefined) {
    ts = compiler;
    configs.forEach((entry) => {
      entry.options = undefined;
    });
  }
  return ts === compiler ? compiler : undefined;
}

/**
 * Where a thread's `require(request)` from `file` leads: a relative or absolute path as the thread's
 * loader resolves it (`resolveRelative`), a package (say a workspace package whose `exports` or
 * `main` names a .ts file) as Node resolves it from that file. Undefined for a builtin or what does
 * not resolve here (then the thread resolves it, and transpiles it itself if it is TypeScript).
 * @param {string} file
 * @param {string} request
 * @returns {string | undefined}
 */
function resolveRequest(file, request) {
  if (isPath(request)) return resolveRelative(path.dirname(file), request);
  if (Module.isBuiltin(request)) return undefined;
  counts.packagesResolved++;
  try {
    return realFile(Module.createRequire(file).resolve(request));
  } catch {
    return undefined;
  }
}

/**
 * @param {string} request
 * @returns {boolean} whether a `require()` names a file (relative or absolute), not a package or builtin
 */
function isPath(request) {
  return request.startsWith('./') || request.startsWith('../') || path.isAbsolute(request);
}

/** The extensions a thread's CommonJS loader tries, in its order, once this hook is installed. */
const RESOLVE_EXTENSIONS = ['.js', '.json', '.node', ...EXTENSIONS];

/**
 * A relative `require()` resolved as the thread's loader resolves it: the exact file, then each
 * extension, then the folder's index; to its real path. Undefined if not found (or a package folder).
 * @param {string} dir
 * @param {string} request
 * @returns {string | undefined}
 */
function resolveRelative(dir, request) {
  const base = path.resolve(dir, request);
  const files = request.endsWith('/') ? [] : [base, ...RESOLVE_EXTENSIONS.map((ext) => base + ext)];
  for (const candidate of files) {
    const real = realFile(candidate);
    if (real !== undefined) return real;
  }
  if (fs.existsSync(path.join(base, 'package.json'))) return undefined;
  for (const ext of RESOLVE_EXTENSIONS) {
    const real = realFile(path.join(base, `index${ext}`));
    if (real !== undefined) return real;
  }
  return undefined;
}

/**
 * @param {string} file
 * @returns {string | undefined} its real path if it is a file
 */
function realFile(file) {
  try {
    // No exception for a missing file: most candidates of a resolution are missing.
    return fs.statSync(file, { throwIfNoEntry: false })?.isFile() === true ? fs.realpathSync(file) : undefined;
  } catch {
    return undefined;
  }
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
    // Only the options are needed: a host that lists no files spares the walk of the project that
    // `include` would take (tens of ms); the "no inputs" error that makes is not read.
    /** @type {import('typescript').ParseConfigHost} */
    const host = {
      useCaseSensitiveFileNames: compiler.sys.useCaseSensitiveFileNames,
      fileExists: (p) => compiler.sys.fileExists(p),
      readFile: (p) => compiler.sys.readFile(p),
      readDirectory: () => [],
    };
    entry.options = read.error === undefined ? compiler.parseJsonConfigFileContent(read.config, host, path.dirname(found)).options : {};
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
  // Node's own resolver (under jest, `require` is jest's), so the main thread resolves as a thread does.
  return realRequire.resolve(request, { paths: [path.dirname(filename), __dirname] });
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
    if (parent === dir) return (cacheDir = path.join(require('node:os').tmpdir(), 'asyncthreadpool-ts-cache'));
    dir = parent;
  }
}

module.exports = { install, transpile, prefill, forThreads, stats };
