import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers-process';

/**
 * The bundle every thread starts from (dist/worker/thread.js) holds only ASCII: V8 keeps a source
 * with any character beyond Latin-1 as a two-byte string, twice the size, which each thread reads
 * and copies into the wrapper it compiles. scripts/bundle.cjs escapes such characters in comments
 * and string literals (the same code) and refuses them elsewhere, and keeps the source map true.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the build script is CommonJS
const { asciiOnly, shiftColumns } = require('../scripts/bundle.cjs') as {
  asciiOnly(key: string, code: string): { code: string; moved: [number, number, number][] };
  shiftColumns(lines: number[][][], moved: [number, number, number][]): void;
};

test('the built bundle holds no character beyond ASCII', () => {
  const bundle = fs.readFileSync(path.join(ROOT, 'dist', 'worker', 'thread.js'), 'utf8');
  expect(/[\u0080-\uffff]/.exec(bundle)).toBeNull();
});

test('characters beyond ASCII in comments and string literals become escapes with the same meaning', () => {
  const code = "// a comment\u2026\nconst s = 'd\u00e9j\u00e0' /* \u00b5s */ + \"\u2192\"; s;\n";
  const { code: ascii, moved } = asciiOnly('x.js', code);
  expect(/[\u0080-\uffff]/.test(ascii)).toBe(false);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the code's value, before and after
  const run = (text: string): unknown => new Function(`return eval(${JSON.stringify(text)})`)();
  expect(run(ascii)).toBe(run(code));
  expect(moved).toEqual([
    [0, 12, 5],
    [1, 12, 5],
    [1, 14, 5],
    [1, 20, 5],
    [1, 29, 5],
  ]);
  expect(asciiOnly('x.js', 'plain ascii;')).toEqual({ code: 'plain ascii;', moved: [] });
});

test.each([
  ['a template literal', 'const t = `\u2026`;'],
  ['a regular expression', 'const r = /\u2026/;'],
  ['a name', 'const caf\u00e9 = 1;'],
  ['a string literal after a backslash', "const s = '\\\u2026';"],
])('a character beyond ASCII in %s fails the build, saying where', (_what, code) => {
  expect(() => asciiOnly('worker/x.js', code)).toThrow(/^dist\/worker\/x\.js:1:\d+: /);
});

test("the source map's generated columns move past the escapes before them on their line", () => {
  const lines = [[[0, 0, 0, 0], [12, 0, 0, 9], [30, 0, 0, 20]], [[4, 0, 1, 0]]];
  shiftColumns(lines, [
    [0, 3, 5],
    [0, 20, 5],
  ]);
  expect(lines).toEqual([[[0, 0, 0, 0], [17, 0, 0, 9], [40, 0, 0, 20]], [[4, 0, 1, 0]]]);
});

test('so are the plain JavaScript files a thread loads besides it (its start file, the code-cache loader and runner, the TypeScript hook)', () => {
  for (const file of ['src/worker/bootstrap.cjs', 'dist/worker/bootstrap.cjs', 'src/shared/code-cache.cjs', 'dist/shared/code-cache.cjs', 'src/shared/run-bundle.cjs', 'dist/shared/run-bundle.cjs', 'src/shared/ts-hook.cjs', 'dist/shared/ts-hook.cjs']) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    expect({ file, beyondAscii: text.match(/[\u0080-\uffff]/g) ?? [] }).toEqual({ file, beyondAscii: [] });
  }
});
