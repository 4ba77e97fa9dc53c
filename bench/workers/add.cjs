'use strict';
// The trivial task for raw Piscina and Tinypool: one handler per file, the arguments as an array.

/**
 * @param {[number, number]} args
 * @returns {number}
 */
module.exports = ([a, b]) => a + b;
