import { afterEach, describe, expect, it } from 'vitest';
import { chownSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import type { BucketEvent, MetricEvent } from '../../src/events.js';
import { bucketSegmentName, liveSegments, parseLogSegmentName } from '../../src/formats/log-segments.js';
import { compactSegments } from '../../src/sinks/compact-segments.js';
import { SegmentDir } from '../../src/sinks/segment-dir.js';
import { spillover } from '../../src/sinks/spillover.js';
import { logTail } from '../../src/sources/log-tail.js';
import { replay } from '../../src/sources/replay.js';
import { sample, tick } from '../../src/testing/index.js';
import { tempDir } from '../helpers/spill-dir.js';

const dirs: string[] = [];
const fresh = () => { const d = tempDir('procstream-compact-crash-'); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

const T0 = 1_795_000_000_000;
/** 20 minutes of two units at 1 Hz, a tick a second. */
const session = (): MetricEvent[] => Array.from({ length: 1_200 }, (_, s) => [
  sample('api', T0 + s * 1_000, { cpuPercent: s % 50, rssBytes: (1_000 + s) * 1024 }),
  sample('db', T0 + s * 1_000, { cpuPercent: 100 - (s % 50), rssBytes: (2_000 + s) * 1024 }),
  tick(T0 + s * 1_000),
]).flat();

/** A raw log of `session()` in many small segments (a batch a minute), compaction off. */
async function rawLog(dir: string): Promise<void> {
  const input = new Subject<MetricEvent>();
  let written = 0;
  const problems = lastValueFrom(input.pipe(spillover({ dir, events: 'log', segmentBytes: 2_048, maxQueue: 100_000,
    compaction: false, onWritten: (n) => { written += n; } }), toArray()));
  const events = session();
  for (let i = 0; i < events.length; i += 180) {
    events.slice(i, i + 180).forEach((e) => input.next(e));
    while (written < Math.min(i + 180, events.length)) await sleep(1); // one batch a minute, however loaded the machine
  }
  input.complete();
  expect(await problems).toEqual([]);
}

const observations = (events: MetricEvent[], unit: string): number => events.filter((e) => e.unit === unit)
  .reduce((n, e) => n + (e.type === 'bucket' ? e.samples : e.type === 'sample' ? 1 : 0), 0);

const segmentDir = (dir: string) => new SegmentDir(dir, {
  maxBytes: 1 << 30, segmentBytes: 2_048, fsync: 'never', now: () => T0, onLost: () => undefined,
});

/** A fresh raw log and the sink's inventory of it. */
async function loggedDir(): Promise<{ dir: string; inventory: SegmentDir }> {
  const dir = fresh();
  await rawLog(dir);
  const inventory = segmentDir(dir);
  await inventory.sync();
  return { dir, inventory };
}

describe('compaction is crash-safe', () => {
  it('a crash between the rename and the deletes: readers take the bucket segment only, and a restart deletes the inputs', async () => {
    const { dir, inventory } = await loggedDir();
    const inputs = inventory.closedSegments().slice(0, -1); // all but the newest: a run, as compaction takes it
    expect(inputs.length).toBeGreaterThan(2);
    // compactSegments renames its output into place and deletes nothing: exactly what a crash right after it leaves
    const { segment } = await compactSegments(dir, inputs, 60_000);
    expect(readdirSync(dir)).toEqual(expect.arrayContaining([segment.name, ...inputs.map((s) => s.name)]));

    const replayed = await lastValueFrom(replay(dir).pipe(toArray()));
    expect(replayed.some((e) => e.type === 'bucket')).toBe(true);
    expect(observations(replayed, 'api')).toBe(1_200); // neither lost nor counted twice
    expect(observations(replayed, 'db')).toBe(1_200);
    expect(replayed.filter((e) => e.type === 'tick')).toHaveLength(1_200);

    await segmentDir(dir).start(); // the next run's start finishes the compaction
    const left = readdirSync(dir);
    expect(left).toContain(segment.name);
    expect(left.filter((n) => inputs.some((s) => s.name === n))).toEqual([]);
    expect(observations(await lastValueFrom(replay(dir).pipe(toArray())), 'api')).toBe(1_200);
  });

  it('a crash before the rename leaves a temporary file that is never read, and removed on start', async () => {
    const dir = fresh();
    await rawLog(dir);
    writeFileSync(join(dir, '.procstream-compacting-0123abcd.tmp'), 'half a segment', { mode: 0o600 });
    expect(observations(await lastValueFrom(replay(dir).pipe(toArray())), 'api')).toBe(1_200);
    await segmentDir(dir).start();
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it("a symlink or another user's file named like a bucket segment is neither read, counted nor deleted", async () => {
    const dir = fresh();
    await rawLog(dir);
    const outside = join(fresh(), 'target');
    writeFileSync(outside, '{"v":1,"type":"tick"}\n');
    const covering = bucketSegmentName(0, 1_000, T0, 60_000); // would shadow every raw segment if it were trusted
    symlinkSync(outside, join(dir, covering));
    const foreign = bucketSegmentName(0, 2_000, T0, 900_000);
    writeFileSync(join(dir, foreign), 'not ours', { mode: 0o644 });
    chownSync(join(dir, foreign), 65_534, 65_534);
    const inventory = segmentDir(dir);
    await inventory.start();
    expect(inventory.closedSegments().map((s) => s.name)).not.toContain(covering);
    expect(readdirSync(dir)).toEqual(expect.arrayContaining([covering, foreign]));
    expect(observations(await lastValueFrom(replay(dir).pipe(toArray())), 'api')).toBe(1_200);
  });

  it('compaction keeps every observation: counts and sums of the buckets equal the rows they replace', async () => {
    const { dir, inventory } = await loggedDir();
    const inputs = inventory.closedSegments();
    const { segment } = await compactSegments(dir, inputs, 60_000);
    await inventory.replaced(segment, inputs);
    expect(readdirSync(dir)).toEqual([segment.name]);
    const events = await lastValueFrom(replay(dir).pipe(toArray()));
    const buckets = events.filter((e): e is BucketEvent => e.type === 'bucket' && e.unit === 'api');
    expect(buckets.every((b) => b.widthMs === 60_000 && b.reason === 'compacted')).toBe(true);
    expect(buckets.reduce((n, b) => n + b.samples, 0)).toBe(1_200);
    expect(buckets.reduce((n, b) => n + b.cpuPercent.sum, 0)).toBe(session().reduce((n, e) =>
      n + (e.type === 'sample' && e.unit === 'api' ? (e.cpuPercent as number) : 0), 0));
    expect(Math.max(...buckets.map((b) => b.rssBytes.max as number))).toBe((1_000 + 1_199) * 1024);
  });

  it('a restart rebuilds from a compacted log: the tail holds its buckets, every observation once', async () => {
    const { dir, inventory } = await loggedDir();
    const inputs = inventory.closedSegments().slice(0, -1);
    const { segment } = await compactSegments(dir, inputs, 60_000);
    await inventory.replaced(segment, inputs);
    const tail = await lastValueFrom(logTail(dir, { sinceMs: 0, maxDiskBytes: 1 << 30 }).pipe(toArray()));
    expect(tail.some((e) => e.type === 'bucket')).toBe(true);
    expect(observations(tail, 'api')).toBe(1_200);
  });
});

describe('compaction problems are events', () => {
  it('an unreadable segment becomes an error event with a count; the segments around it are still compacted', async () => {
    const { dir, inventory } = await loggedDir();
    const raw = inventory.closedSegments();
    expect(raw.length).toBeGreaterThan(3);
    const bad = raw[2]!.name;
    const bytes = readFileSync(join(dir, bad));
    bytes.fill(0xff, 10, 200); // the deflate data after the gzip header: does not decode
    writeFileSync(join(dir, bad), bytes);
    const problems = await lastValueFrom(from(session().slice(0, 3)).pipe(
      spillover({ dir, events: 'log', compaction: { rawAgeMs: 0, minInputBytes: 1 } }), toArray()));
    expect(problems).toEqual([expect.objectContaining({ type: 'error', source: 'spill', count: 1,
      message: expect.stringContaining(`compacting ${bad}`) })]);
    const left = readdirSync(dir).map((n) => parseLogSegmentName(n)!);
    expect(left.find((s) => s.name === bad)).toBeDefined(); // left as it is, for replay to read what it can
    const buckets = left.filter((s) => s.widthMs === 60_000);
    expect(buckets.some((s) => s.toSeq < raw[2]!.seq)).toBe(true);
    expect(buckets.some((s) => s.fromSeq > raw[2]!.seq)).toBe(true);
  });
});

describe('liveSegments', () => {
  const seg = (name: string) => parseLogSegmentName(name)!;
  it('a bucket segment shadows the raw and finer bucket segments inside its range; the rest stay, in log order', () => {
    const names = ['procstream-000000000007-5.ndjson.gz', bucketSegmentName(0, 3, 1, 900_000), bucketSegmentName(0, 1, 1, 60_000),
      'procstream-000000000002-3.ndjson.gz', bucketSegmentName(4, 6, 4, 60_000), 'procstream-000000000004-4.ndjson.gz',
      bucketSegmentName(7, 7, 5, 60_000)];
    const { live, shadowed } = liveSegments(names.map(seg));
    expect(live.map((s) => [s.fromSeq, s.toSeq, s.widthMs])).toEqual([[0, 3, 900_000], [4, 6, 60_000], [7, 7, 60_000]]);
    expect(shadowed).toHaveLength(4);
  });
  it('names never overflow: ranges past 12 digits parse', () => {
    expect(seg(bucketSegmentName(999_999_999_999, 1_000_000_000_001, 9, 900_000))).toMatchObject(
      { fromSeq: 999_999_999_999, toSeq: 1_000_000_000_001, widthMs: 900_000, openedMs: 9 });
    expect(parseLogSegmentName('procstream-000000000003-000000000002-1.60s.ndjson.gz')).toBeUndefined();
  });
});
