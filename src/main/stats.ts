/** A snapshot of the pool's activity; see `ThreadPool#stats`. */
export interface PoolStats {
  /** Threads of the pool now, ready or starting (an elastic pool: from `min` to `max`). */
  readonly threads: number;
  /** Threads an elastic pool started above `min` since it started (0 for a fixed pool). A crashed one replaced in its place is not counted again. */
  readonly started: number;
  /**
   * Threads an elastic pool ended for being idle since it started, each counted once its context's
   * disposal answered and its thread ended (0 for a fixed pool).
   */
  readonly reaped: number;
  /** Threads with no call running. */
  readonly idle: number;
  /** Calls waiting for a thread. */
  readonly queued: number;
  /** Calls running on a thread. */
  readonly running: number;
  /** Calls that resolved since the pool started. */
  readonly completed: number;
  /** Calls that rejected (thrown, aborted, timed out, thread lost) since the pool started. */
  readonly failed: number;
  /** Messages that carried calls to threads: fewer than the calls when a backlog went out in batches. */
  readonly messages: number;
  /** Share of the threads' time spent running calls since the pool started (over the time each thread lived), from 0 to 1. */
  readonly utilization: number;
  /**
   * Run time in ms over every call since the pool started: from when the call is handed to a thread
   * (a call in a batch: from when the call before it settled) to when it settles, as the main thread
   * sees them (a thread's start-up counts in the first calls' wait time). From a histogram with
   * quarter-octave buckets (each figure is within 19% of the true one).
   */
  readonly runTime: Percentiles;
  /** Wait time in ms (called → handed to a thread), as `runTime`. */
  readonly waitTime: Percentiles;
}

/** Figures of a distribution of durations, in ms (see `PoolStats`). */
export interface Percentiles {
  /** The median. */
  readonly p50: number;
  /** 90% of the calls took at most this. */
  readonly p90: number;
  /** 99% of the calls took at most this. */
  readonly p99: number;
  /** The longest, exact. */
  readonly max: number;
}

/** Quarter-octave buckets from 1 µs to about 2^30 µs (18 minutes). */
const BUCKETS = 120;

/**
 * Durations in quarter-octave buckets from 1 µs up (bucket i holds about 2^(i/4) µs): recording is
 * a logarithm and an increment, reading walks ~100 counters, so both stay cheap at any rate.
 */
export class Histogram {
  readonly #counts = new Float64Array(BUCKETS);
  #total = 0;
  #max = 0;

  record(ms: number): void {
    const us = Math.max(1, ms * 1000);
    const bucket = Math.min(BUCKETS - 1, Math.floor(Math.log2(us) * 4));
    this.#counts[bucket] = (this.#counts[bucket] ?? 0) + 1;
    this.#total++;
    if (ms > this.#max) this.#max = ms;
  }

  percentiles(): Percentiles {
    if (this.#total === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
    const at = (q: number): number => {
      const rank = q * this.#total;
      let seen = 0;
      for (let i = 0; i < BUCKETS; i++) {
        seen += this.#counts[i] ?? 0;
        // The bucket's upper edge, in ms, capped by the largest value seen.
        if (seen >= rank) return Math.min(this.#max, 2 ** ((i + 1) / 4) / 1000);
      }
      return this.#max;
    };
    return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: this.#max };
  }
}
