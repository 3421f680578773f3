import { describe, expect, it } from 'vitest';
import { type BucketEvent, isMetricEvent, type MetricEvent, type SampleEvent } from '../../src/events.js';
import { CHUNK_BYTES } from '../../src/store/chunk-pool.js';
import { DEFAULT_TIER_PLAN } from '../../src/store/tiers.js';
import { WindowStore, type StoreEvent } from '../../src/store/window-store.js';
import { down, sample } from '../../src/testing/index.js';

const T0 = 1_795_000_000_000;
const HOUR = 3_600_000;

/** A 1 Hz session of `units` units over `seconds`, with downtime, restarts and IO; deterministic. */
function* session(units: number, seconds: number): Generator<MetricEvent> {
  for (let s = 0; s < seconds; s++) {
    for (let u = 0; u < units; u++) {
      const ts = T0 + s * 1_000;
      if (u === 1 && s % 1_800 >= 1_700) { yield down(`unit-${u}`, ts); continue; }
      const generation = Math.floor(s / 5_000);
      yield sample(`unit-${u}`, ts, {
        pid: 100 + u * 10 + generation, startTimeMs: generation, cpuPercent: s % 97 === 0 ? null : ((s * 7 + u * 13) % 400) / 4,
        rssBytes: (1_000 + ((s * 31 + u) % 997)) * 1024, ioReadBytes: (s % 5_000) * 4096, ioWriteBytes: (s % 5_000) * 512,
        cpuUserSeconds: s / 100, cpuSystemSeconds: s / 1000,
      });
    }
  }
}

