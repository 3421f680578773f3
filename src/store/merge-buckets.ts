import {
  COUNT, CPU_COUNT, CPU_LAST, CPU_MAX, CPU_MIN, CPU_Q90, CPU_Q95, CPU_SUM, emptyBucket, FIRST_TS, LAST_TS, LAST_UP,
  READ_BYTES, READ_MS, RSS_LAST, RSS_MAX, RSS_MIN, RSS_Q90, RSS_Q95, RSS_SUM, UP, WRITE_BYTES, WRITE_MS,
} from './bucket.js';
import { WeightedPoints } from './sketch.js';

const lower = (a: number, b: number): number => (b < a || a !== a ? b : a); // NaN means "none yet"
const higher = (a: number, b: number): number => (b > a || a !== a ? b : a);

/**
 * Folds buckets, oldest first, into one: counts, sums and IO add exactly; min, max, first and last come from the
 * extrema; p90/p95 are read from the children's sketches (an upper estimate, see sketch.ts).
 */
export class BucketMerger {
  readonly value = emptyBucket();
  /** The sketch points added so far, for CPU and RSS; a summary adds its raw values to them at weight 1. */
  readonly cpu = new WeightedPoints();
  readonly rss = new WeightedPoints();

  /** Starts a new merged bucket. */
  reset(): void {
    emptyBucket(this.value);
    this.cpu.clear();
    this.rss.clear();
  }

  /** Adds `b`, which must not be older than what was added before; its sketch too unless `withSketch` is false (a
   * summary reads the sketches only when its p95 moved: summarize-tiers.ts). */
  add(b: Float64Array, withSketch = true): void {
    const v = this.value;
    if (b[COUNT] === 0) return;
    if (v[COUNT] === 0) v[FIRST_TS] = b[FIRST_TS]!;
    v[LAST_TS] = b[LAST_TS]!;
    v[LAST_UP] = b[LAST_UP]!;
    v[COUNT] = v[COUNT]! + b[COUNT]!; v[UP] = v[UP]! + b[UP]!; v[CPU_COUNT] = v[CPU_COUNT]! + b[CPU_COUNT]!;
    v[CPU_SUM] = v[CPU_SUM]! + b[CPU_SUM]!; v[RSS_SUM] = v[RSS_SUM]! + b[RSS_SUM]!;
    v[READ_BYTES] = v[READ_BYTES]! + b[READ_BYTES]!; v[READ_MS] = v[READ_MS]! + b[READ_MS]!;
    v[WRITE_BYTES] = v[WRITE_BYTES]! + b[WRITE_BYTES]!; v[WRITE_MS] = v[WRITE_MS]! + b[WRITE_MS]!;
    v[CPU_MIN] = lower(v[CPU_MIN]!, b[CPU_MIN]!); v[CPU_MAX] = higher(v[CPU_MAX]!, b[CPU_MAX]!);
    v[RSS_MIN] = lower(v[RSS_MIN]!, b[RSS_MIN]!); v[RSS_MAX] = higher(v[RSS_MAX]!, b[RSS_MAX]!);
    if (b[UP]! > 0) { v[CPU_LAST] = b[CPU_LAST]!; v[RSS_LAST] = b[RSS_LAST]!; }
    if (!withSketch) return;
    this.cpu.addBucket(b, true);
    this.rss.addBucket(b, false);
  }

  /** The merged bucket, its sketch estimated from the children's. Valid until the next `reset`. */
  finish(): Float64Array {
    const v = this.value;
    v[CPU_Q90] = this.cpu.quantile(0.9); v[CPU_Q95] = this.cpu.quantile(0.95);
    v[RSS_Q90] = this.rss.quantile(0.9); v[RSS_Q95] = this.rss.quantile(0.95);
    return v;
  }
}
