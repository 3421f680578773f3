import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EvictedEvent, MetricEvent, SampleEvent, UnitDownEvent } from '../../src/events.js';
import { CHUNK_BYTES } from '../../src/store/chunk-pool.js';
import { WindowStore, type StoreEvent } from '../../src/store/window-store.js';
import { down, sample } from '../../src/testing/index.js';

/** A sample whose every field the store can hold exactly: RSS in whole KiB, CPU at 0.001 %, counters in µs/bytes. */
const representableSample = (unit: string, ts: number) =>
  fc.record({
    pid: fc.integer({ min: 1, max: 4_000_000 }),
    cpuPercent: fc.option(fc.integer({ min: 0, max: 6_400_000 }).map((m) => m / 1000), { nil: null }),
    cpuUserSeconds: fc.integer({ min: 0, max: 1e9 }).map((us) => us / 1e6),
    cpuSystemSeconds: fc.integer({ min: 0, max: 1e9 }).map((us) => us / 1e6),
    rssKiB: fc.integer({ min: 0, max: 2 ** 31 }),
    io: fc.option(fc.tuple(fc.nat(), fc.nat()), { nil: null }),
  }).map(({ rssKiB, io, ...f }): SampleEvent =>
    sample(unit, ts, { ...f, rssBytes: rssKiB * 1024, ioReadBytes: io?.[0] ?? null, ioWriteBytes: io?.[1] ?? null,
      missing: io === null ? { io: 'EACCES' } : {} }));

/** Steps: an event for one of a few units, its ts moving forward (sometimes back), or a sweep. */
const steps = fc.array(
  fc.record({
    unit: fc.constantFrom('a', 'b', 'c', 'd'),
    advanceMs: fc.integer({ min: -3_000, max: 5_000 }),
    kind: fc.constantFrom('sample', 'sample', 'sample', 'down', 'sweep'),
  }),
  { minLength: 1, maxLength: 400 },
);

describe('WindowStore invariants', () => {
  it('keeps bytesUsed within the budget and accounts every sample exactly once', () => {
    fc.assert(
      fc.property(steps, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1_000, max: 60_000 }), fc.infiniteStream(representableSample('x', 0)), (plan, chunks, retentionMs, samples) => {
        const maxMemoryBytes = chunks * CHUNK_BYTES;
        const store = new WindowStore({ retentionMs, maxMemoryBytes });
        const out: StoreEvent[] = [];
        const recorded: (SampleEvent | UnitDownEvent)[] = [];
        const emit = (e: StoreEvent) => out.push(e);
        const gen = samples[Symbol.iterator]();
        let now = 0;
        for (const step of plan) {
          now = Math.max(0, now + step.advanceMs);
          if (step.kind === 'sweep') {
            store.sweep(now, emit);
          } else {
            const event: SampleEvent | UnitDownEvent =
              step.kind === 'down' ? down(step.unit, now) : { ...(gen.next().value as SampleEvent), unit: step.unit, ts: now };
            recorded.push(event);
            store.ingest(event as MetricEvent, now, emit);
          }
          expect(store.bytesUsed()).toBeLessThanOrEqual(maxMemoryBytes);
        }
        const evictedEvents = out.filter((e): e is EvictedEvent => e.type === 'evicted').map((e) => e.event);
        const retained = store.units().flatMap((u) => store.window(u));
        // Every recorded event is in exactly one place, unchanged: the window or one evicted event.
        const key = (e: SampleEvent | UnitDownEvent) => JSON.stringify(e);
        const seen = new Map<string, number>();
        for (const e of [...evictedEvents, ...retained]) seen.set(key(e), (seen.get(key(e)) ?? 0) + 1);
        const expected = new Map<string, number>();
        for (const e of recorded) expected.set(key(e), (expected.get(key(e)) ?? 0) + 1);
        expect(seen).toEqual(expected);
        // Windows are in time order.
        for (const u of store.units()) {
          const tss = store.window(u).map((e) => e.ts);
          expect(tss).toEqual([...tss].sort((x, y) => x - y));
        }
      }),
      { numRuns: 300 },
    );
  });
});
