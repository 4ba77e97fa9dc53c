import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers-process';

/**
 * The build writes the bundle every thread starts from (dist/worker/thread.js, scripts/bundle.cjs)
 * in ASCII only: each other character of the compiled modules (a `…` or `µs` in a comment) as its
 * `\uXXXX` escape, so that a thread reads it into a one-byte string, which it reads and compiles
 * faster than one of two bytes per character. Each module's code is otherwise as tsc wrote it.
 * The plain JavaScript files a thread loads beside it are written in ASCII for the same reason.
 */
const DIST = path.join(ROOT, 'dist');
const BUNDLE = fs.readFileSync(path.join(DIST, 'worker', 'thread.js'), 'utf8');

test('the bundle holds no character outside ASCII', () => {
  expect(BUNDLE.match(/[^\0-\x7f]/g) ?? []).toEqual([]);
});

test('so are the plain JavaScript files a thread loads besides it (its start file, the TypeScript hook)', () => {
  for (const file of ['src/worker/bootstrap.cjs', 'dist/worker/bootstrap.cjs', 'src/shared/ts-hook.cjs', 'dist/shared/ts-hook.cjs']) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    expect({ file, outsideAscii: text.match(/[^\0-\x7f]/g) ?? [] }).toEqual({ file, outsideAscii: [] });
  }
});

test('each bundled module is its compiled file, with only the characters outside ASCII escaped', () => {
  const keys = [...BUNDLE.matchAll(/^bundled\.table\["([^"]+)"\]/gm)].map((match) => match[1] ?? '');
  expect(keys).toEqual(expect.arrayContaining(['worker/entry.js', 'task.js', 'shared/errors.js']));
  let escaped = 0;
  for (const key of keys) {
    const compiled = fs.readFileSync(path.join(DIST, key), 'utf8').replace(/\n\/\/# sourceMappingURL=[^\n]*\s*$/, '\n');
    const ascii = compiled.replace(/[^\0-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
    if (ascii !== compiled) escaped++;
    expect({ key, bundled: BUNDLE.includes(ascii) }).toEqual({ key, bundled: true });
  }
  // The sources do have such characters (so the escaping is exercised), in comments.
  expect(escaped).toBeGreaterThan(0);
});
