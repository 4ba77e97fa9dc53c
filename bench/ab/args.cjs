'use strict';
// What bench/ab-throughput.cjs and bench/ab-latency.cjs share: their command line (two builds'
// roots, then rounds and n), which the task modules of bench/ab/ find through the environment (the
// pools' threads inherit it), and the median.
const path = require('node:path');

/**
 * Reads `<rootA> <rootB> [rounds] [n]`, exits with the usage line when a root is missing, and
 * exports the two roots to bench/ab/tasks-a.cjs and tasks-b.cjs.
 * @param {string} script the script's name, for the usage line
 * @param {{ rounds: string, n: string }} defaults
 * @returns {{ rootA: string, rootB: string, rounds: number, n: number }}
 */
function abArgs(script, defaults) {
  const [rootA = '', rootB = '', roundsArg = defaults.rounds, nArg = defaults.n] = process.argv.slice(2);
  if (rootA === '' || rootB === '') {
    process.stderr.write(`usage: node bench/${script} <rootA> <rootB> [rounds] [n]\n`);
    process.exit(2);
  }
  process.env.ASYNCTHREADPOOL_AB_A = path.resolve(rootA);
  process.env.ASYNCTHREADPOOL_AB_B = path.resolve(rootB);
  return { rootA, rootB, rounds: Number(roundsArg), n: Number(nArg) };
}

/** @param {number[]} values */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const half = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[half] ?? NaN) : ((sorted[half - 1] ?? NaN) + (sorted[half] ?? NaN)) / 2;
}

module.exports = { abArgs, median };
