// @ts-check
'use strict';
/**
 * `node scripts/bundle.cjs` (the second half of `npm run build`, after `tsc`): writes
 * `dist/worker/thread.js`, the module every thread of the library starts from (through
 * `bootstrap.cjs`), as one file that runs `dist/worker/entry.js` and holds the compiled CommonJS of the worker side and of the task entry (`dist/task.js`) and every
 * library module they `require()` by relative path. A fresh thread then reads and compiles one file
 * instead of resolving, reading and compiling a dozen (about half a millisecond each in a new worker).
 *
 * Each module keeps its own code, unchanged, in a function of its own, and is registered in
 * `require.cache` under its own file's name (`dist/shared/errors.js`…) as it is first required,
 * with the `__filename`, `__dirname` and `require` it has as a separate file. So a later
 * `require('asyncthreadpool/task')` from a task module gets the module the bundle already loaded,
 * one copy per thread; and a module already loaded from its own file is used from there, never
 * loaded twice. What is not a library module (`node:` built-ins, packages, `.cjs` files such as
 * the TypeScript hook) is required as the module itself would require it.
 *
 * The bundle's source map is the modules' own maps, shifted to their lines in the bundle: stack
 * traces under `--enable-source-maps` (and debuggers) name the TypeScript sources as before;
 * without it they name `dist/worker/thread.js`. The separate files stay in `dist/` as tsc wrote them
 * (the main thread loads them; `tsc` alone still makes a working build, whose threads load
 * `entry.js`; and the TypeScript hook's reuse of a build for the library's own sources checks
 * each file's one-source map); their `.d.ts` are untouched.
 *
 * A bundle's second line holds a hash of its content, which keys the V8 code cache kept next to it
 * (see src/shared/code-cache.cjs): a new build never uses the cache of an earlier one.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const DIST = path.join(__dirname, '..', 'dist');

/**
 * The bundles: `out` is written; `preload` are loaded before `entry` runs (a thread's role starts
 * as the entry runs, and may load a task module at once, which then finds the task entry loaded).
 * The entry runs as the bundle file's own module (its exports are the bundle's).
 *
 * With `into`, the bundle is a preload of that file, which stays as tsc wrote it but for a first
 * statement that requires the bundle: the package index (`dist/index.js`) loads
 * `dist/index.bundle.js`, which runs the index's own code, so that every module it needs comes
 * from the bundle and is in `require.cache` under its own file's name (where a module loaded later,
 * such as a task module's `require('asyncthreadpool/task')`, finds it), and the index takes the
 * bundle's exports. The index keeps its code as tsc wrote it, which Node's ES module loader reads
 * for named imports (`cjs-module-lexer`): a bundled index would hide them. Where `require.cache`
 * cannot be written (jest's module registry keeps its own: writing there does nothing), such a
 * bundle runs nothing and exports nothing, and the index loads its modules from their files as an
 * unbundled build does.
 */
const BUNDLES = [
  { out: 'worker/thread.js', entry: 'worker/entry.js', preload: ['task.js'] },
  { out: 'index.bundle.js', entry: 'index.js', preload: ['task.js'], into: 'index.js' },
];

/**
 * The plain JavaScript files the build copies into the files that load a bundle, each at the end of
 * the file as a function that returns the copy's exports (its `module.exports = { … };`, once), so
 * that the file compiles it as part of itself, not as one more file through Node's loader (a
 * quarter of a millisecond each in a fresh thread, whose pool-less spawn takes ~19 ms: `node
 * bench/ab-spawn.cjs`): the code-cache loader into the package index, the bundle runner into it (for
 * the loader's copy) and into the file a thread starts from, in place of their `require()`s.
 */
