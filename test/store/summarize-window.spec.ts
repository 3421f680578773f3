import { describe, expect, it } from 'vitest';
import { nearestRank } from '../../src/store/nearest-rank.js';
import { WindowStore } from '../../src/store/window-store.js';
import { down, sample } from '../../src/testing/index.js';
import type { MetricEvent } from '../../src/events.js';

function storeWith(events: MetricEvent[], retentionMs = 3_600_000): WindowStore {
  const store = new WindowStore({ retentionMs, maxMemoryBytes: 1 << 20 });
  for (const e of events) store.ingest(e, e.ts, () => {});
  return store;
}

describe('summarizeWindow', () => {
  it('leaves down markers out of every average but counts them as samples', () => {
    const store = storeWith([
      sample('api', 0, { cpuPercent: 10, rssBytes: 1024 * 100 }),
      down('api', 1_000),
      down('api', 2_000),
      sample('api', 3_000, { cpuPercent: 30, rssBytes: 1024 * 300 }),
    ]);
    const s = store.summary('api', { now: 3_000, intervalMs: 1_000 })!;
    expect(s.samples).toBe(4);
    expect(s.upSamples).toBe(2);
    expect(s.cpuPercent).toEqual({ latest: 30, mean: 20, min: 10, max: 30, p95: 30 });
    expect(s.rssBytes).toEqual({ latest: 1024 * 300, mean: 1024 * 200, min: 1024 * 100, max: 1024 * 300, p95: 1024 * 300 });
    expect([s.firstTs, s.lastTs, s.up, s.stale]).toEqual([0, 3_000, true, false]);
  });

  it('gives RSS the min and nearest-rank p95 that CPU has, over up samples only', () => {
    const rows = Array.from({ length: 20 }, (_, i) => sample('api', i * 1_000, { rssBytes: 1024 * (20 - i) }));
    const store = storeWith([...rows, down('api', 20_000)]);
    const s = store.summary('api', { now: 20_000, intervalMs: 1_000 })!;
    expect(s.rssBytes).toMatchObject({ min: 1024, max: 1024 * 20, p95: 1024 * 19 });
  });

  it('reports no baseline as null CPU rather than zero', () => {
    const store = storeWith([sample('api', 0, { cpuPercent: null })]);
    const s = store.summary('api', { now: 0, intervalMs: 1_000 })!;
    expect(s.cpuPercent).toEqual({ latest: null, mean: null, min: null, max: null, p95: null });
    expect(s.rssBytes.latest).toBe(1_048_576);
  });

  it('computes p95 by nearest rank over up samples', () => {
    const events = Array.from({ length: 20 }, (_, i) => sample('api', i * 1_000, { cpuPercent: i + 1 }));
    const s = storeWith(events).summary('api', { now: 19_000, intervalMs: 1_000 })!;
    expect(s.cpuPercent.p95).toBe(19);
    expect(s.cpuPercent.mean).toBe(10.5);
  });

  it('selects the nearest-rank percentile of unsorted values', () => {
    const values = Float64Array.from([5, 3, 9, 1, 7, 2, 8, 6, 4, 10]);
    expect(nearestRank(values.slice(), 0.95)).toBe(10);
    expect(nearestRank(values.slice(), 0.5)).toBe(5);
    expect(nearestRank(values.slice(), 0.1)).toBe(1);
    expect(nearestRank(Float64Array.from([3, 3, 3, 1]), 0.95)).toBe(3);
  });

  it('computes IO rates from consecutive up samples of one process, skipping downtime and restarts', () => {
    const store = storeWith([
      sample('api', 0, { ioReadBytes: 0, ioWriteBytes: 1_000 }),
      sample('api', 1_000, { ioReadBytes: 4_000, ioWriteBytes: 3_000 }), // +4000 read, +2000 written in 1 s
      down('api', 2_000),
      sample('api', 3_000, { pid: 7, ioReadBytes: 50, ioWriteBytes: 50 }), // restarted: no delta across the gap
      sample('api', 5_000, { pid: 7, ioReadBytes: 2_050, ioWriteBytes: 50 }), // +2000 read in 2 s
    ]);
    const s = store.summary('api', { now: 5_000, intervalMs: 1_000 })!;
    expect(s.ioReadBytesPerSec).toBe(2_000); // 6000 bytes over 3 s of up-to-up time
    expect(s.ioWriteBytesPerSec).toBeCloseTo(2_000 / 3, 9);
  });

  it('is stale once the newest row is older than two intervals, and says when the unit is down', () => {
    const store = storeWith([sample('api', 0), down('api', 1_000)]);
    expect(store.summary('api', { now: 3_000, intervalMs: 1_000 })!.stale).toBe(false);
    const later = store.summary('api', { now: 3_001, intervalMs: 1_000 })!;
    expect([later.stale, later.up, later.ts]).toEqual([true, false, 3_001]);
  });

  it('summarizes only the requested span when windowMs is shorter than retention', () => {
    const events = [0, 1_000, 2_000, 3_000].map((t) => sample('api', t, { cpuPercent: t / 100 }));
    const s = storeWith(events).summary('api', { now: 3_000, windowMs: 1_000, intervalMs: 1_000 })!;
    expect([s.samples, s.firstTs, s.cpuPercent.min]).toEqual([2, 2_000, 20]);
  });
});
