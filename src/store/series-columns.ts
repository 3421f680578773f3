import type { Band, Series, SeriesOptions, SeriesPoint } from './series.js';
import type { StoreQuery } from './store-query.js';

/** Where {@link seriesColumns} lays points out: `[fromTs, toTs)` cut into `columns` equal columns. */
export interface SeriesColumnsOptions {
  fromTs: number;
  toTs: number;
  columns: number;
  /**
   * An empty column repeats the last point before it, without its counts, when that point was up throughout and ended
   * less than this long before the column (ms; default 0, never): columns narrower than the sampling interval then
   * draw a line, while longer silences, and silences after a down marker, stay gaps.
   */
  carryMs?: number;
}

/**
 * The points of a `series()` (oldest first) as the columns of a chart: each column is the merge of the points that
 * overlap it (bands by their extrema, means weighted by up samples, the coarsest resolution), or null where none
 * does. A point wider than a column, a bucket, fills every column it spans, so its band is drawn across them; its
 * counts go to the column it starts in, so a column's `samples` add up to the points'.
 */
export function seriesColumns(points: readonly SeriesPoint[], { fromTs, toTs, columns, carryMs = 0 }: SeriesColumnsOptions): (SeriesPoint | null)[] {
  const n = Math.max(1, Math.floor(columns));
  const step = (toTs - fromTs) / n;
  const out: (SeriesPoint | null)[] = [];
  let i = 0;
  let last: SeriesPoint | undefined;
  for (let c = 0; c < n; c++) {
    const b0 = fromTs + c * step;
    const b1 = c === n - 1 ? toTs : b0 + step;
    while (i < points.length && points[i]!.toTs <= b0) last = points[i++];
    let merged: SeriesPoint | null = null;
    let weight = 0; // up samples behind the merged means, counted or not
    for (let j = i; j < points.length && points[j]!.fromTs < b1; j++) {
      const p = points[j]!;
      // Counts go to the column a point starts in (or the first), so that they add up to the points' own.
      const counted = c === 0 || p.fromTs >= b0;
      merged = merge(merged, weight, p, counted);
      weight += p.upSamples;
    }
    // Only a line that was up carries on: after a down marker, an empty column is a gap.
    if (merged === null && last !== undefined && last.upSamples === last.samples && b0 - last.toTs < carryMs) {
      merged = { ...last, samples: 0, upSamples: 0 };
    }
    out.push(merged);
  }
  return out;
}

/** `b` merged into `a` (a new column when null), whose means weigh `wa` up samples: bands by their extrema, means
 * weighted by up samples; `b`'s counts only when `counted`. */
function merge(a: SeriesPoint | null, wa: number, b: SeriesPoint, counted: boolean): SeriesPoint {
  const samples = counted ? b.samples : 0;
  const upSamples = counted ? b.upSamples : 0;
  if (a === null) return { ...b, samples, upSamples };
  return {
    fromTs: Math.min(a.fromTs, b.fromTs), toTs: Math.max(a.toTs, b.toTs),
    samples: a.samples + samples, upSamples: a.upSamples + upSamples,
    cpuPercent: mergeBand(a.cpuPercent, wa, b.cpuPercent, b.upSamples),
    rssBytes: mergeBand(a.rssBytes, wa, b.rssBytes, b.upSamples),
    resolutionMs: Math.max(a.resolutionMs, b.resolutionMs),
  };
}

function mergeBand(a: Band | null, wa: number, b: Band | null, wb: number): Band | null {
  if (a === null || b === null) return a ?? b;
  const w = wa + wb;
  return { min: Math.min(a.min, b.min), max: Math.max(a.max, b.max), mean: w > 0 ? (a.mean * wa + b.mean * wb) / w : (a.mean + b.mean) / 2 };
}

/** A chart on the series' own grid: columns `columnMs` wide on its multiples, from `fromTs`, covering the range asked. */
export interface GridColumns {
  fromTs: number;
  columnMs: number;
  columns: (SeriesPoint | null)[];
  series: Series;
}

/**
 * `unit` over `[fromTs, toTs]` in columns on the grid `series()` uses with `widen: false` (multiples of the column
 * width): one grid slot per column, so no slot is split or drawn twice; a bucket wider than a column fills each column
 * it spans. That is `maxPoints` columns, or one more when the range does not start on a multiple. `extra` points,
 * older than the store's (a log's, on the same grid), are drawn before them.
 */
export function gridColumns(store: Pick<StoreQuery, 'series'>, unit: string, { fromTs, toTs, maxPoints }: SeriesOptions, extra: Series['points'] = []): GridColumns {
  const series = store.series(unit, { fromTs, toTs, maxPoints, widen: false });
  const columnMs = series.resolutionMs || 1;
  const gridFrom = Math.floor(fromTs / columnMs) * columnMs;
  const count = Math.floor(toTs / columnMs) - Math.floor(fromTs / columnMs) + 1;
  const points = extra.length === 0 ? series.points : [...extra, ...series.points];
  return { fromTs: gridFrom, columnMs, series, columns: seriesColumns(points, { fromTs: gridFrom, toTs: gridFrom + count * columnMs, columns: count }) };
}

/**
 * The last `columns` sampling intervals of `unit` up to its newest row (or `now` when it has none), one column each,
 * from every tier: what a sparkline draws. Each column holds one interval's rows, or the bucket that covers it once
 * its minute has folded. Starts at the unit's first observation in that span.
 */
export function recentColumns(store: Pick<StoreQuery, 'series' | 'latest'>, unit: string, { now, intervalMs, columns }: { now: number; intervalMs: number; columns: number }): (SeriesPoint | null)[] {
  const interval = Math.max(1, Math.round(intervalMs));
  const endTs = store.latest(unit, 1)[0]?.ts ?? now;
  const grid = gridColumns(store, unit, { fromTs: endTs - columns * interval + 1, toTs: endTs, maxPoints: columns });
  const out = grid.columns.slice(-columns);
  const first = out.findIndex((c) => c !== null);
  return first < 0 ? [] : out.slice(first);
}
