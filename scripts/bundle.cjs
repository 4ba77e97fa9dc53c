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
 * The bundle's second line holds a hash of its content, which keys the V8 code cache a thread keeps
 * next to it (see src/worker/bootstrap.cjs): a new build never uses the cache of an earlier one.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const DIST = path.join(__dirname, '..', 'dist');

/**
 * The bundles: `out` is written; `preload` are loaded before `entry` runs (a thread's role starts
 * as the entry runs, and may load a task module at once, which then finds the task entry loaded).
 * The entry runs as the bundle file's own module (its exports are the bundle's).
 */
const BUNDLES = [{ out: 'worker/thread.js', entry: 'worker/entry.js', preload: ['task.js'] }];

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

/** A UTF-16 code unit outside ASCII. */
const NON_ASCII = /[^\0-\x7f]/g;

/**
 * `code` with every character outside ASCII (in the library's code, a `…` or `µs` in a comment)
 * written as its `\uXXXX` escape, one per UTF-16 code unit, which means the same character in a
 * string, a template's value, a regular expression or an identifier (not in a tagged template's raw
 * strings: the library's worker side has none), and is only text in a comment. A thread reads
 * a source that is all ASCII into a string of one byte per character, half the size of one that
 * holds a single other character, and reads, keeps and compiles the bundle from it faster (about
 * 0.4 ms of a fresh thread's ~3 ms start from the code cache). Lines keep their numbers.
 * @param {string} code
 * @returns {string}
 */
function asciiOnly(code) {
  return code.replace(NON_ASCII, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A line's source map segments with their columns moved to where {@link asciiOnly} put them: each
 * code unit outside ASCII before a column became six.
 * @param {string} line the line as tsc wrote it
 * @param {number[][]} segments
 * @returns {number[][]}
 */
function shiftedColumns(line, segments) {
  /** @type {number[]} */
  const at = [];
  for (const match of line.matchAll(NON_ASCII)) at.push(match.index);
  if (at.length === 0) return segments;
  return segments.map(([column = 0, ...rest]) => [column + 5 * at.filter((index) => index < column).length, ...rest]);
}

/**
 * The modules reachable from `roots` by relative requires, each once, roots first.
 * @param {string[]} roots
 * @returns {Unit[]}
 */
function collect(roots) {
  /** @type {Map<string, Unit>} */
  const units = new Map();
  const queue = [...roots];
  for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
    if (units.has(key)) continue;
    const code = fs.readFileSync(path.join(DIST, key), 'utf8').replace(MAP_COMMENT, '\n');
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
  return { table, run, load };
})();
`;

/**
 * @param {{ out: string, entry: string, preload: string[] }} bundle
 */
function build(bundle) {
  if (bundle.out === bundle.entry) throw new Error(`a bundle must not overwrite its entry's own file: ${bundle.out}`);
  const units = collect([bundle.entry, ...bundle.preload]);
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
    const original = unit.code.endsWith('\n') ? unit.code : `${unit.code}\n`;
    const body = asciiOnly(original);
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
    const originalLines = original.split('\n');
    for (let i = 0; i < bodyLines; i++) lines.push(shiftedColumns(originalLines[i] ?? '', mapped[i] ?? []));
    code += '}];\n';
    lines.push([]);
  }
  const tail = [...bundle.preload.map((key) => `bundled.load(${JSON.stringify(key)}, module);`), `bundled.run(${JSON.stringify(bundle.entry)}, module);`];
  code += `${tail.join('\n')}\n`;
  const mapName = `${path.basename(outFile)}.map`;
  code += `//# sourceMappingURL=${mapName}\n`;
  // The content's hash, which keys the bundle's code cache (see src/worker/bootstrap.cjs).
  code = code.replace('__HASH__', crypto.createHash('sha256').update(code).digest('hex').slice(0, 32));
  const map = { version: 3, file: path.basename(outFile), sources, sourcesContent, names: [], mappings: encodeMappings(lines) };
  fs.writeFileSync(outFile, code);
  fs.writeFileSync(`${outFile}.map`, JSON.stringify(map));
  return units.map((u) => u.key);
}

for (const bundle of BUNDLES) {
  const keys = build(bundle);
  process.stdout.write(`bundled dist/${bundle.out}: ${keys.join(', ')}\n`);
}
