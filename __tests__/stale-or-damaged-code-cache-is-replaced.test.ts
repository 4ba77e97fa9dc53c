import * as fs from 'node:fs';
import * as vm from 'node:vm';
import { copyPackage, type PackageCopy, type Report, runCopy, temporaryFiles } from './helpers-code-cache';

/**
 * A cache file that is not the one of this bundle and Node version, or is damaged, is never given
 * to V8 as this bundle's (V8 would abort the process on damaged data): the thread compiles the
 * bundle from source, answers, and replaces the file with a good one, which the next process uses.
 */
let valid: Buffer;
beforeAll(async () => {
  const maker = copyPackage();
  try {
    await runCopy(maker, 'spawn');
    valid = fs.readFileSync(maker.cacheFile);
  } finally {
    maker.remove();
  }
});

/** The parts of a cache file: its header line and V8's data, which follows twice. */
function parts(file: Buffer): { header: string; data: Buffer } {
  const end = file.indexOf(10) + 1;
  const header = file.subarray(0, end).toString('latin1');
  const length = Number(/ (\d+)\n$/.exec(header)?.[1]);
  return { header, data: file.subarray(end, end + length) };
}

const cases: [string, 'stale' | 'corrupt' | 'rejected', (copy: PackageCopy) => void][] = [
  [
    'of another build of the bundle (its content hash changed)',
    'stale',
    (copy) => {
      fs.writeFileSync(copy.cacheFile, valid);
      const source = fs.readFileSync(copy.bundle, 'utf8');
      const rebuilt = source.replace(/^(\/\/ asyncthreadpool bundle )([0-9a-f])/m, (_, line: string, digit: string) => `${line}${digit === '0' ? '1' : '0'}`);
      expect(rebuilt).not.toBe(source);
      fs.writeFileSync(copy.bundle, rebuilt);
    },
  ],
  ['that is not a cache file', 'stale', (copy) => { fs.writeFileSync(copy.cacheFile, 'not a cache\n'.repeat(1000)); }],
  ['that is empty', 'stale', (copy) => { fs.writeFileSync(copy.cacheFile, ''); }],
  [
    "damaged inside V8's data",
    'corrupt',
    (copy) => {
      const damaged = Buffer.from(valid);
      const { header, data } = parts(valid);
      const middle = header.length + Math.floor(data.length / 2);
      for (let i = middle; i < middle + 64; i++) damaged[i] = (damaged[i] ?? 0) ^ 0xff;
      fs.writeFileSync(copy.cacheFile, damaged);
    },
  ],
  ['cut short', 'corrupt', (copy) => { fs.writeFileSync(copy.cacheFile, valid.subarray(0, valid.length - 1000)); }],
  [
    "whole, but holding V8's data of another script",
    'rejected',
    (copy) => {
      const other = new vm.Script('1 + 1').createCachedData();
      const { header } = parts(valid);
      fs.writeFileSync(copy.cacheFile, Buffer.concat([Buffer.from(header.replace(/\d+\n$/, `${String(other.length)}\n`), 'latin1'), other, other]));
    },
  ],
];

test.each(cases)('a cache file %s is not used and is replaced', async (_, state, damage) => {
  const copy = copyPackage();
  try {
    damage(copy);
    const run = await runCopy<{ first: Report[]; second: Report[] }>(copy, 'pool');
    expect(run.first.map((r) => r.state)).toEqual([state]);
    expect(run.second.map((r) => r.state)).toEqual(['written']);
    expect((await runCopy(copy, 'spawn')).map((r) => r.state)).toEqual(['accepted']);
    expect(temporaryFiles(copy)).toEqual([]);
  } finally {
    copy.remove();
  }
});
