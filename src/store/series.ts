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
  /**
   * Default true: every column is as wide as the widest bucket in the range (one resolution throughout). False:
   * columns stay `(toTs - fromTs) / maxPoints` wide, and a bucket wider than that is a point of its own, so recent
   * minutes keep their detail next to older quarter hours (points then differ in width; `resolutionMs` says each).
   */
  widen?: boolean;
}

/** Min, count-weighted mean and max of one statistic over a column; null when the column has no value for it. */
export interface Band {
  min: number;
  mean: number;
  max: number;
}

/** One column of a chart: the observations whose time (a bucket's first) falls in `[fromTs, toTs)`, a slot of the
 * resolution (the first and last column can reach outside the range asked for, with a bucket that overlaps it); with
 * `widen: false`, a bucket wider than a column is a point from its first observation to the end of its slot. */
export interface SeriesPoint {
  fromTs: number;
  toTs: number;
  /** Observations (samples and down markers), and up samples among them. */
  samples: number;
  upSamples: number;
  cpuPercent: Band | null;
  rssBytes: Band | null;
  /** Width of the widest bucket folded into this point, ms; 0 when it holds raw rows only. */
  resolutionMs: number;
}

/** A chart of one unit: its points, oldest first, and the events drawn as markers. */
export interface Series {
  /** Width of a column, ms (with `widen: false`, bucket points can be wider). */
  resolutionMs: number;
  points: SeriesPoint[];
  /** `ts` of each `unit-restarted` event the store kept, and of each raw row whose process (pid, start time) differs
   * from the row before it (buckets keep no identity), ascending, once each. */
  restartsTs: number[];
  /** `ts` of each down marker that follows an up observation; for a bucket, its first ts (the marker is within it). */
  downTs: number[];
  /** Time of the first and last observation in the range (a bucket's first and last), NaN when there is none. */
  firstTs: number;
  lastTs: number;
}

/** Per point: count, sum, min, max for CPU and RSS. */
const NO_BAND = [0, 0, Infinity, -Infinity];

/**
 * Points for a chart of one unit: buckets (oldest tier first) and then raw rows in the range, which is their time
 * order, merged into columns aligned to multiples of the column width so that no bucket straddles two columns.
 */
