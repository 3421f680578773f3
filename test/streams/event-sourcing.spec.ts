import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from, lastValueFrom, mergeMap, take, tap, timer, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { isMetricEvent, type MetricEvent } from '../../src/events.js';
import { ingestAndSummarize } from '../../src/streams/ingest-and-summarize.js';
import { createWindowStore, type MetricStore } from '../../src/store/create-window-store.js';
import { down, sample } from '../../src/testing/index.js';
import { testScheduler } from '../helpers/test-scheduler.js';

const UNITS = ['api', 'db', 'worker'];
const TICKS = 300;
// Raw rows only, so that both ways a row leaves (retention, budget) are exercised; test/store/tier-replay.spec.ts
// replays a tiered store.
const OPTIONS = { retentionMs: 60_000, maxMemoryBytes: 6 * 1_000, tiers: false as const };

/** A deterministic live session: three units over 300 s, with downtime, restarts, IO and a tight memory budget. */
function eventAt(tick: number, unitIndex: number): MetricEvent {
  const unit = UNITS[unitIndex]!;
  const t = tick * 1_000;
  if (unit === 'db' && tick % 50 >= 40) return down(unit, t, 'exited');
  const generation = unit === 'db' ? Math.floor(tick / 50) : 0;
  return sample(unit, t, {
    pid: 1_000 + unitIndex * 10 + generation,
    startTimeMs: 5_000 + generation,
    cpuPercent: tick % 50 === 0 ? null : ((tick * 7 + unitIndex * 13) % 200) / 4,
    cpuUserSeconds: tick * 0.25,
    cpuSystemSeconds: tick * 0.05,
    rssBytes: (1_000 + ((tick * 31) % 97)) * 4096,
    ioReadBytes: unit === 'worker' ? null : tick * 4096,
    ioWriteBytes: unit === 'worker' ? null : tick * 8192,
    missing: unit === 'worker' ? { io: 'EACCES' } : {},
  });
}

function contents(store: MetricStore) {
  return store.units().sort().map((unit) => ({ unit, window: store.window(unit) }));
}

describe('event sourcing', () => {
  it('replaying the recorded log gives the same store contents and summaries as the live run', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'procstream-es-')), 'events.ndjson');
    const recorded: string[] = [];

    // Live: a tick every second on the scheduler's clock; retention sweeps and summaries run on timers.
    const live = createWindowStore({ ...OPTIONS, sweepIntervalMs: 1_000 });
    const liveSummaries: MetricEvent[] = [];
    testScheduler().run(({ flush }) => {
      timer(0, 1_000).pipe(
        take(TICKS),
        mergeMap((tick) => from(UNITS.map((_, u) => eventAt(tick, u)))),
        tap((event) => recorded.push(`${JSON.stringify(event)}\n`)), // the event log, as a sink would write it
        ingestAndSummarize(live, { everyMs: 60_000, passThrough: false }),
      ).subscribe((s) => liveSummaries.push(s));
      flush();
    });
    writeFileSync(log, recorded.join(''));

    // Replay: the log from disk through the same operators, on event time.
    const replayStore = createWindowStore({ ...OPTIONS, clock: 'events', sweepIntervalMs: 1_000 });
    const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
    expect(lines.every(isMetricEvent)).toBe(true);
    const replaySummaries = await lastValueFrom(
      from(lines as MetricEvent[]).pipe(
        ingestAndSummarize(replayStore, { everyMs: 60_000, passThrough: false }),
        toArray(),
      ),
    );

    const liveContents = contents(live);
    expect(liveContents.map((u) => u.window.length).every((n) => n > 0)).toBe(true);
    expect(liveContents.flatMap((u) => u.window).some((e) => e.type === 'unit-down')).toBe(true);
    expect(contents(replayStore)).toEqual(liveContents);
    const finals = (all: MetricEvent[]) => all.filter((e) => e.type === 'summary').slice(-UNITS.length);
    expect(finals(replaySummaries)).toEqual(finals(liveSummaries));
    expect(liveSummaries.filter((e) => e.type === 'summary').length).toBeGreaterThan(UNITS.length); // periodic ones too
    const reasons = new Set(liveSummaries.flatMap((e) => (e.type === 'evicted' ? [e.reason] : [])));
    expect(reasons).toEqual(new Set(['retention', 'budget'])); // both ways out of the store were exercised
  });
});
