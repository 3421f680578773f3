import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SampleEvent, UnitDownEvent } from '../../src/events.js';
import { nearestRank } from '../../src/store/nearest-rank.js';
import { WindowStore } from '../../src/store/window-store.js';
import { down, sample } from '../../src/testing/index.js';

/** Narrow tiers, so that a few hundred rows fold through three tiers many times. */
const PLAN = { rawSlotMs: 10_000, bucketMs: [10_000, 60_000, 600_000] };

/** Rows with repeats, restarts, null CPU and IO, down markers and gaps; values on grids that f64 sums add exactly. */
const row = fc.record({
  gapMs: fc.oneof(fc.integer({ min: 0, max: 4_000 }), fc.integer({ min: 0, max: 700_000 })),
  kind: fc.constantFrom('sample', 'sample', 'sample', 'sample', 'down', 'restart'),
  cpuHalves: fc.option(fc.oneof(fc.constantFrom(0, 1, 25), fc.integer({ min: 0, max: 3_200 })), { nil: null }),
  rssKiB: fc.oneof(fc.constantFrom(1, 4096), fc.integer({ min: 0, max: 2 ** 31 })),
  ioStep: fc.option(fc.tuple(fc.nat(100_000), fc.nat(100_000)), { nil: null }),
});

type Row = typeof row extends fc.Arbitrary<infer T> ? T : never;

/** Rows whose p95 seldom moves (a few CPU and RSS values), so that summaries mostly reuse their running totals. */
const steadyRow = fc.record({
  gapMs: fc.oneof(fc.integer({ min: 0, max: 4_000 }), fc.integer({ min: 0, max: 70_000 })),
  kind: fc.constantFrom('sample', 'sample', 'sample', 'sample', 'sample', 'down', 'restart'),
  cpuHalves: fc.constantFrom(2, 2, 2, 2, 2, 4, null),
  rssKiB: fc.constantFrom(4096, 4096, 4096, 8192),
  ioStep: fc.option(fc.tuple(fc.nat(100_000), fc.nat(100_000)), { nil: null }),
});

function events(rows: Row[]): (SampleEvent | UnitDownEvent)[] {
  let ts = 1_795_000_000_000, pid = 1, read = 0, written = 0;
  return rows.map((r, i) => {
    ts += r.gapMs;
    if (r.kind === 'restart') { pid++; read = 0; written = 0; }
    if (r.ioStep !== null) { read += r.ioStep[0]; written += r.ioStep[1]; }
    return r.kind === 'down' ? down('api', ts) : sample('api', ts, {
      pid, cpuPercent: r.cpuHalves === null ? null : r.cpuHalves / 2, rssBytes: r.rssKiB * 1024,
      ioReadBytes: r.ioStep === null ? null : read, ioWriteBytes: r.ioStep === null ? null : written,
      cpuUserSeconds: i / 1e3, cpuSystemSeconds: i / 1e4,
    });
  });
}

/** Count, sum, min and max the plain way, from every row ingested. */
function truth(rows: (SampleEvent | UnitDownEvent)[]) {
  const up = rows.filter((r): r is SampleEvent => r.type === 'sample');
  const cpu = up.map((r) => r.cpuPercent).filter((x): x is number => x !== null);
  const rss = up.map((r) => r.rssBytes);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const stats = (xs: number[]) => (xs.length === 0 ? { mean: null, min: null, max: null }
    : { mean: sum(xs) / xs.length, min: Math.min(...xs), max: Math.max(...xs) });
  let readBytes = 0, readMs = 0, writeBytes = 0, writeMs = 0;
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1]!, rows[i]!];
    if (a.type !== 'sample' || b.type !== 'sample' || a.pid !== b.pid) continue;
    const delta = (p: number, c: number) => (c >= p ? c - p : c);
    if (a.ioReadBytes !== null && b.ioReadBytes !== null) { readBytes += delta(a.ioReadBytes, b.ioReadBytes); readMs += b.ts - a.ts; }
    if (a.ioWriteBytes !== null && b.ioWriteBytes !== null) { writeBytes += delta(a.ioWriteBytes, b.ioWriteBytes); writeMs += b.ts - a.ts; }
  }
  return {
    samples: rows.length, upSamples: up.length, firstTs: rows[0]!.ts, lastTs: rows.at(-1)!.ts,
    up: rows.at(-1)!.type === 'sample', cpu: stats(cpu), rss: stats(rss),
    cpuP95: cpu.length > 0 ? nearestRank(Float64Array.from(cpu), 0.95) : null,
    rssP95: rss.length > 0 ? nearestRank(Float64Array.from(rss), 0.95) : null,
    ioReadBytesPerSec: readMs > 0 ? (readBytes * 1000) / readMs : null,
    ioWriteBytesPerSec: writeMs > 0 ? (writeBytes * 1000) / writeMs : null,
  };
}