const COPIES = {
  'shared/code-cache.cjs': 'asyncthreadpoolCodeCacheLoader',
  'shared/run-bundle.cjs': 'asyncthreadpoolRunBundle',
};
const THREAD_START = 'worker/bootstrap.cjs';
const copyMark = (/** @type {string} */ key) => `\n/** A copy of dist/${key}, put here by scripts/bundle.cjs. */\n`;
/** The one `module.exports = { … };` of a file to copy. */
const EXPORTS = /^module\.exports = (\{[^}\n]*\});$/m;

/**
 * The first statement a bundle's `into` file gets, after tsc's `"use strict";`, on the same line (no
 * line moves): it loads the bundle through the code-cache loader (src/shared/code-cache.cjs), with
 * its V8 code cache; the build puts a copy of the loader at the end of that file (see `withCopies`).
 * Where the bundle ran the file's code (it exports what the file would), the file takes the bundle's
 * exports and returns: its own `require()`s would only find in `require.cache` what the bundle put
 * there, each after a resolution through the file system. Its text still holds its exports, which
 * is where Node's ES module loader reads a CommonJS module's named exports from.
 */
const preludeOf = (/** @type {string} */ out, /** @type {string} */ into) =>
  ` const asyncthreadpoolBundled = ${COPIES['shared/code-cache.cjs']}().preloadBundle(require("node:path").join(__dirname, ${JSON.stringify(path.posix.relative(path.posix.dirname(into), out))}), module, require); if (asyncthreadpoolBundled !== undefined) return void (module.exports = asyncthreadpoolBundled);`;

/**
 * `text` (a file of dist/, at `key`) with each of its `require()`s of a file of {@link COPIES}
 * replaced by a call of that file's copy, and the copies (and theirs) at its end. No line of `text`
 * moves. A copy assigns no `module.exports` (`return` instead): Node's ES module loader reads the
 * index's named exports from its text. Unchanged where the copies are there already.
 * @param {string} key
 * @param {string} text
 * @param {string[]} wanted the files of {@link COPIES} to copy in: those `text` requires, or whose copies it calls
 * @returns {string}
 */
function withCopies(key, text, wanted) {
  if (Object.keys(COPIES).some((copied) => text.includes(copyMark(copied)))) return text;
  /** @type {Map<string, string>} each copy, by the file it copies, in the order they are needed */
  const copies = new Map();
  /** @param {string} copied */
  const copy = (copied) => {
    if (copies.has(copied)) return;
    copies.set(copied, '');
    const source = withoutComments(fs.readFileSync(path.join(DIST, copied), 'utf8').replace(MAP_COMMENT, '\n'));
    if (source.split(EXPORTS).length !== 3) throw new Error(`dist/${copied} must export once, as module.exports = { … };`);
    copies.set(copied, `${copyMark(copied)}function ${COPIES[/** @type {keyof typeof COPIES} */ (copied)]}() {\n${inline(copied, source).replace(EXPORTS, 'return $1;')}}\n`);
  };
  /** @param {string} from @param {string} code @param {string[]} [only] */
  const inline = (from, code, only) => {
    for (const [copied, fn] of Object.entries(COPIES)) {
      if (only !== undefined && !only.includes(copied)) continue;
      const specifier = path.posix.relative(path.posix.dirname(from), copied);
      const call = `require('${specifier.startsWith('.') ? specifier : `./${specifier}`}')`;
      if (!code.includes(call)) continue;
      if (code.split(call).length !== 2) throw new Error(`dist/${from} must require dist/${copied} once, as ${call}`);
      code = code.replace(call, `${fn}()`);
      copy(copied);
    }
    return code;
  };
  const inlined = inline(key, text, wanted);
  for (const copied of wanted) copy(copied);
  const tail = [...copies.values()].join('');
  const map = MAP_COMMENT.exec(inlined);
  return map === null ? `${inlined}${tail}` : `${inlined.slice(0, map.index)}\n${tail}${map[0].trimStart()}`;
}

/**
 * `code` (plain JavaScript) without its comments, as TypeScript prints it: what a copy of
 * {@link COPIES} needs, since every thread compiles its start file from source, and scanning the
 * documentation costs it as much as a copy's code does (a copy's lines are no one's to read).
 * @param {string} code
 * @returns {string}
 */
