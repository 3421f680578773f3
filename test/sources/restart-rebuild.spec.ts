/**
 * The restart rebuild over the store's retention (src/sources/log-tail.ts, src/streams/beside-rebuild.ts): a restarted
 * `watchUnits({ spill })` over a real log on disk, written through the real spill path at event time (hours of event
 * time cannot be sampled from real processes in a test; the log and the store are the real ones), beside a real
 * process sampled live. The reference is the log itself, read back with `replay` before the restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chownSync, lstatSync, readdirSync, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { asyncScheduler, lastValueFrom, type SchedulerLike, Subject, toArray } from 'rxjs';
import type { MetricEvent, SummaryEvent } from '../../src/events.js';
import { bucketSegmentName, parseLogSegmentName } from '../../src/formats/log-segments.js';
import { segmentName } from '../../src/formats/segment-names.js';
import { spillover, type SpilloverOptions } from '../../src/sinks/spillover.js';
import { replay } from '../../src/sources/replay.js';
import { openLogTail } from '../../src/sources/log-tail.js';
import { PipelineError } from '../../src/errors.js';
import { sample } from '../../src/testing/index.js';
import { watchUnits } from '../../src/watch-units.js';
import { killAll, startNode } from '../helpers/children.js';
import { run } from '../helpers/bin.js';
import { tempDir } from '../helpers/spill-dir.js';

const dirs: string[] = [];
const fresh = () => { const d = tempDir('procstream-restart-'); dirs.push(d); return d; };
afterEach(async () => {
  await killAll();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const UNITS = ['api', 'db', 'worker'];
const HOURS = 3;
const MEMORY = 64 * 1024; // the store's budget: the log below is many times this on disk

/** HOURS of UNITS at 1 Hz ending two seconds ago, with values that move (so the log does not compress to nothing). */
function history(): MetricEvent[] {
  const end = Date.now() - 2_000;
  const events: MetricEvent[] = [];
  for (let s = 0; s < HOURS * 3_600; s++) {
    const ts = end - (HOURS * 3_600 - s) * 1_000;
    UNITS.forEach((unit, u) => events.push(sample(unit, ts, {
      pid: 100 + u, startTimeMs: 1, cpuPercent: ((s * 37 + u * 11) % 997) / 10, rssBytes: (40_000 + ((s * 13) % 5_003)) * 1024,
      ioReadBytes: s * 4096, ioWriteBytes: s * (512 + u), cpuUserSeconds: s / 50, cpuSystemSeconds: s / 500,
    })));
  }
  return events;
}

/** Writes `events` through spillover with the sink's clock at event time (segment names and compaction ages follow it). */
async function writeLog(dir: string, events: MetricEvent[], options: Partial<SpilloverOptions> = {}, behind = 5_000): Promise<void> {
  let now = events[0]!.ts;
  const clock = Object.assign(Object.create(asyncScheduler) as SchedulerLike, { now: () => now });
  const input = new Subject<MetricEvent>();
  let written = 0;
  const problems = lastValueFrom(input.pipe(spillover({ dir, events: 'log', scheduler: clock, segmentBytes: 8 * 1024,
    compaction: false, onWritten: (n) => { written += n; }, ...options }), toArray()));
  for (const [i, e] of events.entries()) {
    now = e.ts;
    input.next(e);
    while (i + 1 - written > behind) await sleep(1); // as a live sink sees it: never more than its queue behind
  }
  input.complete();
  expect(await problems).toEqual([]);
}

/** Per unit, what the log holds: observations (a bucket counts its samples) and the oldest observation's time. */
async function logHolds(dir: string): Promise<Map<string, { observations: number; firstTs: number }>> {
  const by = new Map<string, { observations: number; firstTs: number }>();
  for (const e of await lastValueFrom(replay(dir).pipe(toArray()))) {
    if (e.type !== 'sample' && e.type !== 'bucket') continue;
    const seen = by.get(e.unit) ?? { observations: 0, firstTs: Infinity };
    seen.observations += e.type === 'bucket' ? e.samples : 1;
    seen.firstTs = Math.min(seen.firstTs, e.type === 'bucket' ? e.firstTs : e.ts);
    by.set(e.unit, seen);
  }
  return by;
}

const diskBytes = (dir: string) => readdirSync(dir).filter((n) => parseLogSegmentName(n)).reduce((s, n) => s + lstatSync(join(dir, n)).size, 0);
const lastSummaries = (events: MetricEvent[]) => {
  const by = new Map<string, SummaryEvent>();
  for (const e of events) if (e.type === 'summary') by.set(e.unit, e);
  return by;
};

