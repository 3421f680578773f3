import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { unitRows } from '../../src/cli/unit-rows.js';
import { EVENT_FORMAT_VERSION, type MetricEvent, type SampleEvent } from '../../src/events.js';
import { httpDashboard } from '../../src/sinks/http-dashboard.js';
import { createWindowStore, type MetricStore } from '../../src/store/create-window-store.js';
import { down, sample } from '../../src/testing/index.js';
import { fakeIo } from './fake-io.js';

// 12 h of one unit at 1 Hz on event time, ending 20 s into a minute (so the trend spans a folded minute and raw rows).
const T0 = Date.parse('2026-11-26T00:00:00Z');
const SECONDS = 12 * 3_600 - 40;
const SPIKE_S = 3 * 3_600 + 123; // one second of 95 % inside a 15-minute bucket
const DOWN_S = [6 * 3_600, 6 * 3_600 + 20 * 60]; // down for 20 minutes: one whole quarter hour, and a third of the next
const OLD_RESTART_S = 2 * 3_600; // a new process two hours in: folded into a 15-minute bucket long since
const RESTART_S = SECONDS - 10; // and another in the raw minute
const cpuAt = (s: number) => (s === SPIKE_S ? 95 : 10 + (s % 60) / 6);

const restarted = (ts: number, generation: number): MetricEvent => ({ type: 'unit-restarted', v: EVENT_FORMAT_VERSION, unit: 'api', ts,
  previous: { pid: 100 + generation - 1, startTimeMs: generation - 1 }, current: { pid: 100 + generation, startTimeMs: generation }, restarts: generation });

function session(): MetricEvent[] {
  const events: MetricEvent[] = [];
  for (let s = 0; s < SECONDS; s++) {
    const ts = T0 + s * 1_000;
    if (s >= DOWN_S[0]! && s < DOWN_S[1]!) { events.push(down('api', ts)); continue; }
    const generation = s >= RESTART_S ? 2 : s >= OLD_RESTART_S ? 1 : 0;
    // as watch reports a single-root unit's new process: the event, then its first sample
    if (s === OLD_RESTART_S || s === RESTART_S) events.push(restarted(ts, generation));
    events.push(sample('api', ts, { pid: 100 + generation, startTimeMs: generation, cpuPercent: cpuAt(s), rssBytes: (100 * 1024 + (s % 600)) * 1024 }));
  }
  return events;
}

