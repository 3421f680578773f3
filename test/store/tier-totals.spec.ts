import { describe, expect, it } from 'vitest';
import type { MetricEvent } from '../../src/events.js';
import { CHUNK_BYTES } from '../../src/store/chunk-pool.js';
import { DEFAULT_TIER_PLAN } from '../../src/store/tiers.js';
import { WindowStore, type StoreEvent } from '../../src/store/window-store.js';
import { sample } from '../../src/testing/index.js';

const T0 = 1_795_000_000_000;
const MINUTE = 60_000;

/** 1 Hz samples of `units` units whose CPU cycles (so the p95 moves) and RSS drifts; deterministic. */
function* session(units: number, seconds: number): Generator<MetricEvent> {
  for (let s = 0; s < seconds; s++) {
    for (let u = 0; u < units; u++) {
      yield sample(`unit-${u}`, T0 + s * 1_000, {
        pid: 100 + u, cpuPercent: ((s * 7 + u * 13) % 400) / 4, rssBytes: (1_000 + ((s * 31 + u) % 997)) * 1024,
        ioReadBytes: s * 4096, ioWriteBytes: s * 512, cpuUserSeconds: s / 100, cpuSystemSeconds: s / 1000,
      });
    }
  }
}

describe('running totals of summaries over tiers (tier-totals.ts)', () => {
  it('stay what a fresh merge gives while the budget and retention remove buckets between summaries', () => {
    // A budget short of the history, so the fullest unit keeps giving up its oldest bucket chunk, and spans that
    // leave the oldest buckets out (45 min) or take them all (the retention): the totals skip a rebuild only when
    // what left was outside their span.
    const units = 20, seconds = 4 * 3_600;
    const limits = { retentionMs: 90 * MINUTE, maxMemoryBytes: 110 * CHUNK_BYTES, tiers: DEFAULT_TIER_PLAN };
    const events = [...session(units, seconds)];
    const warm = new WindowStore(limits);
    const left = { budget: 0, retention: 0 };
    const count = (e: StoreEvent): void => {
      if (e.type === 'bucket' && (e.reason === 'budget' || e.reason === 'retention')) left[e.reason]++;
    };
    let checked = 0;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      warm.ingest(e, e.ts, count);
      if ((e.ts - T0) % MINUTE === 0 && e.unit === `unit-${units - 1}`) warm.sweep(e.ts, count);
      if ((e.ts - T0) % 10_000 !== 0 || e.unit !== `unit-${units - 1}`) continue;
      const round = (e.ts - T0) / 10_000;
      const windowMs = Math.floor(round / 30) % 2 === 0 ? 45 * MINUTE : undefined; // five minutes of each
      const options = { now: e.ts, intervalMs: 1_000, ...(windowMs === undefined ? {} : { windowMs }) };
      const summaries = warm.units().map((unit) => warm.summary(unit, options));
      if (round % 120 !== 119) continue; // every 20 minutes: against a store fed the same and never summarized
      const fresh = new WindowStore(limits);
      for (let k = 0; k <= i; k++) {
        const f = events[k]!;
        fresh.ingest(f, f.ts, () => {});
        if ((f.ts - T0) % MINUTE === 0 && f.unit === `unit-${units - 1}`) fresh.sweep(f.ts, () => {});
      }
      expect(summaries).toEqual(fresh.units().map((unit) => fresh.summary(unit, options)));
      checked++;
    }
    expect(checked).toBe(12);
    expect(left.budget).toBeGreaterThan(0); // buckets really left by the budget
    expect(left.retention).toBeGreaterThan(0); // and by retention
  });
});
