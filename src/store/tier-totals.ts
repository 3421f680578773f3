/**
 * A unit's running totals of the buckets in a summary's span: the merged bucket (counts, sums, extrema, IO, first and
 * last) and the windows of sketch-point weights near its p95s (quantile-window.ts). Buckets change far less often than summaries run (tier 0 gains one a minute; the
 * rest changes once a quarter hour or on an eviction), so a summary that finds its totals still true adds only the
 * buckets appended since, and reads no other bucket: each bucket read is seven cache lines of the pool (bucket.ts),
 * which made reading them the main cost of a summary.
 *
 * The totals hold while the unit's tiers have no change but appends at the end of tier 0 (`Tiers.revisionOf`), the
 * span takes the same buckets (no first ts between the newest excluded and the oldest included one): a p95 that moves
 * keeps them true (the windows hold weights, not a verdict on one value). Otherwise they are rebuilt by one visit of every bucket. Appends are added in the order a
 * full visit adds them, so the totals are the same f64 values a fresh merge gives (property-tested).
 */
import * as B from './bucket.js';
import type { BucketMerger } from './merge-buckets.js';
import { type QuantileWindow, WINDOW_SLOTS } from './quantile-window.js';
import type { WeightedPoints } from './sketch.js';
import type { TierRefs, Tiers } from './tiers.js';

/** Slots: the revision, appends and drops they were taken at, the newest excluded first ts and how many buckets were
 * excluded (the oldest: a visit goes oldest first), the two windows, the bucket. */
const REV = 0, APPENDS = 1, DROPS = 2, LO = 3, EXCLUDED = 4, CPU_PROBE = 5, RSS_PROBE = CPU_PROBE + WINDOW_SLOTS, VALUE = RSS_PROBE + WINDOW_SLOTS;

/** A unit's running totals; a plain array of doubles, allocated at its size (see tiers.ts `create`). */
export type TierTotals = number[];

/** Totals that hold for nothing yet. */
export function createTierTotals(): TierTotals {
  return new Array<number>(VALUE + B.BUCKET_FIELDS).fill(Number.NaN);
}

/**
 * Leaves in `merger.value` the buckets of `refs` whose first ts is at least `fromTs`, values as kept
 * (`loadBucketAtRest`), and keeps them in `totals`; binds `cpu` and `rss` to the windows `totals` keeps of their
 * sketch points, centred on `cpuKey` and `rssKey` (the last p95s as keys). Returns true when it visited every bucket
 * and pushed their sketch points to `merger.cpu` and `merger.rss` too, which it does only when a key is NaN (a first
 * summary, which must select); false otherwise (a selection that follows visits the buckets once more).
 */
export function totalsInSpan(totals: TierTotals, tiers: Tiers<unknown>, refs: TierRefs, fromTs: number,
  merger: BucketMerger, cpu: QuantileWindow, rss: QuantileWindow, cpuKey: number, rssKey: number,
  bucket: Float64Array): boolean {
  const v = merger.value;
  let lo = totals[LO]!;
  cpu.bind(totals, CPU_PROBE);
  rss.bind(totals, RSS_PROBE);
  const hi = totals[VALUE + B.COUNT]! > 0 ? totals[VALUE + B.FIRST_TS]! : Number.POSITIVE_INFINITY;
  const appends = tiers.appendsOf(refs);
  // Removing the oldest buckets changes nothing while they are ones the span left out.
  const drops = tiers.dropsOf(refs);
  let excluded = totals[EXCLUDED]! - (drops - totals[DROPS]!);
  const held = totals[REV] === tiers.revisionOf(refs) && excluded >= 0 && lo < fromTs && fromTs <= hi;
  const added = appends - totals[APPENDS]!;
  totals[DROPS] = drops;
  totals[EXCLUDED] = excluded;
  if (held) {
    for (let i = 0; i < B.BUCKET_FIELDS; i++) v[i] = totals[VALUE + i]!;
    cpu.rekey(cpuKey, 1000);
    rss.rekey(rssKey, 1);
    if (added === 0) return false; // most summaries: nothing to visit (and no closure to allocate)
  }
  let collect = false;
  const visit = (b: Float64Array): void => {
    const firstTs = b[B.FIRST_TS]!;
    if (firstTs < fromTs) { if (firstTs > lo) lo = firstTs; excluded++; return; }
    merger.add(b, collect);
    cpu.addBucket(b, true);
    rss.addBucket(b, false);
  };
  if (held) {
    tiers.forEachNewest(refs, added, bucket, visit, B.loadBucketAtRest);
  } else {
    merger.reset();
    cpu.reset(cpuKey, 1000);
    rss.reset(rssKey, 1);
    collect = cpuKey !== cpuKey || rssKey !== rssKey;
    lo = Number.NEGATIVE_INFINITY;
    excluded = 0;
    tiers.forEach(refs, bucket, visit, B.loadBucketAtRest);
  }
  totals[REV] = tiers.revisionOf(refs);
  totals[APPENDS] = appends;
  totals[LO] = lo;
  totals[EXCLUDED] = excluded;
  for (let i = 0; i < B.BUCKET_FIELDS; i++) totals[VALUE + i] = v[i]!;
  return collect;
}

/**
 * Rebuilds `statistic`'s window from `points` (the buckets' sketch points, in the order a visit pushes them) around a
 * new key and keeps it in `totals`: after a selection outside the window, the next summary finds its totals true and
 * the window around its p95. `window` is reset; its weights are what a visit would have added, in the same order.
 */
export function reweigh(totals: TierTotals, statistic: 'cpu' | 'rss', window: QuantileWindow, key: number, scale: number,
  points: WeightedPoints): void {
  window.bind(totals, statistic === 'cpu' ? CPU_PROBE : RSS_PROBE);
  window.reset(key, scale);
  for (let i = 0; i < points.length; i++) window.add(points.values[i]!, points.weights[i]!);
}