describe('12 hours from tiers: the live trend, the HTTP series and inspect', () => {
  let events: MetricEvent[];
  let store: MetricStore;
  const endS = SECONDS - 1;
  const endTs = T0 + endS * 1_000;
  beforeAll(() => {
    events = session();
    store = createWindowStore({ clock: 'events' }); // the defaults: 12 h, 10 MiB, DEFAULT_TIER_PLAN
    for (const e of events) store.ingest(e, () => {});
  });

  it('keeps raw rows for the current minute only, and every observation in some tier', () => {
    expect(store.size('api')).toBe(20);
    const [row] = unitRows(store, 1_000);
    expect(row!.samples).toBe(events.filter((e) => e.type === 'sample' || e.type === 'unit-down').length);
  });

  it('draws the live trend from the folded minute and the raw rows', () => {
    const [row] = unitRows(store, 1_000);
    const minuteStart = endS - 19 - 60; // the minute before the current one, now one bucket
    const minuteMean = Array.from({ length: 60 }, (_, i) => cpuAt(minuteStart + i)).reduce((a, b) => a + b, 0) / 60;
    const raw = Array.from({ length: 20 }, (_, i) => cpuAt(endS - 19 + i));
    expect(row!.cpuHistory).toHaveLength(30);
    expect(row!.cpuHistory.slice(0, 10).map((v) => v!.toFixed(6))).toEqual(Array(10).fill(minuteMean.toFixed(6)));
    expect(row!.cpuHistory.slice(10).map((v) => v!.toFixed(3))).toEqual(raw.map((v) => v.toFixed(3)));
  });

  it('serves /api/units/:unit/series?window=12h from every tier, with bands, gaps and the restart', async () => {
    const input = new Subject<MetricEvent>();
    const sink = httpDashboard({ port: 0, store });
    const sub = input.pipe(sink).subscribe();
    try {
      const { url } = await sink.listening();
      const res = await fetch(new URL('/api/units/api/series?window=12h&points=240', url));
      expect(res.status).toBe(200);
      const s = (await res.json()) as { ts: number[]; bucketMs: number; samples: number[]; cpuMin: (number | null)[]; cpuMean: (number | null)[]; cpuMax: (number | null)[];
        resolutionMs: (number | null)[]; restartsMs: number[] };
      expect(s.bucketMs).toBe(180_000);
      // every up sample counted once, though a 15-minute bucket spans several 3-minute columns
      expect(s.samples.reduce((a, b) => a + b, 0)).toBe(events.filter((e) => e.type === 'sample').length);
      // 3-minute columns: the last ones mix the current minute's raw rows with 1-minute buckets, and say the coarser
      expect(new Set(s.resolutionMs.filter((r) => r !== null))).toEqual(new Set([900_000, 60_000]));
      const recent = (await (await fetch(new URL('/api/units/api/series?window=1m&points=60', url))).json()) as typeof s;
      expect(recent.resolutionMs.slice(-20)).toEqual(Array(20).fill(0)); // the current minute's raw rows, one a column
      expect(recent.resolutionMs.slice(-21, -20)).toEqual([60_000]);
      // The spike's quarter hour: its columns show the bucket's max as a band over a mean far below it.
      const spikeTs = T0 + SPIKE_S * 1_000;
      const quarter = Math.floor(spikeTs / 900_000) * 900_000;
      const inQuarter = s.ts.map((t, i) => i).filter((i) => s.ts[i]! >= quarter && s.ts[i]! + s.bucketMs <= quarter + 900_000);
      expect(inQuarter.length).toBeGreaterThanOrEqual(4);
      const truth = Array.from({ length: 900 }, (_, i) => cpuAt((quarter - T0) / 1_000 + i));
      for (const i of inQuarter) {
        expect(s.cpuMax[i]).toBeCloseTo(95, 3);
        expect(s.cpuMin[i]).toBeCloseTo(Math.min(...truth), 3);
        expect(s.cpuMean[i]).toBeCloseTo(truth.reduce((a, b) => a + b, 0) / 900, 3);
      }
      // The quarter hour down throughout is a gap; the restart in the raw minute is marked.
      const downQuarter = T0 + DOWN_S[0]! * 1_000;
      const downColumns = s.ts.map((t, i) => i).filter((i) => s.ts[i]! >= downQuarter && s.ts[i]! + s.bucketMs <= downQuarter + 900_000);
      expect(downColumns.length).toBeGreaterThanOrEqual(4);
      for (const i of downColumns) expect(s.cpuMean[i]).toBeNull();
      // both restarts: the old one from the unit-restarted event the store kept, the new one also from the raw rows
      expect(s.restartsMs).toEqual([T0 + OLD_RESTART_S * 1_000, T0 + RESTART_S * 1_000]);
    } finally {
      sub.unsubscribe();
    }
  });

  it('draws inspect --window 12h from tiers: bands, the gap, the restart, and the resolution per span', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procstream-tiered-'));
    try {
      const file = join(dir, 'api.ndjson');
      writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
      const { io, out, err } = fakeIo({ env: { NO_COLOR: '1', TZ: 'UTC' } });
      Object.assign(io.stdout, { columns: 120 });
      expect(await main(['inspect', 'api', '--from', file, '--window', '12h'], io)).toBe(0);
      expect(err()).toBe('');
      const lines = out().split('\n');
      const samples = events.filter((e): e is SampleEvent => e.type === 'sample').length;
      expect(lines[0]).toContain(`${samples} samples, ${events.filter((e) => e.type === 'unit-down').length} down · events: ↻ restart, × down`);
      // 15-minute buckets up to the current quarter hour, its minutes, then the raw rows of the current minute
      expect(lines[1]).toMatch(/^resolution: 15-minute buckets \S+–\S+, 1-minute buckets \S+–\S+, raw samples \S+–\S+$/);
      const cpuChart = lines.slice(lines.indexOf('CPU % (100 = one core)') + 1, lines.findIndex((l) => l.includes('└┬')));
      expect(cpuChart[0]).toMatch(/^\s+95\.0 %/); // the spike sets the top: it is a bucket's max, not a mean
      expect(cpuChart.join('\n')).toContain('┊'); // the bands of columns whose buckets spread
      const events_ = lines.find((l) => l.trimStart().startsWith('events'))!;
      expect(events_).toContain('×');
      expect(events_.trimEnd().endsWith('↻')).toBe(true);
      expect(events_.match(/↻/g)).toHaveLength(2); // two hours in, too
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
