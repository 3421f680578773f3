import type { SampleEvent, UnitDownEvent } from '../events.js';

/** Where and how finely {@link seriesBuckets} cuts a time range. */
export interface SeriesRange {
  /** Start of the first bucket, ms since the epoch (inclusive). */
  fromMs: number;
  /** End of the last bucket, ms since the epoch (inclusive). */
  toMs: number;
  /** Number of buckets, at least 1. */
  points: number;
}

/**
 * One unit's history cut into equal buckets, as columns (the layout uPlot draws): per bucket the min, mean and max of
 * CPU percent and RSS bytes over the up samples in it, `null` where it holds none (downtime, or no sampling), so a
 * chart shows a gap rather than a fake zero. `restartsMs` holds the ts of each sample whose process identity (pid,
 * start time) differs from the sample before it; `downMs` the ts of each down marker that follows an up row.
 */
export interface SeriesBuckets {
  fromMs: number;
  toMs: number;
  bucketMs: number;
  /** Start of each bucket, ms since the epoch. */
  ts: number[];
  cpuMin: (number | null)[];
  cpuMean: (number | null)[];
  cpuMax: (number | null)[];
  rssMin: (number | null)[];
  rssMean: (number | null)[];
  rssMax: (number | null)[];
  /** Up samples per bucket. */
  samples: number[];
  restartsMs: number[];
  downMs: number[];
}

/** min/mean/max columns of one measure, filled bucket by bucket. */
class Column {
  readonly min: (number | null)[];
  readonly max: (number | null)[];
  readonly sum: number[];
  readonly n: number[];
  constructor(points: number) {
    this.min = new Array<number | null>(points).fill(null);
    this.max = new Array<number | null>(points).fill(null);
    this.sum = new Array<number>(points).fill(0);
    this.n = new Array<number>(points).fill(0);
  }
  add(i: number, v: number | null): void {
    if (v === null || !Number.isFinite(v)) return; // no CPU baseline yet: not a zero
    const lo = this.min[i];
    const hi = this.max[i];
    this.min[i] = lo === null || lo === undefined || v < lo ? v : lo;
    this.max[i] = hi === null || hi === undefined || v > hi ? v : hi;
    this.sum[i] = (this.sum[i] ?? 0) + v;
    this.n[i] = (this.n[i] ?? 0) + 1;
  }
  mean(): (number | null)[] {
    return this.sum.map((s, i) => (this.n[i] ? s / (this.n[i] as number) : null));
  }
}

/**
 * Downsamples `rows` (one unit's samples and down markers, oldest first, as `store.window(unit)` returns them) into
 * `range.points` buckets. Rows outside the range are skipped, but still count as the baseline for restart detection.
 */
export function seriesBuckets(rows: Iterable<SampleEvent | UnitDownEvent>, range: SeriesRange): SeriesBuckets {
  const points = Math.max(1, Math.floor(range.points));
  const { fromMs, toMs } = range;
  const bucketMs = Math.max(1, (toMs - fromMs) / points);
  const cpu = new Column(points);
  const rss = new Column(points);
  const samples = new Array<number>(points).fill(0);
  const restartsMs: number[] = [];
  const downMs: number[] = [];
  let identity: string | undefined;
  let wasUp = false;
  for (const row of rows) {
    const inside = row.ts >= fromMs && row.ts <= toMs;
    if (row.type === 'unit-down') {
      if (inside && wasUp) downMs.push(row.ts);
      wasUp = false;
      continue;
    }
    const id = `${row.pid}:${row.startTimeMs}`;
    if (inside && identity !== undefined && id !== identity) restartsMs.push(row.ts);
    identity = id;
    wasUp = true;
    if (!inside) continue;
    const i = Math.min(points - 1, Math.floor((row.ts - fromMs) / bucketMs));
    cpu.add(i, row.cpuPercent);
    rss.add(i, row.rssBytes);
    samples[i] = (samples[i] ?? 0) + 1;
  }
  return {
    fromMs, toMs, bucketMs,
    ts: Array.from({ length: points }, (_, i) => Math.round(fromMs + i * bucketMs)),
    cpuMin: cpu.min, cpuMean: cpu.mean(), cpuMax: cpu.max,
    rssMin: rss.min, rssMean: rss.mean(), rssMax: rss.max,
    samples, restartsMs, downMs,
  };
}
