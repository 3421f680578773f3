import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concat, connect, from, lastValueFrom, merge, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { MetricEvent } from '../../src/events.js';
import { spillover } from '../../src/sinks/spillover.js';
import { replay } from '../../src/sources/replay.js';
import { ingestAndSummarize } from '../../src/streams/ingest-and-summarize.js';
import { createWindowStore, type MetricStore } from '../../src/store/create-window-store.js';
import { ingestInto } from '../../src/streams/ingest-into.js';
import { down, sample } from '../../src/testing/index.js';

/** Two hours of three units at 1 Hz, with downtime, a restart and IO: what a live run would have sampled. */
function session(): MetricEvent[] {
  const events: MetricEvent[] = [];
  for (let tick = 0; tick < 7_200; tick++) {
    const t = 1_795_165_200_000 + tick * 1_000;
    for (const [u, unit] of ['api', 'db', 'worker'].entries()) {
      if (unit === 'db' && tick % 600 >= 550) { events.push(down(unit, t)); continue; }
      const generation = unit === 'db' ? Math.floor(tick / 600) : 0;
      events.push(sample(unit, t, {
        pid: 100 + u * 10 + generation, startTimeMs: 1_795_160_000_000 + generation,
        cpuPercent: tick === 0 ? null : ((tick * (u + 3)) % 400) / 8, cpuUserSeconds: tick * 0.1, cpuSystemSeconds: tick * 0.02,
        rssBytes: (20_000 + ((tick * 7) % 3_000)) * 1024, ioReadBytes: tick * 512, ioWriteBytes: tick * 2048,
      }));
    }
  }
  return events;
}

const finalSummaries = (all: MetricEvent[]) => all.filter((e) => e.type === 'summary').sort((a, b) => a.unit.localeCompare(b.unit));
/** Each unit's raw rows and, since tiers are on by default, its whole history as a chart reads it. */
const contents = (store: MetricStore) => store.units().sort().map((unit) =>
  [store.window(unit), store.series(unit, { fromTs: 0, toTs: store.now(), maxPoints: 1_000, widen: false })]);

describe('replay rebuilds the live run from disk', () => {
  it('gives the same store and summaries as the live run when every event was spilled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procstream-rebuild-'));
    const options = { retentionMs: 30 * 60_000, maxMemoryBytes: 64 * 1024, clock: 'events' as const };
    const live = createWindowStore(options);
    const liveOut = await lastValueFrom(from(session()).pipe(
      connect((events$) => merge(
        events$.pipe(ingestAndSummarize(live, { everyMs: 600_000, passThrough: false })),
        events$.pipe(spillover({ dir, events: 'all', maxBytes: 256 * 1024 * 1024, segmentBytes: 1024 * 1024, maxQueue: 100_000 })),
      )),
      toArray(),
    ));
    expect(liveOut.filter((e) => e.type === 'dropped' || e.type === 'error')).toEqual([]);

    const rebuilt = createWindowStore(options);
    const rebuiltOut = await lastValueFrom(replay(dir).pipe(
      ingestAndSummarize(rebuilt, { everyMs: 600_000, passThrough: false }), toArray()));
    expect(contents(rebuilt)).toEqual(contents(live));
    expect(finalSummaries(rebuiltOut).slice(-3)).toEqual(finalSummaries(liveOut).slice(-3));
  });

  it('reaches further back than memory: spilled evictions plus the live window equal an unbounded store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procstream-rebuild-'));
    // Raw rows in all three stores: this is about rows evicted by the budget and spilled (with tiers, rows leave raw
    // by folding into buckets, and what leaves memory is buckets; a tiered log is another test's subject).
    const small = createWindowStore({ retentionMs: 24 * 3_600_000, maxMemoryBytes: 32 * 1024, clock: 'events', tiers: false });
    const out = await lastValueFrom(from(session()).pipe(
      ingestInto(small), // its output is what leaves memory: the evictions
      connect((evicted$) => merge(evicted$, evicted$.pipe(spillover({ dir, maxBytes: 256 * 1024 * 1024, maxQueue: 100_000 })))),
      toArray(),
    ));
    expect(out.some((e) => e.type === 'evicted' && e.reason === 'budget')).toBe(true);

    const everything = createWindowStore({ retentionMs: 24 * 3_600_000, maxMemoryBytes: 1024 * 1024 * 1024, clock: 'events', tiers: false });
    const windowRows = from(small.units().flatMap((unit) => small.window(unit)));
    await lastValueFrom(concat(replay(dir), windowRows).pipe(ingestInto(everything), toArray()));
    const reference = createWindowStore({ retentionMs: 24 * 3_600_000, maxMemoryBytes: 1024 * 1024 * 1024, clock: 'events', tiers: false });
    await lastValueFrom(from(session()).pipe(ingestInto(reference), toArray()));
    for (const unit of reference.units()) {
      expect(everything.window(unit).length).toBe(7_200);
      expect(everything.summary(unit, { now: reference.now() })).toEqual(reference.summary(unit, { now: reference.now() }));
    }
  });
});