describe('tiers: folding rows into buckets and buckets into coarser ones', () => {
  it('preserves count, sum, min, max and IO exactly, and keeps p95 between the exact p95 and the max', () => {
    let folded = 0;
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 400 }), (plan) => {
        const rows = events(plan);
        const store = new WindowStore({ retentionMs: 1e12, maxMemoryBytes: 64 << 20, tiers: PLAN });
        const left: unknown[] = [];
        for (const r of rows) store.ingest(r, r.ts, (e) => left.push(e));
        expect(left).toEqual([]);
        const now = rows.at(-1)!.ts;
        const s = store.summary('api', { now, intervalMs: 1_000 })!;
        const t = truth(rows);
        if (store.bucketCount('api') > 0) folded++;
        expect(store.size('api') + store.bucketCount('api')).toBeGreaterThan(0);
        expect({ samples: s.samples, upSamples: s.upSamples, firstTs: s.firstTs, lastTs: s.lastTs, up: s.up })
          .toEqual({ samples: t.samples, upSamples: t.upSamples, firstTs: t.firstTs, lastTs: t.lastTs, up: t.up });
        expect({ mean: s.cpuPercent.mean, min: s.cpuPercent.min, max: s.cpuPercent.max }).toEqual(t.cpu);
        expect({ mean: s.rssBytes.mean, min: s.rssBytes.min, max: s.rssBytes.max }).toEqual(t.rss);
        expect([s.ioReadBytesPerSec, s.ioWriteBytesPerSec]).toEqual([t.ioReadBytesPerSec, t.ioWriteBytesPerSec]);
        for (const [estimate, exact, max] of [[s.cpuPercent.p95, t.cpuP95, t.cpu.max], [s.rssBytes.p95, t.rssP95, t.rss.max]]) {
          if (exact === null || exact === undefined) { expect(estimate).toBeNull(); continue; }
          expect(estimate).toBeGreaterThanOrEqual(exact);
          expect(estimate).toBeLessThanOrEqual(max as number);
        }
      }),
      { numRuns: 300 },
    );
    expect(folded).toBeGreaterThan(100); // most runs really went through the tiers
  });

  it('gives the same summary whether the unit was summarized all along (p95 probed from the last one) or never', () => {
    // The store keeps per unit the weights of the sketch points near its last p95 (QuantileWindow), and a tier summary
    // seeks its p95 there first, selecting from every point only when it lies outside. Whatever appends, folds, budget
    // and retention evictions and p95 moves came between, the answer must be the one a store that never summarized the
    // unit computes by selection.
    fc.assert(
      fc.property(fc.oneof(fc.array(row, { minLength: 1, maxLength: 300 }), fc.array(steadyRow, { minLength: 1, maxLength: 300 }),
        fc.array(steadyRow.map((r) => ({ ...r, cpuHalves: 2, rssKiB: 4096 })), { minLength: 1, maxLength: 300 })),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom(4 << 10, 16 << 10, 64 << 20), fc.constantFrom(120_000, 1e12), (plan, every, budget, retentionMs) => {
          const rows = events(plan);
          const limits = { retentionMs, maxMemoryBytes: budget, tiers: PLAN };
          /** Feeds rows [from, to) of the run into `store`, sweeping as the run does. */
          const feed = (store: WindowStore, out: unknown[], from: number, to: number): void => {
            for (let i = from; i < to; i++) {
              const r = rows[i]!;
              store.ingest(r, r.ts, (e) => out.push(e));
              if (i % 7 === 0) store.sweep(r.ts, (e) => out.push(e));
            }
          };
          const warm = new WindowStore(limits);
          const cold = new WindowStore(limits);
          const warmOut: unknown[] = [];
          const coldOut: unknown[] = [];
          rows.forEach((r, i) => {
            feed(warm, warmOut, i, i + 1);
            feed(cold, coldOut, i, i + 1);
            if (i % every !== 0) return;
            // Every summary along the way equals that of a store fed the same rows and never summarized.
            const fresh = new WindowStore(limits);
            feed(fresh, [], 0, i + 1);
            expect(warm.summary('api', { now: r.ts, intervalMs: 1_000 })).toEqual(fresh.summary('api', { now: r.ts, intervalMs: 1_000 }));
          });
          const now = rows.at(-1)!.ts;
          for (const windowMs of [undefined, 600_000, 60_000]) {
            const options = { now, intervalMs: 1_000, ...(windowMs === undefined ? {} : { windowMs }) };
            expect(warm.summary('api', options)).toEqual(cold.summary('api', options));
          }
          expect(warmOut).toEqual(coldOut); // summaries change nothing in the store
        }),
      { numRuns: 300 },
    );
  });
});
