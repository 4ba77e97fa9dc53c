// The trivial task for poolifier, whose worker files export a ThreadWorker around the handler.
// An ES module: poolifier's type declarations are those of an ES module package.
import { ThreadWorker } from 'poolifier';

export default new ThreadWorker(
  /**
   * @param {[number, number] | undefined} args
   * @returns {number}
   */
  (args) => (args === undefined ? NaN : args[0] + args[1]),
);
