/**
 * The p95 sketch of a bucket: its exact nearest-rank p90 and p95 (and its max) when it was folded from rows. Read as a
 * distribution, a bucket of n observations puts 0.90·n at its p90, 0.05·n at its p95 and 0.05·n at its max. That
 * step function never exceeds the true distribution function (at least 90 % of the values are ≤ p90, at least 95 %
 * ≤ p95), so any quantile read from a mix of such buckets, with raw rows at weight 1, is an upper estimate: never
 * below the exact quantile of the same observations, never above their max. See docs/store.md for measured error.
 */
import {
  CPU_COUNT, CPU_MAX, CPU_Q90, CPU_Q95, RSS_MAX, RSS_Q90, RSS_Q95, UP,
} from './bucket.js';

/** Value/weight pairs to select from, grown as needed and reused across calls (no allocation per summary). */
export class WeightedPoints {
  values = new Float64Array(64);
  weights = new Float64Array(64);
  length = 0;

  clear(): void {
    this.length = 0;
  }

  add(value: number, weight: number): void {
    if (!(weight > 0) || value !== value) return;
    if (this.length === this.values.length) this.grow();
    this.values[this.length] = value;
    this.weights[this.length++] = weight;
  }

  /** Adds bucket `b`'s CPU (`cpu` true) or RSS sketch as three weighted points. */
  addBucket(b: Float64Array, cpu: boolean): void {
    addSketch(this, b, cpu);
  }

  /** Makes these points a copy of the first `n` of `from`. */
  copyFrom(from: WeightedPoints, n: number): void {
    while (this.values.length < n) this.grow();
    this.values.set(from.values.subarray(0, n));
    this.weights.set(from.weights.subarray(0, n));
    this.length = n;
  }

  private grow(): void {
    const values = new Float64Array(this.values.length * 2);
    const weights = new Float64Array(this.values.length * 2);
    values.set(this.values);
    weights.set(this.weights);
    this.values = values;
    this.weights = weights;
  }

  /** The smallest value whose cumulative weight reaches `fraction` of the total (nearest rank, weighted); reorders
   * the points. NaN when there are none. With unit weights this is exactly `nearestRank`. */
  quantile(fraction: number): number {
    const { values, weights } = this;
    let lo = 0;
    let hi = this.length - 1;
    if (hi < 0) return Number.NaN;
    let total = 0;
    for (let i = 0; i <= hi; i++) total += weights[i]!;
    // On integer totals the same rank `nearestRank` takes, so that unit weights give exactly its answer.
    let target = Number.isInteger(total) ? Math.max(1, Math.ceil(fraction * total)) : fraction * total;
    for (;;) {
      if (lo >= hi) return values[lo]!;
      const pivot = values[(lo + hi) >>> 1]!;
      // Three-way partition of [lo, hi]: below, equal to, and above the pivot.
      let lt = lo, i = lo, gt = hi;
      while (i <= gt) {
        const v = values[i]!;
        if (v < pivot) swap(values, weights, lt++, i++);
        else if (v > pivot) swap(values, weights, i, gt--);
        else i++;
      }
      let below = 0, equal = 0;
      for (let k = lo; k < lt; k++) below += weights[k]!;
      for (let k = lt; k <= gt; k++) equal += weights[k]!;
      if (target <= below) hi = lt - 1;
      else if (target <= below + equal || gt + 1 > hi) return pivot;
      else { target -= below + equal; lo = gt + 1; }
    }
  }
}

/** The weight of one raw value. Weights are the sketch's shares ×20 (a bucket of n puts 18·n at its p90, n at its p95
 * and n at its max), so that every sum of weights is an exact integer: the order a selection or a running window adds
 * them in cannot change a nearest rank (with 0.9·n and 0.05·n it could, at ties, by one rounding). */
export const RAW_WEIGHT = 20;

/** Adds bucket `b`'s CPU (`cpu` true) or RSS sketch to `sink`: 0.9·n at its p90, 0.05·n at its p95 and at its max,
 * as weights ×20 (`RAW_WEIGHT`). */
export function addSketch(sink: { add(value: number, weight: number): void }, b: Float64Array, cpu: boolean): void {
  const n = b[cpu ? CPU_COUNT : UP]!;
  sink.add(b[cpu ? CPU_Q90 : RSS_Q90]!, 18 * n);
  sink.add(b[cpu ? CPU_Q95 : RSS_Q95]!, n);
  sink.add(b[cpu ? CPU_MAX : RSS_MAX]!, n);
}

function swap(values: Float64Array, weights: Float64Array, a: number, b: number): void {
  const v = values[a]!; values[a] = values[b]!; values[b] = v;
  const w = weights[a]!; weights[a] = weights[b]!; weights[b] = w;
}
