import * as B from './bucket.js';
import type { ChunkPool } from './chunk-pool.js';
import type { RowCodec } from './row-codec.js';
import type { TierRefs, Tiers } from './tiers.js';
import type { UnitWindow } from './unit-window.js';

/** What `series` covers: `[fromTs, toTs]`, in at most `maxPoints` columns. */
export interface SeriesOptions {
  fromTs: number;
  toTs: number;
  maxPoints: number;
}

/** Min, count-weighted mean and max of one statistic over a column; null when the column has no value for it. */
export interface Band {
  min: number;
  mean: number;
  max: number;
}

/** One column of a chart: the observations whose time (a bucket's first) falls in `[fromTs, toTs)`, a slot of the
 * resolution (the first and last column can reach outside the range asked for). */
export interface SeriesPoint {
  fromTs: number;
  toTs: number;
  /** Observations (samples and down markers), and up samples among them. */
  samples: number;
  upSamples: number;
  cpuPercent: Band | null;
  rssBytes: Band | null;
}

/** Per column: count, sum, min, max for CPU and RSS, then samples and up samples. */
const STRIDE = 10;

/**
 * Points for a chart of one unit: buckets and raw rows in the range, merged into columns `resolutionMs` wide, which is
 * the column width or, when wider, the widest bucket in the range (a column never splits a bucket).
 */
export function seriesOf(window: UnitWindow, tiers: Tiers<unknown> | undefined, refs: TierRefs | undefined, pool: ChunkPool, codec: RowCodec,
  { fromTs, toTs, maxPoints }: SeriesOptions): { resolutionMs: number; points: SeriesPoint[] } {
  let resolutionMs = Math.max(1, Math.ceil((toTs - fromTs) / Math.max(1, Math.floor(maxPoints))));
  const inRange = (ts: number): boolean => ts >= fromTs && ts <= toTs;
  const visit = (f: (b: Float64Array, k: number) => void): void => {
    if (tiers !== undefined && refs !== undefined) tiers.forEach(refs, B.emptyBucket(), f);
  };
  visit((b, k) => {
    if (inRange(b[B.FIRST_TS]!)) resolutionMs = Math.max(resolutionMs, tiers!.plan.bucketMs[k]!);
  });
  // Columns align to multiples of the resolution, as bucket slots do, so that no bucket straddles two columns.
  const firstColumnTs = Math.floor(fromTs / resolutionMs) * resolutionMs;
  const columns = Math.max(1, Math.floor(toTs / resolutionMs) - Math.floor(fromTs / resolutionMs) + 1);
  const acc = new Float64Array(columns * STRIDE);
  for (let c = 0; c < columns; c++) acc.fill(Infinity, c * STRIDE + 2, c * STRIDE + 3).fill(-Infinity, c * STRIDE + 3, c * STRIDE + 4)
    .fill(Infinity, c * STRIDE + 6, c * STRIDE + 7).fill(-Infinity, c * STRIDE + 7, c * STRIDE + 8);
  const add = (ts: number, count: number, up: number, cpu: number[], rss: number[]): void => {
    const o = Math.min(columns - 1, Math.floor((ts - firstColumnTs) / resolutionMs)) * STRIDE;
    acc[o + 8] = acc[o + 8]! + count; acc[o + 9] = acc[o + 9]! + up;
    fold(acc, o, cpu);
    fold(acc, o + 4, rss);
  };
  visit((b) => {
    if (!inRange(b[B.FIRST_TS]!)) return;
    add(b[B.FIRST_TS]!, b[B.COUNT]!, b[B.UP]!, [b[B.CPU_COUNT]!, b[B.CPU_SUM]!, b[B.CPU_MIN]!, b[B.CPU_MAX]!],
      [b[B.UP]!, b[B.RSS_SUM]!, b[B.RSS_MIN]!, b[B.RSS_MAX]!]);
  });
  for (let k = window.firstIndexFrom(fromTs); k < window.length; k++) {
    const row = window.rowAt(k, codec.outgoing);
    if (row.ts > toTs) break;
    const cpu = row.up && row.cpuPercent !== null ? row.cpuPercent : Number.NaN;
    add(row.ts, 1, row.up ? 1 : 0, cpu === cpu ? [1, cpu, cpu, cpu] : [0, 0, NaN, NaN],
      row.up ? [1, row.rssBytes, row.rssBytes, row.rssBytes] : [0, 0, NaN, NaN]);
  }
  const points: SeriesPoint[] = [];
  for (let c = 0; c < columns; c++) {
    const o = c * STRIDE;
    if (acc[o + 8] === 0) continue;
    const start = firstColumnTs + c * resolutionMs;
    points.push({ fromTs: start, toTs: start + resolutionMs, samples: acc[o + 8]!,
      upSamples: acc[o + 9]!, cpuPercent: band(acc, o), rssBytes: band(acc, o + 4) });
  }
  return { resolutionMs, points };
}

/** Adds `[count, sum, min, max]` into the four slots at `o`. */
function fold(acc: Float64Array, o: number, [count, sum, min, max]: number[]): void {
  if (!(count! > 0)) return;
  acc[o] = acc[o]! + count!; acc[o + 1] = acc[o + 1]! + sum!;
  if (min! < acc[o + 2]!) acc[o + 2] = min!;
  if (max! > acc[o + 3]!) acc[o + 3] = max!;
}

function band(acc: Float64Array, o: number): Band | null {
  return acc[o]! > 0 ? { min: acc[o + 2]!, mean: acc[o + 1]! / acc[o]!, max: acc[o + 3]! } : null;
}
