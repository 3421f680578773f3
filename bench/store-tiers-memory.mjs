// Fills a tiered store with `units` units sampled at 1 Hz for `hours` of synthetic event time and measures what it
// costs: heap plus ArrayBuffer growth after full GCs, against the budget; and whether every unit is still summarizable
// over its whole history (its summary's first ts and observation count). Run with --expose-gc. Prints one JSON line.
// `measuredGrowthBytes` is taken after the fill, `growthAfterSummariesBytes` after one summary of every unit (which
// gives each unit its running totals, tier-totals.ts: what a store summarized every 10 s holds). `retainedBytes` is
// what dropping the store then frees: the store's own memory, without what the run grows in V8 itself (compiled
// code, internal caches such as the number-string cache), which the growth figures include.
// Usage: node --expose-gc bench/store-tiers-memory.mjs [units=1000] [hours=12] [budgetBytes=10485760]
import { WindowStore } from '../dist/store/window-store.js';
import { DEFAULT_TIER_PLAN } from '../dist/store/tiers.js';
import { sample } from '../dist/testing/index.js';
import { settle, used } from './_heap.mjs';
import { feedSecond } from './_tier-fill.mjs';

const units = Number(process.argv[2] ?? 1000);
const hours = Number(process.argv[3] ?? 12);
const budget = Number(process.argv[4] ?? 10 * 1024 * 1024);
const names = Array.from({ length: units }, (_, i) => `unit-${i}`);

/** Feeds a new store `seconds` rounds of one sample per unit (the WindowStore directly: no rxjs, to keep it short). */
function fill(maxMemoryBytes, seconds) {
  const store = new WindowStore({ retentionMs: 12 * 3_600_000, maxMemoryBytes, tiers: DEFAULT_TIER_PLAN });
  const left = { evicted: 0, bucket: 0, bucketBudget: 0 };
  const emit = (e) => { left[e.type] = (left[e.type] ?? 0) + 1; if (e.type === 'bucket' && e.reason === 'budget') left.bucketBudget++; };
  // One sample object per unit, re-stamped each round: the store copies what it keeps.
  const samples = names.map((name, u) => sample(name, 0, { pid: 1000 + u, missing: {} }));
  const t0 = 1_795_000_000_000;
  for (let s = 0; s < seconds; s++) feedSecond(store, samples, t0, s, emit);
  return { store, left, now: t0 + (seconds - 1) * 1000, t0 };
}

// Warm-up at the same size, summaries included: compiled code, inline caches and V8's caches that grow with the heap
// (the number-string cache, ~260 KB here) are not the store's memory. With a small warm-up store they were measured as
// growth: ~0.3 MB of the run's, which a heap snapshot does not find in the store.
{
  const warm = fill(budget, 3_600);
  for (const unit of warm.store.units()) warm.store.summary(unit, { now: warm.now, intervalMs: 1000 });
}
await settle();
const before = used();
const cpuStart = process.cpuUsage();
let { store, left, now, t0 } = fill(budget, hours * 3600);
const cpu = process.cpuUsage(cpuStart);
await settle();
const growth = used() - before;
let minSamples = Infinity, maxFirstTs = -Infinity, minBuckets = Infinity;
for (const unit of store.units()) {
  const s = store.summary(unit, { now, intervalMs: 1000 });
  minSamples = Math.min(minSamples, s.samples);
  maxFirstTs = Math.max(maxFirstTs, s.firstTs);
  minBuckets = Math.min(minBuckets, store.bucketCount(unit));
}
await settle();
const withStore = used();
const growthAfterSummaries = withStore - before;
const bytesUsed = store.bytesUsed();
const unitsKept = store.units().length;
store = null;
await settle();
const retained = withStore - used();
console.log(JSON.stringify({
  units, hours, budgetBytes: budget, bytesUsed, measuredGrowthBytes: growth,
  growthVsBudget: Number((growth / budget).toFixed(4)), growthAfterSummariesBytes: growthAfterSummaries,
  growthAfterSummariesVsBudget: Number((growthAfterSummaries / budget).toFixed(4)), retainedBytes: retained,
  retainedVsBudget: Number((retained / budget).toFixed(4)), ingestCpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
  unitsKept, minSamplesPerUnit: minSamples, expectedSamplesPerUnit: hours * 3600,
  maxFirstTsAgeMs: now - maxFirstTs, spanMs: now - t0, minBucketsPerUnit: minBuckets, left,
}));