export function seriesOf(window: UnitWindow, tiers: Tiers<unknown> | undefined, refs: TierRefs | undefined, pool: ChunkPool, codec: RowCodec,
  { fromTs, toTs, maxPoints, widen = true }: SeriesOptions, restartEventsTs: readonly number[] = []): Series {
  let columnMs = Math.max(1, Math.ceil((toTs - fromTs) / Math.max(1, Math.floor(maxPoints))));
  const inRange = (ts: number): boolean => ts >= fromTs && ts <= toTs;
  const visit = (f: (b: Float64Array, k: number) => void): void => {
    if (tiers !== undefined && refs !== undefined) tiers.forEach(refs, B.emptyBucket(), f);
  };
  // A bucket that overlaps the range counts whole: a chart clips it, and dropping it would leave a gap at the start.
  const overlaps = (b: Float64Array): boolean => b[B.LAST_TS]! >= fromTs && b[B.FIRST_TS]! <= toTs;
  if (widen) visit((b, k) => { if (overlaps(b)) columnMs = Math.max(columnMs, tiers!.plan.bucketMs[k]!); });
  const out: Series = { resolutionMs: columnMs, points: [], restartsTs: [], downTs: [], firstTs: NaN, lastTs: NaN };
  let open: { point: SeriesPoint; cpu: number[]; rss: number[] } | undefined;
  let openSlot = Number.NaN;
  const close = (): void => {
    if (open === undefined) return;
    open.point.cpuPercent = band(open.cpu);
    open.point.rssBytes = band(open.rss);
    out.points.push(open.point);
    open = undefined;
  };
  // One observation or bucket at `ts`, `widthMs` wide (0: a raw row): into the open column, or a new point.
  const add = (ts: number, widthMs: number, count: number, up: number, cpu: number[], rss: number[]): void => {
    const wide = widthMs > columnMs;
    const slot = wide ? Number.NaN : Math.floor(ts / columnMs);
    if (open === undefined || wide || slot !== openSlot) {
      const lastTo = open?.point.toTs ?? out.points.at(-1)?.toTs ?? -Infinity;
      close();
      const start = wide ? Math.floor(ts / widthMs) * widthMs : slot * columnMs;
      // A column after a wide bucket starts where the bucket ends, so points never overlap; a wide bucket starts at its
      // first observation, which tells a chart whether it began inside its window.
      const fromPointTs = wide ? Math.max(ts, lastTo) : Math.min(ts, Math.max(start, lastTo));
      open = { point: { fromTs: fromPointTs, toTs: start + (wide ? widthMs : columnMs), samples: 0, upSamples: 0,
        cpuPercent: null, rssBytes: null, resolutionMs: 0 }, cpu: [...NO_BAND], rss: [...NO_BAND] };
      openSlot = slot;
    }
    const p = open.point;
    p.samples += count; p.upSamples += up;
    p.resolutionMs = Math.max(p.resolutionMs, widthMs);
    fold(open.cpu, cpu);
    fold(open.rss, rss);
  };
  let wasUp = false;
  visit((b, k) => {
    const ts = b[B.FIRST_TS]!;
    if (!overlaps(b)) { wasUp = b[B.LAST_UP] === 1; return; }
    if (b[B.COUNT]! > b[B.UP]! && (wasUp || b[B.UP]! > 0)) out.downTs.push(ts);
    wasUp = b[B.LAST_UP] === 1;
    if (!(out.firstTs <= ts)) out.firstTs = ts;
    out.lastTs = b[B.LAST_TS]!;
    add(ts, tiers!.plan.bucketMs[k]!, b[B.COUNT]!, b[B.UP]!, [b[B.CPU_COUNT]!, b[B.CPU_SUM]!, b[B.CPU_MIN]!, b[B.CPU_MAX]!],
      [b[B.UP]!, b[B.RSS_SUM]!, b[B.RSS_MIN]!, b[B.RSS_MAX]!]);
  });
  let identity: string | undefined;
  for (let k = Math.max(0, window.firstIndexFrom(fromTs) - 1); k < window.length; k++) {
    const row = window.rowAt(k, codec.outgoing);
    if (row.ts > toTs) break;
    const id = row.up ? `${row.pid}:${row.startTimeMs}` : undefined;
    if (inRange(row.ts)) {
      if (!row.up && wasUp) out.downTs.push(row.ts);
      if (id !== undefined && identity !== undefined && id !== identity) out.restartsTs.push(row.ts);
      if (!(out.firstTs <= row.ts)) out.firstTs = row.ts;
      out.lastTs = row.ts;
      const cpu = row.up && row.cpuPercent !== null ? row.cpuPercent : Number.NaN;
      add(row.ts, 0, 1, row.up ? 1 : 0, cpu === cpu ? [1, cpu, cpu, cpu] : [0, 0, NaN, NaN],
        row.up ? [1, row.rssBytes, row.rssBytes, row.rssBytes] : [0, 0, NaN, NaN]);
    }
    identity = id ?? identity; // the row before the range is the baseline of restarts and downs
    wasUp = row.up;
  }
  close();
  const restarts = new Set([...restartEventsTs.filter(inRange), ...out.restartsTs]);
  out.restartsTs = [...restarts].sort((a, b) => a - b);
  return out;
}

/** Adds `[count, sum, min, max]` into `acc`. */
function fold(acc: number[], [count, sum, min, max]: number[]): void {
  if (!(count! > 0)) return;
  acc[0]! += count!; acc[1]! += sum!;
  if (min! < acc[2]!) acc[2] = min!;
  if (max! > acc[3]!) acc[3] = max!;
}

function band([count, sum, min, max]: number[]): Band | null {
  return count! > 0 ? { min: min!, mean: sum! / count!, max: max! } : null;
}