function withoutComments(code) {
  /** @type {typeof import('typescript')} */
  const ts = require('typescript');
  return ts.transpileModule(code, { compilerOptions: { removeComments: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None, allowJs: true }, fileName: 'copy.js' }).outputText;
}

/** A relative `require("./x")` or `require('../x')` in compiled code. */
const RELATIVE_REQUIRE = /\brequire\((["'])(\.{1,2}\/[^"']*)\1\)/g;

/** What tsc appends to each file; the bundle has one of its own. */
const MAP_COMMENT = /\n\/\/# sourceMappingURL=[^\n]*\s*$/;

/**
 * The library module a relative specifier names, as a `dist`-relative key (`shared/errors.js`), or
 * undefined for what stays outside the bundle (a `.cjs` file, anything not compiled by tsc).
 * @param {string} fromKey
 * @param {string} specifier
 * @returns {string | undefined}
 */
function resolveKey(fromKey, specifier) {
  const base = path.join(DIST, path.dirname(fromKey), specifier);
  for (const file of [base, `${base}.js`, path.join(base, 'index.js')]) {
    if (file.endsWith('.js') && fs.existsSync(file) && fs.statSync(file).isFile()) {
      const key = path.relative(DIST, file).split(path.sep).join('/');
      return key.startsWith('..') ? undefined : key;
    }
  }
  return undefined;
}

/**
 * @typedef {object} Unit
 * @property {string} key dist-relative path, `/`-separated
 * @property {string} code the compiled code without its source map comment
 * @property {Record<string, string>} deps specifier → key, for the relative requires that are bundled
 */

/**
 * The modules reachable from `roots` by relative requires, each once, roots first; without
 * `prelude` (the statement an earlier build put into the index that loads this bundle).
 * @param {string[]} roots
 * @param {string | undefined} prelude
 * @returns {Unit[]}
 */
function collect(roots, prelude) {
  /** @type {Map<string, Unit>} */
  const units = new Map();
  const queue = [...roots];
  for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
    if (units.has(key)) continue;
    let code = fs.readFileSync(path.join(DIST, key), 'utf8').replace(MAP_COMMENT, '\n');
    if (prelude !== undefined) {
      code = code.replace(prelude, '');
      const copy = code.indexOf(copyMark('shared/code-cache.cjs'));
      if (copy !== -1) code = `${code.slice(0, copy)}\n`;
    }
    /** @type {Record<string, string>} */
    const deps = {};
    for (const [, , specifier] of code.matchAll(RELATIVE_REQUIRE)) {
      if (specifier === undefined) continue;
      const dep = resolveKey(key, specifier);
      if (dep === undefined) continue;
      deps[specifier] = dep;
      queue.push(dep);
    }
    units.set(key, { key, code, deps });
  }
  return [...units.values()];
}

// ---- One-byte source: what is not ASCII, escaped. ----

/**
 * `code` with every character outside ASCII written as a `\\uXXXX` escape, and where each escape
 * moved the code after it: `[line, column, added]` (0-based, in UTF-16 units of the original).
 * V8 keeps a source that holds any character beyond Latin-1 as a two-byte string: read, copied into
 * the wrapper and kept twice the size, in every thread. Such characters are in comments only so far
 * (an ellipsis, a micro sign); in a string literal the escape is the same string. Anywhere else (a
 * template, a regular expression, a name) the build fails and says where: write the escape there.
 * @param {string} key
 * @param {string} code
 * @returns {{ code: string, moved: [number, number, number][] }}
 */
function asciiOnly(key, code) {
  if (!/[^\0-\x7f]/.test(code)) return { code, moved: [] };
  /** @type {typeof import('typescript')} */
  const ts = require('typescript');
  const file = ts.createSourceFile(key, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  /** @type {[number, number][]} where an escape means what the character does: comments and string literals */
  const escapable = [];
  /** @param {import('typescript').Node} node */
  const visit = (node) => {
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode) return;
    const children = node.getChildren(file);
    if (children.length === 0 || node.kind === ts.SyntaxKind.StringLiteral) {
      // Every comment is in the trivia before some token (the last ones, before the end of the file):
      // on the line of the token before it (trailing that one), or on lines of its own.
      for (const comment of [...(ts.getTrailingCommentRanges(code, node.pos) ?? []), ...(ts.getLeadingCommentRanges(code, node.pos) ?? [])]) {
        escapable.push([comment.pos, comment.end]);
      }
      if (node.kind === ts.SyntaxKind.StringLiteral) escapable.push([node.getStart(file), node.end]);
      return;
    }
    for (const child of children) visit(child);
  };
  visit(file);
  /** @type {[number, number, number][]} */
  const moved = [];
  let out = '';
  let line = 0;
  let lineStart = 0;
  for (let at = 0; at < code.length; at++) {
    const unit = code.charCodeAt(at);
    if (unit === 10) {
      line++;
      lineStart = at + 1;
    }
    if (unit < 0x80) {
      out += code.charAt(at);
      continue;
    }
    const escaped = escapable.some(([from, to]) => at >= from && at < to) && code[at - 1] !== '\\';
    if (!escaped) {
      throw new Error(`dist/${key}:${String(line + 1)}:${String(at - lineStart + 1)}: a character beyond ASCII outside comments and string literals, where an escape could change the code: write it as an escape in the source`);
    }
    out += `\\u${unit.toString(16).padStart(4, '0')}`;
    moved.push([line, at - lineStart, 5]);
  }
  return { code: out, moved };
}

/**
 * Moves the generated columns of decoded segments (see {@link decodeMappings}) right past the
 * escapes {@link asciiOnly} wrote before them on their line; in place.
 * @param {number[][][]} lines
 * @param {[number, number, number][]} moved
 */
function shiftColumns(lines, moved) {
  for (const line of new Set(moved.map(([at]) => at))) {
    const escapes = moved.filter(([at]) => at === line);
    for (const segment of lines[line] ?? []) {
      const column = segment[0] ?? 0;
      segment[0] = column + escapes.reduce((sum, [, at, added]) => (at < column ? sum + added : sum), 0);
    }
  }
}

// ---- Source maps: base64 VLQ, decoded to absolute segments and encoded again. ----

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * @param {string} mappings
 * @returns {number[][][]} per generated line, its segments [column, source, line, column, name?] (absolute)
 */
function decodeMappings(mappings) {
  /** @type {number[][][]} */
  const lines = [];
  const state = [0, 0, 0, 0, 0];
  for (const line of mappings.split(';')) {
    state[0] = 0;
    /** @type {number[][]} */
    const segments = [];
    for (const text of line.split(',')) {
      if (text === '') continue;
      /** @type {number[]} */
      const fields = [];
      let value = 0;
      let shift = 0;
      for (const char of text) {
        const digit = BASE64.indexOf(char);
        value += (digit & 31) << shift;
        if ((digit & 32) !== 0) {
          shift += 5;
          continue;
        }
        fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
        value = 0;
        shift = 0;
      }
      const segment = fields.map((delta, index) => (state[index] = (state[index] ?? 0) + delta));
      segments.push(segment);
    }
    lines.push(segments);
  }
  return lines;
}

/** @param {number} value */
function encodeVlq(value) {
  let rest = value < 0 ? (-value << 1) | 1 : value << 1;
  let text = '';
  do {
    let digit = rest & 31;
    rest >>>= 5;
    if (rest > 0) digit |= 32;
    text += BASE64.charAt(digit);
  } while (rest > 0);
  return text;
}

/** @param {number[][][]} lines */
function encodeMappings(lines) {
  const state = [0, 0, 0, 0, 0];
  return lines
    .map((segments) => {
      state[0] = 0;
      return segments
        .map((segment) =>
          segment
            .map((value, index) => {
              const text = encodeVlq(value - (state[index] ?? 0));
              state[index] = value;
              return text;
            })
            .join(''),
        )
        .join(',');
    })
    .join(';');
}

// ---- The bundle. ----

/**
 * The code the bundle runs first: the module table's loader. `units` follow it, one per line
 * group, then the preloads and the entry.
 */
const LOADER = `'use strict';
// asyncthreadpool bundle __HASH__
// Built by scripts/bundle.cjs: this file and the library modules it needs, each in the function
// below that holds its compiled code as it is in its own file under dist/ (see that script).
const bundled = (() => {
  // Node's Module, as the constructor of this file's module; not require('node:module') first,
  // which also loads Node's ES module loader in a fresh thread. (A runner's own module objects,
  // such as jest's, are not Node's: then the module itself.)
  const Module = typeof module.constructor._nodeModulePaths === 'function' ? module.constructor : require('node:module');
  const path = require('node:path');
  const root = path.join(__dirname, __ROOT__);
  /** @type {Record<string, [Record<string, string>, Function]>} */
  const table = {};
  const requireFor = (module, deps) => {
    const local = (id) => {
      const key = deps[id];
      return key === undefined ? module.require(id) : load(key, module);
    };
    let resolver;
    local.resolve = (request, options) => (resolver ??= Module.createRequire(module.filename)).resolve(request, options);
    local.main = require.main;
    local.cache = require.cache;
    return local;
  };
  const run = (key, module) => {
    const [deps, body] = table[key];
    body.call(module.exports, module.exports, requireFor(module, deps), module, module.filename, path.dirname(module.filename));
    module.loaded = true;
    return module.exports;
  };
  // The paths a module of each folder searches for packages, as Node's loader would set them.
  const searched = new Map();
  const load = (key, parent) => {
    const filename = root + path.sep + (path.sep === '/' ? key : key.replaceAll('/', path.sep));
    const cached = require.cache[filename];
    if (cached !== undefined) return cached.exports;
    const module = new Module(filename, parent);
    module.filename = filename;
    const dir = path.dirname(filename);
    let paths = searched.get(dir);
    if (paths === undefined) searched.set(dir, (paths = Module._nodeModulePaths(dir)));
    module.paths = paths;
    require.cache[filename] = module;
    try {
      return run(key, module);
    } catch (error) {
      delete require.cache[filename];
      throw error;
    }
  };
  // Whether this process's require.cache holds what is put there (jest's registry ignores writes).
  const usable = () => {
    const probe = __filename + '?probe';
    try {
      require.cache[probe] = module;
      return require.cache[probe] === module;
    } catch {
      return false;
    } finally {
      delete require.cache[probe];
    }
  };
  return { table, run, load, usable };
})();
`;

/**
 * @param {{ out: string, entry: string, preload: string[], into?: string }} bundle
 */
function build(bundle) {
  if (bundle.out === bundle.entry) throw new Error(`a bundle must not overwrite its entry's own file: ${bundle.out}`);
  const prelude = bundle.into === undefined ? undefined : preludeOf(bundle.out, bundle.into);
  const units = collect([bundle.entry, ...bundle.preload], prelude);
  const outFile = path.join(DIST, bundle.out);
  const outDir = path.dirname(outFile);
  const rootFromOut = path.relative(outDir, DIST).split(path.sep).join('/') || '.';
  let code = LOADER.replace('__ROOT__', JSON.stringify(rootFromOut));
  /** @type {string[]} */
  const sources = [];
  /** @type {(string | null)[]} */
  const sourcesContent = [];
  /** @type {number[][][]} */
  const lines = code.split('\n').slice(0, -1).map(() => []);
  for (const unit of units) {
    const header = `bundled.table[${JSON.stringify(unit.key)}] = [${JSON.stringify(unit.deps)}, function (exports, require, module, __filename, __dirname) {\n`;
    code += header;
    lines.push([]);
    const ascii = asciiOnly(unit.key, unit.code);
    const body = ascii.code.endsWith('\n') ? ascii.code : `${ascii.code}\n`;
    code += body;
    const bodyLines = body.split('\n').length - 1;
    const mapFile = path.join(DIST, `${unit.key}.map`);
    /** @type {number[][][]} */
    let mapped = [];
    if (fs.existsSync(mapFile)) {
      const map = /** @type {{ sources: string[], sourcesContent?: (string | null)[], sourceRoot?: string, mappings: string }} */ (
        JSON.parse(fs.readFileSync(mapFile, 'utf8'))
      );
      const mapDir = path.dirname(mapFile);
      const indices = map.sources.map((source, index) => {
        const relative = path.relative(outDir, path.resolve(mapDir, map.sourceRoot ?? '', source)).split(path.sep).join('/');
        let at = sources.indexOf(relative);
        if (at === -1) {
          at = sources.push(relative) - 1;
          sourcesContent.push(map.sourcesContent?.[index] ?? null);
        }
        return at;
      });
      mapped = decodeMappings(map.mappings).map((segments) =>
        segments.map(([column = 0, source, ...rest]) => (source === undefined ? [column] : [column, indices[source] ?? 0, ...rest.slice(0, 2)])),
      );
    }
    shiftColumns(mapped, ascii.moved);
    for (let i = 0; i < bodyLines; i++) lines.push(mapped[i] ?? []);
    code += '}];\n';
    lines.push([]);
  }
  const tail = [...bundle.preload.map((key) => `bundled.load(${JSON.stringify(key)}, module);`), `bundled.run(${JSON.stringify(bundle.entry)}, module);`];
  // An `into` bundle that cannot run (see `usable`) exports nothing: its file then runs its own code.
  code += bundle.into === undefined ? `${tail.join('\n')}\n` : `if (bundled.usable()) {\n${tail.join('\n')}\n} else {\nmodule.exports = undefined;\n}\n`;
  const mapName = `${path.basename(outFile)}.map`;
  code += `//# sourceMappingURL=${mapName}\n`;
  // The content's hash, which keys the bundle's code cache (see src/shared/code-cache.cjs).
  code = code.replace('__HASH__', crypto.createHash('sha256').update(code).digest('hex').slice(0, 32));
  const map = { version: 3, file: path.basename(outFile), sources, sourcesContent, names: [], mappings: encodeMappings(lines) };
  fs.writeFileSync(outFile, code);
  fs.writeFileSync(`${outFile}.map`, JSON.stringify(map));
  if (bundle.into !== undefined && prelude !== undefined) {
    const intoFile = path.join(DIST, bundle.into);
    const text = fs.readFileSync(intoFile, 'utf8');
    const end = text.indexOf('\n');
    const withPrelude = text.includes(prelude) ? text : end === -1 ? `${text}${prelude}` : `${text.slice(0, end)}${prelude}${text.slice(end)}`;
    fs.writeFileSync(intoFile, withCopies(bundle.into, withPrelude, ['shared/code-cache.cjs']));
  }
  return units.map((u) => u.key);
}

if (require.main === module) {
  for (const bundle of BUNDLES) {
    const keys = build(bundle);
    process.stdout.write(`bundled dist/${bundle.out}: ${keys.join(', ')}\n`);
  }
  const startFile = path.join(DIST, THREAD_START);
  fs.writeFileSync(startFile, withCopies(THREAD_START, fs.readFileSync(startFile, 'utf8'), ['shared/run-bundle.cjs']));
  process.stdout.write(`copied dist/shared/run-bundle.cjs into dist/${THREAD_START}\n`);
}

// For the tests of what the bundle's code becomes.
module.exports = { asciiOnly, shiftColumns };
