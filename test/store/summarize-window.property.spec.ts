import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SampleEvent, SummaryEvent, UnitDownEvent } from '../../src/events.js';
import { CHUNK_BYTES } from '../../src/store/chunk-pool.js';
import { nearestRank, nearestRankNear } from '../../src/store/nearest-rank.js';
import { WindowStore } from '../../src/store/window-store.js';
import { down, sample } from '../../src/testing/index.js';

/** The summary computed the plain way, from the rows as `window()` decodes them: sums in row order, p95 by sort. */
function reference(rows: (SampleEvent | UnitDownEvent)[], now: number, windowMs: number, intervalMs: number) {
  const inSpan = rows.filter((r) => r.ts >= now - windowMs);
  const up = inSpan.filter((r): r is SampleEvent => r.type === 'sample');
  const cpu = up.map((r) => r.cpuPercent).filter((x): x is number => x !== null);
  const rss = up.map((r) => r.rssBytes);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.max(1, Math.ceil(0.95 * xs.length)) - 1]!;
  const stats = (xs: number[], latest: number | null) => xs.length === 0
    ? { latest, mean: null, min: null, max: null, p95: null }
    : { latest, mean: sum(xs) / xs.length, min: Math.min(...xs), max: Math.max(...xs), p95: p95(xs) };
  let readBytes = 0, readMs = 0, writeBytes = 0, writeMs = 0;
  for (let i = 1; i < inSpan.length; i++) {
    const [a, b] = [inSpan[i - 1]!, inSpan[i]!];
    if (a.type !== 'sample' || b.type !== 'sample' || a.pid !== b.pid || a.startTimeMs !== b.startTimeMs) continue;
    const delta = (p: number, c: number) => (c >= p ? c - p : c);
    if (a.ioReadBytes !== null && b.ioReadBytes !== null) { readBytes += delta(a.ioReadBytes, b.ioReadBytes); readMs += b.ts - a.ts; }
    if (a.ioWriteBytes !== null && b.ioWriteBytes !== null) { writeBytes += delta(a.ioWriteBytes, b.ioWriteBytes); writeMs += b.ts - a.ts; }
  }
  const last = inSpan.at(-1);
  const lastUp = up.at(-1);
  return {
    firstTs: inSpan[0]?.ts ?? null, lastTs: last?.ts ?? null, samples: inSpan.length, upSamples: up.length,
    up: last?.type === 'sample', stale: last === undefined || now - last.ts > 2 * intervalMs,
    cpuPercent: stats(cpu, lastUp === undefined ? null : lastUp.cpuPercent),
    rssBytes: stats(rss, lastUp === undefined ? null : lastUp.rssBytes),
    ioReadBytesPerSec: readMs > 0 ? (readBytes * 1000) / readMs : null,
    ioWriteBytesPerSec: writeMs > 0 ? (writeBytes * 1000) / writeMs : null,
  };
}

const pick = ({ type: _t, v: _v, unit: _u, ts: _ts, windowMs: _w, ...rest }: SummaryEvent) => rest;

/** Rows with repeats (so p95 often equals its neighbours), restarts, null CPU and IO, down markers, and jumps. */
const row = fc.record({
  gapMs: fc.integer({ min: 0, max: 3_000 }),
  kind: fc.constantFrom('sample', 'sample', 'sample', 'sample', 'down', 'restart'),
  cpuMilli: fc.option(fc.oneof(fc.constantFrom(0, 500, 12_500), fc.integer({ min: 0, max: 800_000 })), { nil: null }),
  rssKiB: fc.oneof(fc.constantFrom(1, 4096), fc.integer({ min: 0, max: 2 ** 31 })),
  ioStep: fc.option(fc.tuple(fc.nat(100_000), fc.nat(100_000)), { nil: null }),
});

describe('summarizeWindow against a plain computation over the window rows', () => {
  it('gives the same summary, summary after summary (each p95 starting from the previous one) and for any span', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 1, max: 400_000 }), { minLength: 1, maxLength: 6 }), (rows, chunks, spans) => {
          const store = new WindowStore({ retentionMs: 10_000_000, maxMemoryBytes: chunks * CHUNK_BYTES });
          let ts = 0, pid = 1, read = 0, written = 0;
          rows.forEach((r, i) => {
            ts += r.gapMs;
            if (r.kind === 'restart') { pid++; read = 0; written = 0; }
            if (r.ioStep !== null) { read += r.ioStep[0]; written += r.ioStep[1]; }
            const event = r.kind === 'down' ? down('api', ts) : sample('api', ts, {
              pid, cpuPercent: r.cpuMilli === null ? null : r.cpuMilli / 1000, rssBytes: r.rssKiB * 1024,
              ioReadBytes: r.ioStep === null ? null : read, ioWriteBytes: r.ioStep === null ? null : written,
              cpuUserSeconds: i / 1e3, cpuSystemSeconds: i / 1e4,
            });
            store.ingest(event, ts, () => {});
            if (i % 37 === 0 || i === rows.length - 1) {
              for (const windowMs of [10_000_000, ...spans]) {
                const s = store.summary('api', { now: ts, windowMs, intervalMs: 1_000 })!;
                expect(pick(s)).toEqual(reference(store.window('api'), ts, windowMs, 1_000));
              }
            }
          });
        }),
      { numRuns: 200 },
    );
  });
});

describe('nearestRankNear', () => {
  it('returns exactly what nearestRank returns (the same zero, too) whatever the guess', () => {
    const value = fc.oneof(fc.constantFrom(0, -0, 1, 2, 2.5), fc.double({ noNaN: true, min: -1e6, max: 1e6 }));
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 200 }), fc.oneof(value, fc.constant(Number.NaN)),
        fc.double({ min: 0.01, max: 1, noNaN: true }), (xs, guess, fraction) => {
          const values = Float64Array.from(xs);
          const expected = nearestRank(Float64Array.from(xs), fraction);
          const got = nearestRankNear(values, fraction, xs.length, guess, new Float64Array(xs.length));
          expect(Object.is(got, expected)).toBe(true);
        }),
      { numRuns: 2_000 },
    );
  });
});
