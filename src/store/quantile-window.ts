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
import { addSketch, RAW_WEIGHT } from './sketch.js';

/** Distinct values a window keeps: enough for the p95 to move a few knots either way between visits. */
export const WINDOW_VALUES = 4;
/** Slots a window takes: key, total, weight below, flags, then the values and their weights, each with one spare. */
export const WINDOW_SLOTS = 4 + 2 * (WINDOW_VALUES + 1);
const KEY = 0, TOTAL = 1, BELOW = 2, FLAGS = 3, VALUES = 4, WEIGHTS = VALUES + WINDOW_VALUES + 1;
const LOW_OPEN = 8, HIGH_OPEN = 16; // flags: points exist below (above) the window; the low bits count its values

/** Points weighed near one value, the last p95 (its key); see the file comment. The window lives in the slots of an
 * array it is bound to (a unit's running totals), so a summary neither copies it in nor out. */
export class QuantileWindow {
  private s: number[] = new Array<number>(WINDOW_SLOTS).fill(Number.NaN); // doubles, like the totals it binds to
  private at = 0;
  private scale = 1;
  /** `resolve`'s counts of raw values per window value. */
  private readonly atOrUnder = new Float64Array(WINDOW_VALUES + 1);
  private readonly equal = new Float64Array(WINDOW_VALUES + 1);
  private readonly windowKeys = new Float64Array(WINDOW_VALUES + 1);

  /** Works on the window kept in `state` from `at` on (WINDOW_SLOTS slots) from now on. */
  bind(state: number[], at: number): void {
    this.s = state; this.at = at;
  }

  /** Empties the window; it will centre on `key` (a p95 times `scale`; NaN: none yet). */
  reset(key: number, scale: number): void {
    const { s, at } = this;
    s[at + KEY] = key; s[at + TOTAL] = 0; s[at + BELOW] = 0; s[at + FLAGS] = 0;
    this.scale = scale;
  }

  /** Keeps the window's weights and centres it on `key` from now on. */
  rekey(key: number, scale: number): void {
    this.s[this.at + KEY] = key;
    this.scale = scale;
  }

  /** Adds a point; skips what `WeightedPoints.add` skips, so both see the same points. */
  add(value: number, weight: number): void {
    if (!(weight > 0) || value !== value) return;
    const { s, at } = this;
    s[at + TOTAL] = s[at + TOTAL]! + weight;
    const k = Math.round(value * this.scale);
    const flags = s[at + FLAGS]!;
    const n = flags & 7;
    const keys = at + VALUES, weights = at + WEIGHTS;
    let i = 0;
    while (i < n && s[keys + i]! < k) i++;
    if (i < n && s[keys + i] === k) { for (let j = i; j < n; j++) s[weights + j] = s[weights + j]! + weight; return; }
    if (i === 0 && (flags & LOW_OPEN) !== 0) { // below the window: not next to it as far as we know
      s[at + BELOW] = s[at + BELOW]! + weight;
      for (let j = 0; j < n; j++) s[weights + j] = s[weights + j]! + weight;
      return;
    }
    if (i === n && (flags & HIGH_OPEN) !== 0) return;
    // Insert k at i; the spare slot past the window (see WINDOW_SLOTS) takes the last value until the eviction.
    for (let j = n; j > i; j--) { s[keys + j] = s[keys + j - 1]!; s[weights + j] = s[weights + j - 1]! + weight; }
    s[keys + i] = k;
    s[weights + i] = (i > 0 ? s[weights + i - 1]! : s[at + BELOW]!) + weight;
    s[at + FLAGS] = flags + 1;
    if (n + 1 > WINDOW_VALUES) this.evictFarther();
  }

  /** Adds bucket `b`'s CPU (`cpu` true) or RSS sketch, as `WeightedPoints.addBucket` does. */
  addBucket(b: Float64Array, cpu: boolean): void {
    addSketch(this, b, cpu);
  }

  private evictFarther(): void {
    const { s, at } = this;
    const key = s[at + KEY]!, n = s[at + FLAGS]! & 7, keys = at + VALUES, weights = at + WEIGHTS;
    let under = 0, over = 0;
    for (let j = 0; j < n; j++) { if (s[keys + j]! < key) under++; else if (s[keys + j]! > key) over++; }
    if (under > over) {
      s[at + BELOW] = s[weights]!;
      for (let j = 1; j < n; j++) { s[keys + j - 1] = s[keys + j]!; s[weights + j - 1] = s[weights + j]!; }
      s[at + FLAGS] = (s[at + FLAGS]! | LOW_OPEN) - 1;
    } else s[at + FLAGS] = (s[at + FLAGS]! | HIGH_OPEN) - 1;
  }

