'use strict';
// The task module of the stream and progress benchmarks (bench/measure.cjs `stream`, `progress`),
// written as a compiled JavaScript project would ship it: it loads the built package's task entry
// (dist/task) and applies the decorators by hand, as tsc's `__decorate` output does (see tasks.cjs).
const path = require('node:path');
const v8 = require('node:v8');

/** @type {typeof import('../src/task')} */
const lib = require(path.join(__dirname, '..', 'dist', 'task'));
const { task, TaskProgress } = lib;

/**
 * One small item: what a row of a parsed file might be (`{ id, name }`), or with `numbers` the bare
 * number. The caller sums `id`s (or numbers) either way.
 * @param {number} i
 * @param {boolean} numbers
 * @returns {{ id: number, name: string } | number}
 */
function item(i, numbers) {
  return numbers ? i : { id: i, name: `item ${i % 1000}` };
}

/** The highest V8 heap use this thread saw while it made items, in bytes (sampled). */
let peakHeap = 0;
function sampleHeap() {
  const used = v8.getHeapStatistics().used_heap_size;
  if (used > peakHeap) peakHeap = used;
}

/**
 * A few dozen arithmetic steps: the work of one unit of the progress benchmark.
 * @param {number} i
 * @param {number} work
 */
function unit(i, work) {
  let x = i | 0;
  for (let k = 0; k < work; k++) x = (Math.imul(x, 1_103_515_245) + 12_345) | 0;
  return x & 1;
}

class StreamBench {
  /**
   * `n` items as one array.
   * @param {number} n
   * @param {boolean} numbers
   * @returns {({ id: number, name: string } | number)[]}
   */
  static rowsArray(n, numbers) {
    // Built with `push`, as code usually builds an array: a packed array. A `new Array(n)` filled by
    // index is holey, which structured clone writes element by element as a sparse array: for
    // numbers that makes the array twice as slow to return, and a stream look twice as good.
    /** @type {({ id: number, name: string } | number)[]} */
    const rows = [];
    for (let i = 0; i < n; i++) {
      rows.push(item(i, numbers));
      if ((i & 0xffff) === 0) sampleHeap();
    }
    sampleHeap();
    return rows;
  }

  /**
   * The same `n` items, streamed.
   * @param {number} n
   * @param {boolean} numbers
   * @returns {AsyncGenerator<{ id: number, name: string } | number>}
   */
  // eslint-disable-next-line @typescript-eslint/require-await -- it yields what it makes at once, as a parser of a string in memory would
  static async *rowsStream(n, numbers) {
    for (let i = 0; i < n; i++) {
      if ((i & 0xffff) === 0) sampleHeap();
      yield item(i, numbers);
    }
    sampleHeap();
  }

  /**
   * The same `n` items, streamed from a (synchronous) generator: no promise an item on the thread.
   * @param {number} n
   * @param {boolean} numbers
   * @returns {Generator<{ id: number, name: string } | number>}
   */
  static *rowsGenerated(n, numbers) {
    for (let i = 0; i < n; i++) {
      if ((i & 0xffff) === 0) sampleHeap();
      yield item(i, numbers);
    }
    sampleHeap();
  }

  /** The thread's peak heap since the last call of this task (MB), and its heap now; resets the peak. */
  static heap() {
    const now = v8.getHeapStatistics().used_heap_size;
    const peak = Math.max(peakHeap, now);
    peakHeap = 0;
    return { peakHeapMB: peak / (1024 * 1024), heapMB: now / (1024 * 1024) };
  }

  /**
   * `n` units of work, reporting progress after each.
   * @param {number} n
   * @param {number} work
   * @param {(done: number) => void} progress
   */
  static crunchReporting(n, work, progress) {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      sum += unit(i, work);
      progress(i + 1);
    }
    return sum;
  }

  /**
   * The same work without a report.
   * @param {number} n
   * @param {number} work
   */
  static crunch(n, work) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += unit(i, work);
    return sum;
  }
}

for (const name of ['rowsArray', 'rowsStream', 'rowsGenerated', 'heap', 'crunch']) {
  task(StreamBench, name, /** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(StreamBench, name)));
}

// What tsc emits for `@task static crunchReporting(n: number, work: number, @TaskProgress() progress: (done: number) => void): number`.
Reflect.defineMetadata('design:returntype', Number, StreamBench, 'crunchReporting');
Reflect.defineMetadata('design:paramtypes', [Number, Number, Function], StreamBench, 'crunchReporting');
Reflect.defineMetadata('design:type', Function, StreamBench, 'crunchReporting');
TaskProgress()(StreamBench, 'crunchReporting', 2);
task(StreamBench, 'crunchReporting', /** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(StreamBench, 'crunchReporting')));

module.exports = { StreamBench, item };
