'use strict';
// The CPU-bound task of benchmark (c) for raw Piscina.
const { spin } = require('../spin.cjs');

/**
 * @param {number} iterations
 * @returns {number}
 */
module.exports = (iterations) => spin(iterations);