describe('tiers in the store', () => {
  it('keeps the budget fair across tiers and lets nothing leave silently', () => {
    const units = 20;
    const budget = 100 * CHUNK_BYTES; // about 5 chunks a unit, where 6 hours need 7
    const store = new WindowStore({ retentionMs: 12 * HOUR, maxMemoryBytes: budget, tiers: DEFAULT_TIER_PLAN });
    const ingested = new Map<string, number>();
    const left = new Map<string, number>();
    const leave = (e: StoreEvent) => {
      const n = e.type === 'bucket' ? e.samples : e.type === 'evicted' ? 1 : 0;
      left.set(e.unit, (left.get(e.unit) ?? 0) + n);
    };
    let now = 0;
    for (const e of session(units, 6 * 3_600)) {
      now = e.ts;
      ingested.set(e.unit, (ingested.get(e.unit) ?? 0) + 1);
      store.ingest(e, now, leave);
      if (e.unit === 'unit-0' && (e.ts - T0) % 60_000 === 0) {
        store.sweep(now, leave);
        expect(store.bytesUsed()).toBeLessThanOrEqual(budget);
      }
    }
    const spans: number[] = [];
    for (const unit of store.units()) {
      const s = store.summary(unit, { now, intervalMs: 1_000 })!;
      // every observation is in the summary or left in exactly one evicted or bucket event
      expect(s.samples + (left.get(unit) ?? 0)).toBe(ingested.get(unit));
      spans.push(now - s.firstTs!);
    }
    expect(spans).toHaveLength(units);
    expect([...left.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0); // the budget really was short
    expect(Math.min(...spans)).toBeGreaterThan(HOUR); // buckets, not raw rows, hold the history
    expect(Math.max(...spans)).toBeLessThanOrEqual(2 * Math.min(...spans));
  });

  it('rebuilds from its bucket and evicted events (as NDJSON) the summaries of a store that kept everything', () => {
    const live = new WindowStore({ retentionMs: 2 * HOUR, maxMemoryBytes: 64 << 20, tiers: DEFAULT_TIER_PLAN });
    const reference = new WindowStore({ retentionMs: 1e12, maxMemoryBytes: 64 << 20, tiers: DEFAULT_TIER_PLAN });
    const lines: string[] = [];
    const record = (e: StoreEvent) => lines.push(JSON.stringify(e));
    let now = 0;
    for (const e of session(3, 5 * 3_600 + 17)) {
      now = e.ts;
      live.ingest(e, now, record);
      reference.ingest(e, now, () => {});
      if ((e.ts - T0) % 1_000 === 0) live.sweep(now, record);
    }
    live.sweep(now + 1e12, record); // everything leaves now: buckets first, then the raw rows
    expect(live.units()).toEqual([]);
    const replayed = new WindowStore({ retentionMs: 1e12, maxMemoryBytes: 64 << 20, tiers: DEFAULT_TIER_PLAN });
    const events = lines.map((l) => JSON.parse(l) as unknown).filter(isMetricEvent);
    expect(events).toHaveLength(lines.length);
    expect(events.filter((e) => e.type === 'bucket').length).toBeGreaterThan(20);
    for (const e of events) {
      if (e.type === 'bucket' || e.type === 'evicted') replayed.ingest(e.type === 'evicted' ? e.event : e, now, () => {});
    }
    for (const unit of reference.units()) {
      const want = reference.summary(unit, { now, intervalMs: 1_000 })!;
      const got = replayed.summary(unit, { now, intervalMs: 1_000 })!;
      // Bucket events do not carry the last folded row, so the replay misses one IO delta, at most one interval's.
      expect({ ...got, ioReadBytesPerSec: 0, ioWriteBytesPerSec: 0 }).toEqual({ ...want, ioReadBytesPerSec: 0, ioWriteBytesPerSec: 0 });
      expect(got.ioReadBytesPerSec).toBeCloseTo(want.ioReadBytesPerSec!, -1);
      expect(replayed.bucketCount(unit)).toBe(reference.bucketCount(unit));
    }
  });

  it('sends back a replayed bucket older than its tier holds, as out-of-order', () => {
    const store = new WindowStore({ retentionMs: 1e12, maxMemoryBytes: 1 << 20, tiers: DEFAULT_TIER_PLAN });
    const out: StoreEvent[] = [];
    for (const e of session(1, 3_600)) store.ingest(e, e.ts, (x) => out.push(x));
    const old = { type: 'bucket', v: 1, unit: 'unit-0', ts: T0, reason: 'retention', widthMs: 900_000, firstTs: T0 - HOUR,
      lastTs: T0 - HOUR + 899_000, samples: 900, upSamples: 900, up: true,
      cpuPercent: { count: 900, sum: 900, min: 1, max: 1, last: 1, p90: 1, p95: 1 },
      rssBytes: { count: 900, sum: 900 * 4096, min: 4096, max: 4096, last: 4096, p90: 4096, p95: 4096 },
      ioReadBytes: 0, ioReadMs: 0, ioWriteBytes: 0, ioWriteMs: 0 } satisfies BucketEvent;
    const before = store.summary('unit-0', { now: T0 + HOUR, intervalMs: 1_000 });
    store.ingest(old, T0 + HOUR, (x) => out.push(x));
    expect(out).toEqual([{ ...old, ts: T0 + HOUR, reason: 'out-of-order' }]);
    expect(store.summary('unit-0', { now: T0 + HOUR, intervalMs: 1_000 })).toEqual(before);
  });

  it('draws a series from buckets and raw rows, with min/mean/max bands and the resolution it used', () => {
    const store = new WindowStore({ retentionMs: 12 * HOUR, maxMemoryBytes: 1 << 20, tiers: DEFAULT_TIER_PLAN });
    const rows: SampleEvent[] = [];
    for (const e of session(1, 3 * 3_600)) { store.ingest(e, e.ts, () => {}); if (e.type === 'sample') rows.push(e); }
    const toTs = rows.at(-1)!.ts;
    const { resolutionMs, points } = store.series('unit-0', { fromTs: T0, toTs, maxPoints: 60 });
    expect(resolutionMs).toBe(15 * 60_000); // the 15-minute buckets set it: 3 h in 60 columns would be 3 minutes
    expect(points.reduce((n, p) => n + p.samples, 0)).toBe(3 * 3_600);
    for (const p of points) {
      const inside = rows.filter((r) => r.cpuPercent !== null && r.ts >= p.fromTs && r.ts < p.toTs).map((r) => r.cpuPercent!);
      // columns are slots of the resolution, as buckets are, so each bucket and row falls inside one
      expect(p.cpuPercent).toEqual({ min: Math.min(...inside), max: Math.max(...inside), mean: expect.closeTo(inside.reduce((a, b) => a + b, 0) / inside.length, 9) });
    }
    const recent = store.series('unit-0', { fromTs: toTs - 30_000, toTs, maxPoints: 30 });
    expect(recent.resolutionMs).toBe(1_000); // the raw rows of the current minute
    const rawInRange = store.window('unit-0').filter((r) => r.ts >= toTs - 30_000);
    expect(rawInRange.length).toBeGreaterThan(0);
    expect(recent.points.map((p) => p.fromTs)).toEqual(rawInRange.map((r) => r.ts)); // one point per second, raw
  });
});
