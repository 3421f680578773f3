/**
 * The weights of a unit's bucket sketch points near its p95, kept between summaries so that a p95 that moves to a
 * nearby value is found without reading the buckets again. A summary over tiers took its p95 from every bucket's
 * points (sketch.ts), and in a store that has run for hours the p95 moves between nearby knots most rounds: each move
 * read all ~50 buckets of the unit, seven cache lines each, again.
 *
 * The window holds up to WINDOW_VALUES consecutive distinct values of the points (compared as `Math.round(value *
 * scale)`, the figure a summary reports), each with the weight of the points at or below it, plus the weight below the
 * window and the total. Every weight is summed in the order the points were added, so it is the same f64 a fresh visit
 * that adds the same points gives (property-tested in test/store/quantile-window.property.spec.ts). The window stays
 * true under any appends; it is recentred on the p95 by evicting the farther end when full.
 */
import { CPU_COUNT, CPU_MAX, CPU_Q90, CPU_Q95, RSS_MAX, RSS_Q90, RSS_Q95, UP } from './bucket.js';

/** Distinct values a window keeps: enough for the p95 to move a few knots either way between visits. */
export const WINDOW_VALUES = 6;
/** Slots `save` writes: key, total, weight below, flags, then the values and their weights. */
export const WINDOW_SLOTS = 4 + 2 * WINDOW_VALUES;
const LOW_OPEN = 8, HIGH_OPEN = 16; // flags: points exist below (above) the window; the low bits count its values

/** Points weighed near one value, the last p95 (its key); see the file comment. */
export class QuantileWindow {
  /** Weight of every point added. */
  total = 0;
  private below = 0;
  private count = 0;
  private lowOpen = false;
  private highOpen = false;
  private key = Number.NaN;
  private scale = 1;
  private readonly keys = new Float64Array(WINDOW_VALUES + 1); // one spare for an insert before the eviction
  private readonly weights = new Float64Array(WINDOW_VALUES + 1);
  /** `resolve`'s counts of raw values per window value. */
  private readonly atOrUnder = new Float64Array(WINDOW_VALUES + 1);
  private readonly equal = new Float64Array(WINDOW_VALUES + 1);

  /** Empties the window; it will centre on `key` (a p95 times `scale`; NaN: none yet). */
  reset(key: number, scale: number): void {
    this.total = 0; this.below = 0; this.count = 0; this.lowOpen = false; this.highOpen = false;
    this.key = key; this.scale = scale;
  }

  /** Adds a point; skips what `WeightedPoints.add` skips, so both see the same points. */
  add(value: number, weight: number): void {
    if (!(weight > 0) || value !== value) return;
    this.total += weight;
    const k = Math.round(value * this.scale);
    const { keys, weights } = this;
    const n = this.count;
    let i = 0;
    while (i < n && keys[i]! < k) i++;
    if (i < n && keys[i] === k) { for (let j = i; j < n; j++) weights[j] = weights[j]! + weight; return; }
    if (i === 0 && this.lowOpen) { // below the window: not next to it as far as we know
      this.below += weight;
      for (let j = 0; j < n; j++) weights[j] = weights[j]! + weight;
      return;
    }
    if (i === n && this.highOpen) return;
    for (let j = n; j > i; j--) { keys[j] = keys[j - 1]!; weights[j] = weights[j - 1]! + weight; }
    keys[i] = k;
    weights[i] = (i > 0 ? weights[i - 1]! : this.below) + weight;
    this.count = n + 1;
    if (n + 1 > WINDOW_VALUES) this.evictFarther();
  }

  /** Adds bucket `b`'s CPU (`cpu` true) or RSS sketch, as `WeightedPoints.addBucket` does. */
  addBucket(b: Float64Array, cpu: boolean): void {
    const n = b[cpu ? CPU_COUNT : UP]!;
    this.add(b[cpu ? CPU_Q90 : RSS_Q90]!, 0.9 * n);
    this.add(b[cpu ? CPU_Q95 : RSS_Q95]!, 0.05 * n);
    this.add(b[cpu ? CPU_MAX : RSS_MAX]!, 0.05 * n);
  }

  private evictFarther(): void {
    let under = 0, over = 0;
    for (let j = 0; j < this.count; j++) { if (this.keys[j]! < this.key) under++; else if (this.keys[j]! > this.key) over++; }
    if (under > over) {
      this.below = this.weights[0]!;
      this.keys.copyWithin(0, 1, this.count);
      this.weights.copyWithin(0, 1, this.count);
      this.lowOpen = true;
    } else this.highOpen = true;
    this.count--;
  }

