'use strict';
// The CPU-bound body of the scaling benchmark (c), shared by the main thread (which calibrates it)
// and by every contender's worker, so that all of them run exactly the same code.

/**
 * Burns CPU for `iterations` rounds of integer arithmetic and returns a value that depends on every
 * round, so that the loop cannot be optimised away.
 * @param {number} iterations
 * @returns {number}
 */
function spin(iterations) {
  let x = 0;
  for (let i = 0; i < iterations; i++) {
    x = (Math.imul(x, 1103515245) + 12345 + i) | 0;
  }
  return x;
}

module.exports = { spin };
