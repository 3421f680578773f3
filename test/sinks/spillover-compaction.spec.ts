import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { asyncScheduler, lastValueFrom, type SchedulerLike, Subject, toArray } from 'rxjs';
import type { MetricEvent, SummaryEvent } from '../../src/events.js';
import { parseLogSegmentName } from '../../src/formats/log-segments.js';
import { spillover } from '../../src/sinks/spillover.js';
import { replay } from '../../src/sources/replay.js';
import { createWindowStore } from '../../src/store/create-window-store.js';
import { DEFAULT_TIER_PLAN } from '../../src/store/tiers.js';
import { down, sample, tick, unitAdded, unitRestarted } from '../../src/testing/index.js';
import { tempDir } from '../helpers/spill-dir.js';

const dirs: string[] = [];
const fresh = () => { const d = tempDir('procstream-compact-'); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

const T0 = 1_795_000_017_250; // not on a minute: the first and last slots are partial
const UNITS = ['api', 'db', 'worker', 'cron', 'cache'];

/**
 * One second of a deterministic 1 Hz session: IO counters that grow, a restart (new pid: the IO delta across it is
 * not counted), a unit down for 25 minutes, CPU without a baseline now and then. Hours of event time cannot be sampled
 * from real processes in a test; the store and the log code that fold them are the real ones.
 */
function second(s: number): MetricEvent[] {
  const ts = T0 + s * 1_000;
  const out: MetricEvent[] = [tick(ts, { lagMs: 1 })];
  UNITS.forEach((unit, u) => {
    if (s === 0) out.push(unitAdded(unit, ts));
    if (unit === 'cron' && s >= 3_000 && s < 4_500) { out.push(down(unit, ts, 'exited')); return; }
    const generation = unit === 'worker' && s >= 5_000 ? 1 : 0;
    if (unit === 'worker' && s === 5_000) out.push(unitRestarted(unit, ts, 900, 800));
    const local = generation ? s - 5_000 : s;
    out.push(sample(unit, ts, {
      pid: generation ? 900 : 800 + u, startTimeMs: generation,
      cpuPercent: s % 89 === 0 ? null : ((s * 7 + u * 13) % 400) / 4 + (s % 600 === 7 ? 250 : 0),
      rssBytes: (50_000 + ((s * 31 + u * 7) % 997) * 3) * 1024, ioReadBytes: local * 4096 + u, ioWriteBytes: local * 512,
      cpuUserSeconds: local / 100, cpuSystemSeconds: local / 1000,
    }));
  });
  return out;
}

/** A settable clock: the spill sink names segments and ages them by event time, as a replayed week would. */
function eventClock(): SchedulerLike & { set(ts: number): void } {
  let now = T0;
  return Object.assign(Object.create(asyncScheduler) as SchedulerLike, { now: () => now, set: (ts: number) => { now = ts; } });
}

const storeOptions = { clock: 'events' as const, tiers: DEFAULT_TIER_PLAN, retentionMs: 12 * 3_600_000, maxMemoryBytes: 64 << 20 };

describe('compaction of the spill log', () => {
  it('replaying a compacted log into a tiered store gives the live store\'s summaries', async () => {
    const dir = fresh();
    const clock = eventClock();
    const live = createWindowStore(storeOptions);
    const input = new Subject<MetricEvent>();
    const compaction = { rawAgeMs: 20 * 60_000, minuteAgeMs: 60 * 60_000, minInputBytes: 12 * 1024, maxInputBytes: 48 * 1024 };
    let fed = 0;
    let written = 0;
    const onWritten = (n: number) => { written += n; };
    const problems = lastValueFrom(input.pipe(
      spillover({ dir, events: 'log', segmentBytes: 4 * 1024, maxQueue: 1_000_000, scheduler: clock, compaction, onWritten }), toArray()));
    const seconds = 3 * 3_600 + 1_234;
    for (let s = 0; s < seconds; s++) {
      clock.set(T0 + s * 1_000);
      for (const e of second(s)) {
        live.ingest(e, () => undefined);
        input.next(e);
        fed++;
      }
      // as with a live pipeline, the sink writes each minute before the next one: segments are named by event time
      if (s % 60 === 59) while (written < fed) await sleep(1);
    }
    input.complete();
    expect((await problems).filter((e) => e.type === 'error')).toEqual([]);

    const kinds = readdirSync(dir).map((n) => parseLogSegmentName(n)?.widthMs);
    expect(kinds).toContain(0); // the newest 20 minutes stay raw
    expect(kinds).toContain(60_000);
    expect(kinds).toContain(900_000);

    const replayed = await lastValueFrom(replay(dir).pipe(toArray()));
    expect(replayed.filter((e) => e.type === 'bucket').length).toBeGreaterThan(0);
    // per unit, in time order (a bucket's ts is its last observation): raw rows after the buckets they follow
    for (const unit of UNITS) {
      const ts = replayed.filter((e) => e.unit === unit).map((e) => e.ts);
      expect(ts).toEqual([...ts].sort((a, b) => a - b));
    }
    // everything but samples and down markers is kept as it was, in time order
    const others = (events: MetricEvent[]) =>
      events.filter((e) => !['sample', 'unit-down', 'bucket'].includes(e.type)).sort((a, b) => a.ts - b.ts);
    const all: MetricEvent[] = [];
    for (let s = 0; s < seconds; s++) all.push(...second(s));
    expect(others(replayed)).toEqual(others(all));

    const rebuilt = createWindowStore(storeOptions);
    for (const e of replayed) rebuilt.ingest(e, () => undefined);
    const end = T0 + (seconds - 1) * 1_000;
    for (const unit of UNITS) {
      for (const windowMs of [4 * 3_600_000, 3_600_000, 30 * 60_000]) {
        const a = live.summary(unit, { now: end, windowMs }) as SummaryEvent;
        const b = rebuilt.summary(unit, { now: end, windowMs }) as SummaryEvent;
        expectSameSummary(a, b, `${unit} over ${windowMs / 60_000} min`);
      }
    }
  }, 60_000);
});

function expectSameSummary(live: SummaryEvent, replayed: SummaryEvent, what: string): void {
  expect(replayed.samples, what).toBe(live.samples);
  expect(replayed.upSamples, what).toBe(live.upSamples);
  expect([replayed.firstTs, replayed.lastTs, replayed.up], what).toEqual([live.firstTs, live.lastTs, live.up]);
  for (const key of ['cpuPercent', 'rssBytes'] as const) {
    const [l, r] = [live[key], replayed[key]];
    expect([r.min, r.max, r.latest], `${what} ${key}`).toEqual([l.min, l.max, l.latest]);
    expect(r.mean, `${what} ${key} mean`).toBeCloseTo(l.mean as number, 6);
    // p95 over buckets is an upper estimate (docs/store.md): never below the exact one, never above the max
    expect(r.p95, `${what} ${key} p95`).toBeGreaterThanOrEqual(l.p95 as number);
    expect(r.p95, `${what} ${key} p95`).toBeLessThanOrEqual(l.max as number);
  }
  expect(replayed.ioReadBytesPerSec, `${what} io read`).toBeCloseTo(live.ioReadBytesPerSec as number, 6);
  expect(replayed.ioWriteBytesPerSec, `${what} io write`).toBeCloseTo(live.ioWriteBytesPerSec as number, 6);
}