  /**
   * The weighted nearest rank of `fraction` of the points added and `n` more values at weight 1 (`raw`, compared the
   * same way), as a key (the value times `scale`, rounded); NaN when the answer lies outside the window. `sorted` is
   * scratch room for `n` values. The total and the target are formed as `WeightedPoints.quantile` forms them.
   */
  resolve(fraction: number, raw: Float64Array, n: number, sorted: Float64Array): number {
    const { keys, weights, count: m, scale } = this;
    let total = this.total;
    let kept = 0; // the raw values' keys, NaN skipped as `add` skips it
    for (let r = 0; r < n; r++) if (raw[r] === raw[r]) { total += 1; sorted[kept++] = Math.round(raw[r]! * scale); }
    const target = Number.isInteger(total) ? Math.max(1, Math.ceil(fraction * total)) : fraction * total;
    // One pass places each raw value after the window values below it: `atOrUnder[j]` counts those in
    // (keys[j-1], keys[j]], `equal[j]` those at keys[j] (past the last value: `atOrUnder[m]`).
    const { atOrUnder, equal } = this;
    atOrUnder.fill(0, 0, m + 1);
    equal.fill(0, 0, m + 1);
    for (let r = 0; r < kept; r++) {
      const k = sorted[r]!;
      let j = 0;
      while (j < m && keys[j]! < k) j++;
      atOrUnder[j]!++;
      if (j < m && keys[j] === k) equal[j]!++;
    }
    // The first window value at which the weight reaches the target.
    let rawAtOrUnder = 0;
    let i = 0;
    for (; i < m; i++) {
      rawAtOrUnder += atOrUnder[i]!;
      if (i === 0 && this.lowOpen && this.below + rawAtOrUnder - equal[0]! >= target) return Number.NaN; // below it
      if (weights[i]! + rawAtOrUnder >= target) break;
    }
    if (i === m && this.highOpen) return Number.NaN; // above the window
    if (i === 0 && this.lowOpen) return keys[0]!; // no raw value below the window can reach the target (tested above)
    // Only raw values lie strictly between keys[i-1] and keys[i] (or past an end the window knows has no points).
    const from = i > 0 ? keys[i - 1]! : Number.NEGATIVE_INFINITY;
    const to = i < m ? keys[i]! : Number.POSITIVE_INFINITY;
    let weight = i > 0 ? weights[i - 1]! : this.below;
    let between = 0;
    for (let r = 0; r < kept; r++) {
      const k = sorted[r]!;
      if (k <= from) weight += 1;
      else if (k < to) sorted[between++] = k; // between <= r: compacts in place
    }
    for (let r = 1; r < between; r++) { // insertion sort: a few values, and no allocation
      const k = sorted[r]!;
      let j = r - 1;
      for (; j >= 0 && sorted[j]! > k; j--) sorted[j + 1] = sorted[j]!;
      sorted[j + 1] = k;
    }
    for (let r = 0; r < between; r++) if (weight + r + 1 >= target) return sorted[r]!;
    return i < m ? keys[i]! : Number.NaN;
  }

  /** Writes the window to `into` from `at` on (WINDOW_SLOTS slots). */
  save(into: number[], at: number): void {
    into[at] = this.key; into[at + 1] = this.total; into[at + 2] = this.below;
    into[at + 3] = this.count + (this.lowOpen ? LOW_OPEN : 0) + (this.highOpen ? HIGH_OPEN : 0);
    for (let j = 0; j < this.count; j++) { into[at + 4 + j] = this.keys[j]!; into[at + 4 + WINDOW_VALUES + j] = this.weights[j]!; }
  }

  /** Takes back a window `save` wrote; the key stays the one `reset` set. */
  restore(from: number[], at: number): void {
    this.total = from[at + 1]!; this.below = from[at + 2]!;
    const flags = from[at + 3]!;
    this.count = flags & 7; this.lowOpen = (flags & LOW_OPEN) !== 0; this.highOpen = (flags & HIGH_OPEN) !== 0;
    for (let j = 0; j < this.count; j++) { this.keys[j] = from[at + 4 + j]!; this.weights[j] = from[at + 4 + WINDOW_VALUES + j]!; }
  }
}
