import { type BucketEvent, EVENT_FORMAT_VERSION, MAX_TS_MS, type MetricEvent } from '../events.js';
import type { TierPlan } from './tiers.js';
import { type StoreEvent, WindowStore } from './window-store.js';

/** The width of the first bucket tier of the log: rows of one minute fold into one bucket, as in the store. */
export const LOG_MINUTE_MS = 60_000;

/**
 * Folds a run of log events into buckets of `widthMs` (60 000: rows into 1-minute buckets; 900 000: 1-minute buckets
 * into 15-minute ones) with the store's own tiers, so a compacted log replays into a tiered store exactly as the live
 * store folded the same rows: same slots, same quantization (RSS in KiB, CPU to 0.001 %), same IO cursor, same
 * sketches. Samples, down markers and buckets fold; every other event (unit-added/removed/restarted, tick, dropped,
 * error) is kept as it is, and so is a row or bucket the store refuses as out of order. At the end every unit's
 * open slot is folded too, so a slot cut by the end of the run becomes a partial bucket, which a reader's store merges
 * with the rest of that slot (counts and sums stay exact; that slot's p95 becomes an estimate, docs/spillover.md).
 */
export class LogCompactor {
  private readonly store: WindowStore;
  private readonly kept: MetricEvent[] = [];
  private readonly plan: TierPlan;
  private current: MetricEvent | undefined;
  private readonly onStoreEvent = (e: StoreEvent): void => {
    // While ingesting, the store only refuses out-of-order rows and buckets: they stay in the log as they were.
    if (e.type === 'evicted' || e.type === 'bucket') this.kept.push(this.current as MetricEvent);
  };

  constructor(readonly widthMs: number) {
    const bucketMs = widthMs <= LOG_MINUTE_MS ? [LOG_MINUTE_MS] : [LOG_MINUTE_MS, widthMs];
    this.plan = { rawSlotMs: LOG_MINUTE_MS, bucketMs };
    // No budget and no sweep until `finish`: nothing leaves before it is folded.
    this.store = new WindowStore({ retentionMs: 1, maxMemoryBytes: Number.POSITIVE_INFINITY, tiers: this.plan });
  }

  /** Adds the next event of the log, in log order; an `evicted` line counts as the row it carries. */
  add(event: MetricEvent): void {
    const e = event.type === 'evicted' ? event.event : event;
    if (e.type !== 'sample' && e.type !== 'unit-down' && e.type !== 'bucket') {
      this.kept.push(e);
      return;
    }
    this.current = e;
    this.store.ingest(e, e.ts, this.onStoreEvent);
  }

  /** The compacted events in time order (a bucket at its `lastTs`, which it carries as `ts`; the kept events in their
   * log order); ends the compactor. */
  finish(): MetricEvent[] {
    const far = MAX_TS_MS;
    const ignore = (): void => undefined;
    // A row and a bucket far in the future start a new slot in every tier, which folds each unit's open slots down.
    for (const unit of this.store.units()) {
      this.store.ingest({ type: 'unit-down', v: EVENT_FORMAT_VERSION, unit, ts: far, reason: 'compaction' }, far, ignore);
      if (this.plan.bucketMs.length > 1) this.store.ingest(farBucket(unit, far), far, ignore);
    }
    const buckets: BucketEvent[] = [];
    this.store.sweep(Number.POSITIVE_INFINITY, (e) => {
      if (e.type === 'bucket' && e.firstTs < far) buckets.push({ ...e, ts: e.lastTs, reason: 'compacted' });
    });
    // Stable, so a unit's buckets stay oldest first; then merged into the kept events, which are in log order: no
    // sort of the (many more) kept ticks, each bucket after the kept events up to its ts.
    buckets.sort((a, b) => a.ts - b.ts);
    const out: MetricEvent[] = [];
    let k = 0;
    for (const b of buckets) {
      while (k < this.kept.length && (this.kept[k] as MetricEvent).ts <= b.ts) out.push(this.kept[k++] as MetricEvent);
      out.push(b);
    }
    while (k < this.kept.length) out.push(this.kept[k++] as MetricEvent);
    return out;
  }
}

const farBucket = (unit: string, ts: number): BucketEvent => {
  const none = { count: 0, sum: 0, min: null, max: null, last: null, p90: null, p95: null };
  return { type: 'bucket', v: EVENT_FORMAT_VERSION, unit, ts, reason: 'compacted', widthMs: LOG_MINUTE_MS, firstTs: ts,
    lastTs: ts, samples: 1, upSamples: 0, up: false, cpuPercent: none, rssBytes: none, ioReadBytes: 0, ioReadMs: 0,
    ioWriteBytes: 0, ioWriteMs: 0 };
};