/** A restarted pipeline on `dir` sampling a real process as unit `api` for `count` rounds; its events. */
async function restart(dir: string, options: { count?: number; rebuildMaxBytes?: number; spill?: Partial<SpilloverOptions> } = {}) {
  const child = await startNode('setInterval(() => {}, 1000); console.log("ready")', true);
  const w = watchUnits({ targets: [{ unit: 'api', pid: child.pid! }], intervalMs: 100, count: options.count ?? 3, maxMemoryBytes: MEMORY,
    spill: { dir, ...options.spill }, ...(options.rebuildMaxBytes === undefined ? {} : { rebuildMaxBytes: options.rebuildMaxBytes }) });
  const events = await lastValueFrom(w.events$.pipe(toArray()));
  return { events, store: w.store, summaries: lastSummaries(events) };
}

describe('the restart rebuild covers the retention from the log', () => {
  it('summaries after a restart start at the log\'s oldest row and count every observation it holds, far past maxMemoryBytes of disk', async () => {
    const dir = fresh();
    await writeLog(dir, history());
    expect(diskBytes(dir)).toBeGreaterThan(4 * MEMORY);
    const held = await logHolds(dir);
    const { events, summaries } = await restart(dir);
    expect(events.filter((e) => e.type === 'sample')).toHaveLength(3); // the rebuilt rows are not emitted again
    for (const unit of ['db', 'worker']) {
      expect(summaries.get(unit)).toMatchObject({ firstTs: held.get(unit)!.firstTs, samples: held.get(unit)!.observations });
    }
    expect(summaries.get('api')).toMatchObject({ firstTs: held.get('api')!.firstTs, samples: held.get('api')!.observations + 3 });
    expect((await logHolds(dir)).get('api')!.observations).toBe(held.get('api')!.observations + 3); // nor written again
  }, 60_000);

  it('reads a compacted log (15-minute and 1-minute bucket segments, raw segments last) back into the tiers', async () => {
    const dir = fresh();
    await writeLog(dir, history(), { compaction: { rawAgeMs: 3_600_000, minuteAgeMs: 2 * 3_600_000, minInputBytes: 16 * 1024 } });
    const widths = new Set(readdirSync(dir).map((n) => parseLogSegmentName(n)?.widthMs));
    expect([...widths].sort()).toEqual([0, 60_000, 900_000]);
    const held = await logHolds(dir);
    const { summaries } = await restart(dir);
    expect(summaries.get('db')).toMatchObject({ firstTs: held.get('db')!.firstTs, samples: held.get('db')!.observations });
    expect(summaries.get('api')!.samples).toBe(held.get('api')!.observations + 3);
    expect(held.get('db')!.firstTs).toBeLessThan(Date.now() - (HOURS - 0.1) * 3_600_000); // the buckets reach back to the start
  }, 60_000);

  it('beyond rebuildMaxBytes the newest part wins, without a gap: a summary starts where the rows read start', async () => {
    const dir = fresh();
    await writeLog(dir, history());
    const held = await logHolds(dir);
    const { summaries, store } = await restart(dir, { rebuildMaxBytes: Math.floor(diskBytes(dir) / 3) });
    const db = summaries.get('db')!;
    expect(db.firstTs!).toBeGreaterThan(held.get('db')!.firstTs + 3_600_000); // the oldest hour and more stayed unread…
    // …and everything from the summary's first row on is there: the log's count of db rows since then.
    const since = (await lastValueFrom(replay(dir, { unit: 'db', sinceMs: db.firstTs! }).pipe(toArray()))).length;
    expect(db.samples).toBe(since);
    expect(store.observations('db')).toBe(since);
  }, 60_000);

  it('keeps every whole line of a segment torn by a crash mid-write, and samples on', async () => {
    const dir = fresh();
    await writeLog(dir, history());
    const newest = readdirSync(dir).filter((n) => parseLogSegmentName(n)).sort().at(-1)!;
    const before = (await logHolds(dir)).get('db')!.observations;
    truncateSync(join(dir, newest), lstatSync(join(dir, newest)).size - 300); // into the last batch
    const held = await logHolds(dir);
    expect(held.get('db')!.observations).toBeLessThan(before);
    const { events, summaries } = await restart(dir);
    expect(events.filter((e) => e.type === 'sample')).toHaveLength(3);
    expect(summaries.get('db')).toMatchObject({ firstTs: held.get('db')!.firstTs, samples: held.get('db')!.observations });
  }, 60_000);

  it("reads no other user's file and no symlink, even named as a segment that would cover all of ours", async () => {
    const dir = fresh();
    await writeLog(dir, history().slice(0, 3_000));
    const held = await logHolds(dir);
    const intruder = gzipSync(`${JSON.stringify(sample('intruder', Date.now() - 5_000))}\n`);
    const covering = join(dir, bucketSegmentName(0, 999_999_999_999, Date.now() - 10_000, 60_000));
    writeFileSync(covering, intruder);
    chownSync(covering, 65_534, 65_534);
    const newestRaw = join(dir, segmentName(999_999_999_998, Date.now() - 3_000, { compressed: true }));
    writeFileSync(newestRaw, intruder);
    chownSync(newestRaw, 65_534, 65_534);
    const outside = `${dir}-elsewhere.gz`; // ours, but reached only through a symlink
    dirs.push(outside);
    writeFileSync(outside, intruder);
    symlinkSync(outside, join(dir, segmentName(999_999_999_997, Date.now() - 4_000, { compressed: true })));
    const { store, summaries } = await restart(dir);
    expect(store.units()).not.toContain('intruder');
    expect(summaries.get('db')).toMatchObject({ firstTs: held.get('db')!.firstTs, samples: held.get('db')!.observations });
  }, 60_000);

  it('rebuilds the log as it was at the restart while the restarted sink deletes its oldest segments for the budget', async () => {
    const dir = fresh();
    await writeLog(dir, history());
    const held = await logHolds(dir);
    const { summaries } = await restart(dir, { spill: { maxBytes: Math.floor(diskBytes(dir) / 2), segmentBytes: 8 * 1024, compaction: false } });
    expect((await logHolds(dir)).get('db')!.observations).toBeLessThan(held.get('db')!.observations); // the sink did delete
    expect(summaries.get('db')).toMatchObject({ firstTs: held.get('db')!.firstTs, samples: held.get('db')!.observations });
  }, 60_000);

  it('CLI: watch --spill restarted on a log larger than --memory summarizes the log\'s whole horizon', async () => {
    const dir = fresh();
    await writeLog(dir, history());
    const held = await logHolds(dir);
    const child = await startNode('setInterval(() => {}, 1000); console.log("ready")', true);
    const out = run(['watch', '--pid', String(child.pid), '--count', '2', '--interval', '200ms', '--memory', '64KiB',
      '--spill', dir, '--format', 'ndjson']);
    expect(out.code).toBe(0);
    const summaries = lastSummaries(out.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as MetricEvent));
    expect(summaries.get('worker')).toMatchObject({ firstTs: held.get('worker')!.firstTs, samples: held.get('worker')!.observations });

    // --rebuild-max bounds what it reads back: 1 KiB of the log is its newest segment, a fraction of the horizon.
    const bounded = fresh();
    await writeLog(bounded, history());
    const small = run(['watch', '--pid', String(child.pid), '--count', '2', '--interval', '200ms', '--memory', '64KiB',
      '--spill', bounded, '--rebuild-max', '1KiB', '--format', 'ndjson']);
    expect(small.code).toBe(0);
    const partial = lastSummaries(small.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as MetricEvent));
    expect(partial.get('worker')?.samples ?? 0).toBeLessThan(held.get('worker')!.observations / 2);
  }, 60_000);

  it('holds maxOpen segments open at a time: those opened at the start are read after an unlink, a later one gone ends it with E_SOURCE', async () => {
    const dir = fresh();
    await writeLog(dir, history().slice(0, 6_000), { segmentBytes: 1_024 }, 300);
    const names = readdirSync(dir).filter((n) => parseLogSegmentName(n)).sort();
    expect(names.length).toBeGreaterThan(4);
    const all = await lastValueFrom(replay(dir).pipe(toArray()));
    const whole = await openLogTail(dir, { sinceMs: 0, maxDiskBytes: 1 << 30, maxOpen: 2 });
    expect(await lastValueFrom(whole.events$.pipe(toArray()))).toEqual(all); // window by window, the same events
    const tail = await openLogTail(dir, { sinceMs: 0, maxDiskBytes: 1 << 30, maxOpen: 2 });
    unlinkSync(join(dir, names[0]!)); // open already: still read
    unlinkSync(join(dir, names.at(-1)!)); // in a later window: not there when its turn comes
    const read: MetricEvent[] = [];
    const failed = await new Promise<unknown>((resolve) => tail.events$.subscribe({ next: (e) => read.push(e), error: resolve, complete: () => resolve(undefined) }));
    expect(failed).toBeInstanceOf(PipelineError);
    expect(failed).toMatchObject({ code: 'E_SOURCE', message: expect.stringContaining(names.at(-1)!) });
    expect(read).toEqual(all.slice(0, read.length)); // what was read is the log's oldest part, in order
    expect(read[0]).toEqual(all[0]);
  });

  it('rebuildMaxBytes 0 rebuilds nothing; a negative one is refused with E_USAGE naming the option', async () => {
    const dir = fresh();
    await writeLog(dir, history().slice(0, 3_000));
    const { store, summaries } = await restart(dir, { rebuildMaxBytes: 0 });
    expect(store.units()).toEqual(['api']);
    expect(summaries.get('api')!.samples).toBe(3);
    expect(() => watchUnits({ spill: { dir }, rebuildMaxBytes: -1 })).toThrow(expect.objectContaining({ code: 'E_USAGE', message: 'rebuildMaxBytes must be 0 or more, got -1' }));
  }, 60_000);
});
