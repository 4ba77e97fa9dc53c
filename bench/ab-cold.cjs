'use strict';
// `node bench/ab-cold.cjs <rootA> <rootB> [rounds]` (not part of `npm run bench`): the cold start of
// benchmark (e), process start → first result of a 2-thread pool, for two builds of this library
// (two checkouts, each built) and raw Piscina, side by side: each round runs one fresh process of
// each (`bench/measure.cjs cold` of each root; Piscina from root A), in an order that rotates from
// round to round, so that all three see the same load. Prints one JSON line: each contender's
// median since process start and since module start (ms), and the medians over rounds of the
// per-round ratios B/A, A/Piscina and B/Piscina (the figures (e) holds against its target).
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { median } = require('./ab/args.cjs');

const [rootA = '', rootB = '', roundsArg = '15'] = process.argv.slice(2);
if (rootA === '' || rootB === '') {
  process.stderr.write('usage: node bench/ab-cold.cjs <rootA> <rootB> [rounds]\n');
  process.exit(2);
}
const rounds = Number(roundsArg);

/** @type {{ name: string, root: string, contender: string }[]} */
const CONTENDERS = [
  { name: 'A', root: path.resolve(rootA), contender: 'asyncthreadpool' },
  { name: 'B', root: path.resolve(rootB), contender: 'asyncthreadpool' },
  { name: 'piscina', root: path.resolve(rootA), contender: 'piscina' },
];

/**
 * @param {{ root: string, contender: string }} who
 * @returns {{ sinceProcessStartMs: number, sinceModuleStartMs: number }}
 */
function once(who) {
  const out = execFileSync(process.execPath, [path.join(who.root, 'bench', 'measure.cjs'), 'cold', who.contender, '{}'], { encoding: 'utf8' });
  const row = /** @type {{ ok: boolean, error?: string, sinceProcessStartMs: number, sinceModuleStartMs: number }} */ (JSON.parse(out.trim().split('\n').pop() ?? ''));
  if (!row.ok) throw new Error(`${who.contender} in ${who.root}: ${row.error ?? 'failed'}`);
  return row;
}

/** @type {Record<string, { process: number[], module: number[] }>} */
const figures = { A: { process: [], module: [] }, B: { process: [], module: [] }, piscina: { process: [], module: [] } };
/** @type {Record<string, number[]>} */
const ratios = { 'B/A': [], 'A/piscina': [], 'B/piscina': [], 'B/A since module start': [] };
for (let round = 0; round < rounds; round++) {
  /** @type {Record<string, { sinceProcessStartMs: number, sinceModuleStartMs: number }>} */
  const rows = {};
  for (let i = 0; i < CONTENDERS.length; i++) {
    const who = CONTENDERS[(round + i) % CONTENDERS.length];
    if (who === undefined) continue;
    const row = once(who);
    rows[who.name] = row;
    figures[who.name]?.process.push(row.sinceProcessStartMs);
    figures[who.name]?.module.push(row.sinceModuleStartMs);
  }
  const { A, B, piscina } = rows;
  if (A === undefined || B === undefined || piscina === undefined) continue;
  ratios['B/A']?.push(B.sinceProcessStartMs / A.sinceProcessStartMs);
  ratios['A/piscina']?.push(A.sinceProcessStartMs / piscina.sinceProcessStartMs);
  ratios['B/piscina']?.push(B.sinceProcessStartMs / piscina.sinceProcessStartMs);
  ratios['B/A since module start']?.push(B.sinceModuleStartMs / A.sinceModuleStartMs);
}
const round3 = (/** @type {number} */ x) => Math.round(x * 1000) / 1000;
process.stdout.write(
  `${JSON.stringify({
    rounds,
    medianSinceProcessStartMs: Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, round3(median(v.process))])),
    medianSinceModuleStartMs: Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, round3(median(v.module))])),
    medianRatios: Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, round3(median(v))])),
  })}\n`,
);
