import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { asyncScheduler, from, lastValueFrom, type SchedulerLike, Subject, toArray } from 'rxjs';
import type { MetricEvent, SummaryEvent } from '../../src/events.js';
import { bucketSegmentName, parseLogSegmentName } from '../../src/formats/log-segments.js';
import { spillover, type SpilloverOptions } from '../../src/sinks/spillover.js';
import { replay } from '../../src/sources/replay.js';
import { createWindowStore } from '../../src/store/create-window-store.js';
import { DEFAULT_TIER_PLAN } from '../../src/store/tiers.js';
import { bucket, down, sample, tick, unitAdded, unitRestarted } from '../../src/testing/index.js';
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

/**
 * Writes `seconds` of the session through the real spill sink with the event clock, as a live pipeline would: the
 * sink writes each minute before the next one (segments are named by event time). Returns the sink's problem events.
 */
async function record(dir: string, seconds: number, options: Partial<SpilloverOptions>,
  each: (e: MetricEvent) => void = () => undefined): Promise<MetricEvent[]> {
  const clock = eventClock();
  const input = new Subject<MetricEvent>();
  let fed = 0;
  let written = 0;
  const onWritten = (n: number) => { written += n; };
  const problems = lastValueFrom(input.pipe(
    spillover({ dir, events: 'log', segmentBytes: 4 * 1024, maxQueue: 1_000_000, scheduler: clock, onWritten, ...options }),
    toArray()));
  for (let s = 0; s < seconds; s++) {
    clock.set(T0 + s * 1_000);
    for (const e of second(s)) {
      each(e);
      input.next(e);
      fed++;
    }
    if (s % 60 === 59) while (written < fed) await sleep(1);
  }
  input.complete();
  return problems;
}

/** Observations in `events`: samples and down markers, and the ones each bucket counts. */
const observations = (events: MetricEvent[]): number => events.reduce((n, e) =>
  n + (e.type === 'bucket' ? e.samples : e.type === 'sample' || e.type === 'unit-down' ? 1 : 0), 0);

describe('compaction of the spill log', () => {
  it('replaying a compacted log into a tiered store gives the live store\'s summaries', async () => {
    const dir = fresh();
    const live = createWindowStore(storeOptions);
    const compaction = { rawAgeMs: 20 * 60_000, minuteAgeMs: 60 * 60_000, minInputBytes: 12 * 1024, maxInputBytes: 48 * 1024 };
    const seconds = 3 * 3_600 + 1_234;
    const problems = await record(dir, seconds, { compaction }, (e) => live.ingest(e, () => undefined));
    expect(problems.filter((e) => e.type === 'error')).toEqual([]);

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

  it('the budget compacts before it deletes: a log over its budget keeps all its time, the oldest part coarser', async () => {
    // 3 hours of 5 units take ~700 KiB raw; the budget holds a third of that. The ages (6 h, 48 h) are not reached.
    const maxBytes = 256 * 1024;
    const seconds = 3 * 3_600;
    let fed = 0;
    const count = (e: MetricEvent) => { fed += observations([e]); };
    const withCompaction = fresh();
    expect((await record(withCompaction, seconds, { maxBytes }, count)).filter((e) => e.type === 'error')).toEqual([]);
    const onDisk = readdirSync(withCompaction).map((n) => ({ n, width: parseLogSegmentName(n)?.widthMs }));
    expect(onDisk.map((s) => s.width)).toContain(60_000); // compacted early, by the budget
    expect(onDisk.filter((s) => s.width !== undefined).reduce((n, s) => n + statSync(join(withCompaction, s.n)).size, 0))
      .toBeLessThanOrEqual(maxBytes);
    const kept = await lastValueFrom(replay(withCompaction).pipe(toArray()));
    expect(observations(kept)).toBe(fed); // nothing deleted: every observation is in a bucket or a row
    expect(Math.min(...kept.map((e) => (e.type === 'bucket' ? e.firstTs : e.ts)))).toBe(T0);

    // The same budget without compaction deletes the oldest hours: what the test above would see if it did.
    const without = fresh();
    await record(without, seconds, { maxBytes, compaction: false });
    const rest = await lastValueFrom(replay(without).pipe(toArray()));
    expect(observations(rest)).toBeLessThan(fed / 2);
    expect(Math.min(...rest.map((e) => e.ts))).toBeGreaterThan(T0 + 3_600_000);
  }, 60_000);

  it('a short run of due raw segments followed by a bucket segment is compacted however small: it can never grow', async () => {
    const dir = fresh();
    // Raw segments 0…2 (a few KiB, far below minInputBytes) and, after them, a bucket segment 3…5.
    await record(dir, 180, { compaction: false, segmentBytes: 1024 });
    const raw = readdirSync(dir).filter((n) => parseLogSegmentName(n)?.widthMs === 0).sort();
    expect(raw.length).toBeGreaterThan(2);
    const before = observations(await lastValueFrom(replay(dir).pipe(toArray())));
    const last = parseLogSegmentName(raw.at(-1)!)!;
    const bucketLines = [bucket('api', T0 + 200_000, T0 + 259_000)].map((e) => JSON.stringify(e)).join('\n');
    writeFileSync(join(dir, bucketSegmentName(last.fromSeq + 1, last.fromSeq + 3, T0 + 200_000, 60_000)),
      gzipSync(`${bucketLines}\n`), { mode: 0o600 });
    // A clock a day on: every raw segment is due by age; no new input.
    const clock = Object.assign(Object.create(asyncScheduler) as SchedulerLike, { now: () => T0 + 86_400_000 });
    expect(await lastValueFrom(from([] as MetricEvent[]).pipe(spillover({ dir, events: 'log', scheduler: clock }), toArray()))).toEqual([]);
    const widths = readdirSync(dir).map((n) => parseLogSegmentName(n)?.widthMs);
    expect(widths).not.toContain(0);
    expect(observations(await lastValueFrom(replay(dir).pipe(toArray())))).toBe(before + 60);
  }, 30_000);
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
