import type { SummaryEvent } from '../events.js';
import * as B from './bucket.js';
import type { ChunkPool } from './chunk-pool.js';
import type { BucketMerger } from './merge-buckets.js';
import type { QuantileWindow } from './quantile-window.js';
import { RAW_WEIGHT, type WeightedPoints } from './sketch.js';
import * as S from './summarize-window.js';
import { reweigh, type TierTotals, totalsInSpan } from './tier-totals.js';
import type { TierRefs, Tiers } from './tiers.js';
import { roundCpu, type UnitWindow } from './unit-window.js';

const lower = (a: number, b: number): number => (b < a ? b : a);
const higher = (a: number, b: number): number => (b > a ? b : a);

/** The two windows a tier summary weighs its points with (one per statistic), and room to keep the buckets' points
 * while a selection reorders them; owned by the store like its scratch. */
export interface TierProbes {
  cpu: QuantileWindow;
  rss: QuantileWindow;
  keptCpu: WeightedPoints;
  keptRss: WeightedPoints;
}

/**
 * A summary over a unit's buckets and raw rows: the buckets whose first observation is inside the span count whole,
 * then the raw rows in the span. Counts, sums and extrema are exact; p95 is exact when no bucket is in the span and
 * otherwise read from the buckets' sketches with each raw value as one observation (an upper estimate; sketch.ts).
 *
 * The buckets come from the unit's running totals (tier-totals.ts: usually no bucket is read at all), the rows from
 * one pass over the span's rows, values as kept (bucket.ts `loadBucketAtRest`): the p95 is first sought among the
 * weights the totals keep near the unit's previous one (`QuantileWindow`) and the raw values, and only when it lies
 * outside that window are the points collected and selected from, in a pass over the buckets. Sums over buckets run
 * in bucket order.
 */
export function summarizeTiers(
  unit: string, window: UnitWindow, tiers: Tiers<unknown>, refs: TierRefs, pool: ChunkPool, options: S.WindowSummaryOptions,
  scratch: S.SummaryScratch, merger: BucketMerger, guess: S.P95Guess, cursor: S.IoCursor, bucket: Float64Array,
  probes: TierProbes, totals: TierTotals,
): SummaryEvent {
  const fromTs = options.now - options.windowMs;
  const { cpu, rss } = probes;
  // The windows centre on the last p95s as keys: a rounded CPU figure against f32 points as kept (scale 1000), a
  // multiple of 1024 bytes against points in KiB (scale 1).
  const collected = totalsInSpan(totals, tiers, refs, fromTs, merger, cpu, rss, Math.round(guess.cpuP95 * 1000),
    guess.rssP95 / 1024, bucket);
  const m = merger.value;
  if (m[B.COUNT] === 0) return S.summarizeWindow(unit, window, pool, options, scratch, guess);
  const start = window.firstIndexFrom(fromTs);
  S.scan(window, pool, start, scratch, cursor, true); // the buckets in the span end where the raw rows begin
  const { acc } = scratch;
  const rawUp = acc[S.UP_SAMPLES]!;
  const rawCpu = acc[S.CPU_COUNT]!;
  const rawRows = window.length - start;
  if (rawUp === 0) { acc[S.CPU_LATEST] = roundCpu(m[B.CPU_LAST]!); acc[S.RSS_LATEST] = m[B.RSS_LAST]! * 1024; }
  if (rawRows === 0) { acc[S.LAST_TS] = m[B.LAST_TS]!; acc[S.LAST_UP] = m[B.LAST_UP]!; }
  acc[S.FIRST_TS] = m[B.FIRST_TS]!;
  acc[S.CPU_COUNT] = rawCpu + m[B.CPU_COUNT]!;
  acc[S.CPU_SUM] = m[B.CPU_SUM]! + acc[S.CPU_SUM]!;
  acc[S.UP_SAMPLES] = rawUp + m[B.UP]!;
  acc[S.RSS_SUM] = m[B.RSS_SUM]! + acc[S.RSS_SUM]!;
  if (m[B.CPU_COUNT]! > 0) {
    acc[S.CPU_MIN] = lower(acc[S.CPU_MIN]!, roundCpu(m[B.CPU_MIN]!));
    acc[S.CPU_MAX] = higher(acc[S.CPU_MAX]!, roundCpu(m[B.CPU_MAX]!));
  }
  if (m[B.UP]! > 0) {
    acc[S.RSS_MIN] = lower(acc[S.RSS_MIN]!, m[B.RSS_MIN]! * 1024);
    acc[S.RSS_MAX] = higher(acc[S.RSS_MAX]!, m[B.RSS_MAX]! * 1024);
  }
  acc[S.READ_BYTES] = acc[S.READ_BYTES]! + m[B.READ_BYTES]!; acc[S.READ_MS] = acc[S.READ_MS]! + m[B.READ_MS]!;
  acc[S.WRITE_BYTES] = acc[S.WRITE_BYTES]! + m[B.WRITE_BYTES]!; acc[S.WRITE_MS] = acc[S.WRITE_MS]! + m[B.WRITE_MS]!;
  // The p95s as keys (thousandths of a percent, KiB), NaN where the window cannot tell: then select from every point.
  const cpuKey = acc[S.CPU_COUNT]! > 0 ? cpu.resolve(0.95, scratch.cpu, rawCpu, scratch.above) : 0;
  const rssKey = acc[S.UP_SAMPLES]! > 0 ? rss.resolve(0.95, scratch.rss, rawUp, scratch.above) : 0;
  const cpuMoved = cpuKey !== cpuKey;
  const rssMoved = rssKey !== rssKey;
  if (cpuMoved || rssMoved) { // select among the points the windows weighed, collected in the same order
    if (!collected) {
      merger.reset();
      tiers.forEach(refs, bucket, (b) => { if (b[B.FIRST_TS]! >= fromTs) merger.add(b); }, B.loadBucketAtRest);
    }
    probes.keptCpu.copyFrom(merger.cpu, merger.cpu.length); // the buckets' points, before the selection reorders them
    probes.keptRss.copyFrom(merger.rss, merger.rss.length);
    for (let i = 0; i < rawCpu; i++) merger.cpu.add(scratch.cpu[i]!, RAW_WEIGHT);
    for (let i = 0; i < rawUp; i++) merger.rss.add(scratch.rss[i]!, RAW_WEIGHT);
  }
  // `+ 0` turns -0 into 0: which zero a selection returns depends on the order it visits equal values in.
  const cpuP95 = acc[S.CPU_COUNT]! === 0 ? null : (cpuMoved ? roundCpu(merger.cpu.quantile(0.95)) : cpuKey / 1000) + 0;
  const rssP95 = acc[S.UP_SAMPLES]! === 0 ? null : (rssMoved ? merger.rss.quantile(0.95) : rssKey) * 1024;
  guess.cpuP95 = cpuP95 ?? Number.NaN;
  guess.rssP95 = rssP95 ?? Number.NaN;
  // A window that could not tell is rebuilt around the new p95 from the points (no second visit), so the next
  // summary's totals hold.
  if (cpuMoved) reweigh(totals, 'cpu', cpu, Math.round(guess.cpuP95 * 1000), 1000, probes.keptCpu);
  if (rssMoved) reweigh(totals, 'rss', rss, guess.rssP95 / 1024, 1, probes.keptRss);
  return S.summaryFromAcc(unit, options, acc, m[B.COUNT]! + rawRows, cpuP95, rssP95);
}