  /**
   * The weighted nearest rank of `fraction` of the points added and `n` more values of one observation each (`raw`,
   * at `RAW_WEIGHT`, compared the
   * same way), as a key (the value times `scale`, rounded); NaN when the answer lies outside the window. `sorted` is
   * scratch room for `n` values. The total and the target are formed as `WeightedPoints.quantile` forms them.
   */
  resolve(fraction: number, raw: Float64Array, n: number, sorted: Float64Array): number {
    const { s, at, scale } = this;
    const flags = s[at + FLAGS]!;
    const m = flags & 7, keys = at + VALUES, weights = at + WEIGHTS;
    const lowOpen = (flags & LOW_OPEN) !== 0, highOpen = (flags & HIGH_OPEN) !== 0, below = s[at + BELOW]!;
    let total = s[at + TOTAL]!;
    // One pass keeps the raw values' keys (NaN skipped as `add` skips it) and places each after the window values
    // below it: `atOrUnder[j]` counts those in (keys[j-1], keys[j]], `equal[j]` those at keys[j] (past the last value:
    // `atOrUnder[m]`). Most raw values lie below the window, which the first test settles.
    const { atOrUnder, equal, windowKeys } = this;
    for (let j = 0; j < m; j++) { windowKeys[j] = s[keys + j]!; atOrUnder[j] = 0; equal[j] = 0; }
    atOrUnder[m] = 0; equal[m] = 0; // a loop, not fill(): a builtin call cost more than these few stores
    const first = m > 0 ? windowKeys[0]! : Number.POSITIVE_INFINITY;
    let underFirst = 0, lastKey = Number.NaN, lastAt = 0, lastEqual = 0; // consecutive rows often repeat a value
    for (let r = 0; r < n; r++) {
      const v = raw[r]!;
      if (v !== v) continue;
      total += RAW_WEIGHT;
      const k = Math.round(v * scale);
      if (k < first) { underFirst++; continue; }
      if (k !== lastKey) {
        let j = 0;
        while (j < m && windowKeys[j]! < k) j++;
        lastKey = k; lastAt = j; lastEqual = j < m && windowKeys[j] === k ? 1 : 0;
      }
      atOrUnder[lastAt] = atOrUnder[lastAt]! + 1;
      equal[lastAt] = equal[lastAt]! + lastEqual;
    }
    atOrUnder[0] = atOrUnder[0]! + underFirst;
    const target = Number.isInteger(total) ? Math.max(1, Math.ceil(fraction * total)) : fraction * total;
    // The first window value at which the weight reaches the target.
    let rawAtOrUnder = 0;
    let i = 0;
    for (; i < m; i++) {
      rawAtOrUnder += atOrUnder[i]!;
      if (i === 0 && lowOpen && below + (rawAtOrUnder - equal[0]!) * RAW_WEIGHT >= target) return Number.NaN; // below it
      if (s[weights + i]! + rawAtOrUnder * RAW_WEIGHT >= target) break;
    }
    if (i === m && highOpen) return Number.NaN; // above the window
    if (i === 0 && lowOpen) return s[keys]!; // no raw value below the window can reach the target (tested above)
    // Only raw values lie strictly between keys[i-1] and keys[i] (or past an end the window knows has no points);
    // when there are none (the usual case), the answer is keys[i] with no second pass.
    if (i < m && atOrUnder[i]! === equal[i]!) return s[keys + i]!;
    const from = i > 0 ? s[keys + i - 1]! : Number.NEGATIVE_INFINITY;
    const to = i < m ? s[keys + i]! : Number.POSITIVE_INFINITY;
    let weight = i > 0 ? s[weights + i - 1]! : below;
    let between = 0;
    for (let r = 0; r < n; r++) {
      const v = raw[r]!;
      if (v !== v) continue;
      const k = Math.round(v * scale);
      if (k <= from) weight += RAW_WEIGHT;
      else if (k < to) sorted[between++] = k;
    }
    for (let r = 1; r < between; r++) { // insertion sort: a few values, and no allocation
      const k = sorted[r]!;
      let j = r - 1;
      for (; j >= 0 && sorted[j]! > k; j--) sorted[j + 1] = sorted[j]!;
      sorted[j + 1] = k;
    }
    for (let r = 0; r < between; r++) if (weight + (r + 1) * RAW_WEIGHT >= target) return sorted[r]!;
    return i < m ? s[keys + i]! : Number.NaN;
  }
}
