import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { from, lastValueFrom, range, map, Subject, toArray, concat, of, throwError } from 'rxjs';
import { spillover } from '../../src/sinks/spillover.js';
import type { MetricEvent } from '../../src/events.js';
import { segmentName, SEGMENT_PATTERN } from '../../src/formats/segment-names.js';
import { down, sample } from '../../src/testing/index.js';
import { execSync } from 'node:child_process';
import { evicted, fixedClock, linesIn, segmentBytesIn, segmentsIn, segmentText, tempDir, waitFor } from '../helpers/spill-dir.js';

const dirs: string[] = [];
const fresh = () => { const d = tempDir(); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

const run = (events: MetricEvent[], opts: Parameters<typeof spillover>[0]) =>
  lastValueFrom(from(events).pipe(spillover(opts), toArray()));
const evictions = (n: number, start = 0) => Array.from({ length: n }, (_, i) => evicted(start + i));
/** Spills each event in its own batch: the next one goes in once the previous one is on disk. */
async function spillEach(events: MetricEvent[], opts: Parameters<typeof spillover>[0]): Promise<void> {
  const input = new Subject<MetricEvent>();
  const done = lastValueFrom(input.pipe(spillover(opts), toArray()));
  const ts = (e: MetricEvent) => `"ts":${e.ts},`;
  for (const e of events) {
    input.next(e);
    await waitFor(() => linesIn(opts.dir).at(-1)?.includes(ts(e)) ?? false, `ts ${e.ts} on disk`);
  }
  input.complete();
  expect(await done).toEqual([]);
}

describe('spillover', () => {
  it('validates 0 < segmentBytes <= maxBytes, naming the option', () => {
    expect(() => spillover({ dir: 'x', segmentBytes: 0 })).toThrow(/segmentBytes/);
    expect(() => spillover({ dir: 'x', segmentBytes: 2000, maxBytes: 1000 })).toThrow(
      expect.objectContaining({ code: 'E_USAGE', message: expect.stringMatching(/segmentBytes \(2000\).*maxBytes \(1000\)/) }),
    );
    expect(() => spillover({ dir: 'x', maxBytes: -1 })).toThrow(/maxBytes/);
    expect(() => spillover({ dir: 'x', segmentBytes: 1000, maxBytes: 1000 })).not.toThrow();
  });

  it('writes one line per evicted event, skips other events, emits nothing when all goes well', async () => {
    const dir = join(fresh(), 'spill');
    const out = await run([evicted(1), sample('api', 5), down('api', 6), evicted(2)], { dir });
    expect(out).toEqual([]);
    expect(linesIn(dir).map((l) => JSON.parse(l))).toEqual([evicted(1), evicted(2)]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const [seg] = segmentsIn(dir);
    expect(seg!.name).toMatch(SEGMENT_PATTERN);
    expect(statSync(join(dir, seg!.name)).mode & 0o777).toBe(0o600);
  });

  it("with events: 'all' spills every event", async () => {
    const dir = fresh();
    await run([evicted(1), sample('api', 5)], { dir, events: 'all' });
    expect(linesIn(dir).map((l) => JSON.parse(l))).toEqual([evicted(1), sample('api', 5)]);
  });

  it('completes only after every queued line is on disk', async () => {
    const dir = fresh();
    await run(evictions(3000), { dir, maxBytes: 64 * 1024 * 1024, segmentBytes: 1024 * 1024 });
    expect(linesIn(dir)).toHaveLength(3000);
  });

  it('never reuses a name across many rotations in one millisecond, nor after the clock steps back', async () => {
    const dir = fresh();
    const clock = { ms: 5_000 };
    const opts = { dir, segmentBytes: 1, maxBytes: 1 << 20, scheduler: fixedClock(clock), fsync: 'never' as const };
    await spillEach(evictions(20), opts); // every batch closes its segment: 20 rotations at the same ms
    clock.ms = 1_000; // the clock steps back before the next run
    await spillEach(evictions(20, 20), opts);
    const segs = segmentsIn(dir);
    expect(segs).toHaveLength(40);
    // sequence order is write order: reading segments in sequence yields ts 0..39
    expect(linesIn(dir).map((l) => (JSON.parse(l) as MetricEvent).ts - 10_000)).toEqual([...Array(40).keys()]);
    expect(segs[39]!.name).toBe(segmentName(39, 1_000, { compressed: true }));
  });

  it('writes gzip segments that zcat and jq read, once closed', async () => {
    const dir = fresh();
    await run(evictions(3), { dir });
    const [seg] = segmentsIn(dir);
    expect(seg!.name).toMatch(/\.ndjson\.gz$/);
    const ts = execSync(`zcat ${join(dir, seg!.name)} | jq -c .ts`, { encoding: 'utf8' });
    expect(ts).toBe('10000\n10001\n10002\n');
  });

  it('a new run never appends to an existing segment, whole or torn: it starts after the newest', async () => {
    const dir = fresh();
    await run(evictions(2), { dir });
    const [first] = segmentsIn(dir);
    writeFileSync(join(dir, first!.name), 'torn', { flag: 'a' });
    const before = readFileSync(join(dir, first!.name));
    await run(evictions(1, 2), { dir });
    const segs = segmentsIn(dir);
    expect(segs).toHaveLength(2);
    expect(readFileSync(join(dir, first!.name))).toEqual(before);
    expect(segs[1]!.name).toBe(segmentName(1, segs[1]!.name.split('-')[2]!.split('.')[0] as unknown as number, { compressed: true }));
    expect(segmentText(join(dir, segs[1]!.name))).toBe(`${JSON.stringify(evicted(2))}\n`);
  });

  it('widens the sequence past 12 digits, and keeps counting and deleting by sequence', async () => {
    const dir = fresh();
    writeFileSync(join(dir, segmentName(999_999_999_999, 1)), `${JSON.stringify(evicted(0))}\n`);
    await spillEach(evictions(3, 1), { dir, segmentBytes: 1, maxBytes: 1 << 20 });
    const names = segmentsIn(dir).map((s) => s.name);
    expect(names[0]).toBe(segmentName(999_999_999_999, 1));
    expect(names.slice(1).map((n) => n.split('-')[1])).toEqual(['1000000000000', '1000000000001', '1000000000002']);
    expect(linesIn(dir).map((l) => (JSON.parse(l) as MetricEvent).ts - 10_000)).toEqual([0, 1, 2, 3]);
    // the budget deletes the 12-digit one first: it is the oldest by sequence, though not by name
    const total = segmentBytesIn(dir);
    await spillEach(evictions(1, 4), { dir, segmentBytes: 1, maxBytes: total });
    expect(segmentsIn(dir).map((s) => s.name)).not.toContain(segmentName(999_999_999_999, 1));
    expect(linesIn(dir).at(-1)).toContain('"ts":10004,');
  });

  it('holds the budget at startup, deleting the oldest of our segments first (compaction off)', async () => {
    const dir = fresh();
    for (let seq = 0; seq < 5; seq++) writeFileSync(join(dir, segmentName(seq, 1)), `${JSON.stringify(evicted(seq))}\n`);
    const line = JSON.stringify(evicted(0)).length + 1;
    // With compaction on, the budget compacts before it deletes (spillover-compaction.spec.ts).
    await run([], { dir, segmentBytes: line, maxBytes: 2 * line, compaction: false });
    expect(segmentsIn(dir).map((s) => s.name)).toEqual([segmentName(3, 1), segmentName(4, 1)]);
  });

  it('holds the budget after writes and never touches foreign files or symlinks', async () => {
    const dir = fresh();
    const outside = fresh();
    writeFileSync(join(dir, 'notes.txt'), 'x'.repeat(5000));
    writeFileSync(join(dir, 'procstream-1.ndjson'), 'not ours');
    writeFileSync(join(outside, 'target'), 'keep me');
    symlinkSync(join(outside, 'target'), join(dir, segmentName(0, 0)));
    const maxBytes = 2000;
    await spillEach(evictions(40), { dir, segmentBytes: 1, maxBytes });
    const ours = segmentsIn(dir).filter((s) => !lstatSync(join(dir, s.name)).isSymbolicLink());
    const bytes = ours.reduce((sum, s) => sum + s.bytes, 0);
    expect(bytes).toBeLessThanOrEqual(maxBytes);
    expect(bytes).toBeGreaterThan(maxBytes - 2 * Math.max(...ours.map((s) => s.bytes))); // deletes no more than needed
    const kept = linesIn(dir).slice(1).map((l) => (JSON.parse(l) as MetricEvent).ts - 10_000); // [0] is the symlink
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 40 - kept.length + i)); // the newest survive
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toHaveLength(5000);
    expect(readFileSync(join(dir, 'procstream-1.ndjson'), 'utf8')).toBe('not ours');
    expect(lstatSync(join(dir, segmentName(0, 0))).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(outside, 'target'), 'utf8')).toBe('keep me');
  });

  it('holds the budget after every single write, keeping the newest lines', async () => {
    const dir = fresh();
    const maxBytes = 1500;
    const input = new Subject<MetricEvent>();
    const done = lastValueFrom(input.pipe(spillover({ dir, segmentBytes: 400, maxBytes }), toArray()));
    for (let i = 0; i < 60; i++) {
      input.next(evicted(i));
      await waitFor(() => linesIn(dir).at(-1)?.includes(`"ts":${10_000 + i},`) ?? false, `line ${i}`);
      expect(segmentBytesIn(dir)).toBeLessThanOrEqual(maxBytes);
    }
    input.complete();
    expect(await done).toEqual([]);
    const kept = linesIn(dir).map((l) => (JSON.parse(l) as MetricEvent).ts - 10_000);
    expect(kept.at(-1)).toBe(59);
    expect(kept[0]).toBeGreaterThan(0); // old segments went
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => kept[0]! + i));
  });

  it('a segment deleted by someone else costs no fresh data: every line written after it stays', async () => {
    const dir = fresh();
    const input = new Subject<MetricEvent>();
    const done = lastValueFrom(input.pipe(spillover({ dir, segmentBytes: 1, maxBytes: 1 << 20 }), toArray()));
    for (let i = 0; i < 8; i++) {
      input.next(evicted(i));
      await waitFor(() => linesIn(dir).length === i + 1, `line ${i}`);
    }
    const before = segmentsIn(dir).map((s) => s.name);
    unlinkSync(join(dir, before[0]!)); // the oldest: the next deletion finds it gone (ENOENT) and goes on
    unlinkSync(join(dir, before[3]!));
    for (let i = 8; i < 12; i++) input.next(evicted(i));
    input.complete();
    expect(await done).toEqual([]);
    expect(linesIn(dir).map((l) => (JSON.parse(l) as MetricEvent).ts - 10_000)).toEqual([1, 2, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('turns a full queue into dropped counts instead of blocking the source', async () => {
    const dir = fresh();
    const out = await lastValueFrom(range(0, 1000).pipe(map((i) => evicted(i)), spillover({ dir, maxQueue: 10 }), toArray()));
    expect(out).toEqual([expect.objectContaining({ type: 'dropped', source: 'spill', reason: 'queue-full', count: 990, total: 990, unit: '*' })]);
    expect(linesIn(dir)).toHaveLength(10);
  });

  it('drops a line longer than the whole budget and counts it', async () => {
    const dir = fresh();
    const out = await run([evicted(1)], { dir, segmentBytes: 100, maxBytes: 200 });
    expect(out).toEqual([expect.objectContaining({ type: 'dropped', reason: 'too-large', count: 1, total: 1 })]);
  });

  it('re-creates a removed directory, reports the lines lost with it, and keeps spilling', async () => {
    const root = fresh();
    const dir = join(root, 'spill');
    const input = new Subject<MetricEvent>();
    const done = lastValueFrom(input.pipe(spillover({ dir }), toArray()));
    input.next(evicted(0));
    await waitFor(() => existsSync(dir) && linesIn(dir).length === 1, 'first line');
    rmSync(dir, { recursive: true });
    for (let i = 1; i < 6; i++) input.next(evicted(i));
    input.complete();
    const out = await done;
    expect(out).toEqual([
      expect.objectContaining({ type: 'error', source: 'spill', code: 'ENOENT', count: 1 }),
      expect.objectContaining({ type: 'dropped', source: 'spill', reason: 'ENOENT', count: 1, total: 1 }),
    ]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(linesIn(dir).map((l) => (JSON.parse(l) as MetricEvent).ts - 10_000)).toEqual([1, 2, 3, 4, 5]);
  });

  it('unsubscribing early unsubscribes the source and closes the segment', async () => {
    const dir = fresh();
    const input = new Subject<MetricEvent>();
    const sub = input.pipe(spillover({ dir })).subscribe();
    input.next(evicted(0));
    await waitFor(() => linesIn(dir).length === 1, 'first line');
    const openInDir = () => readdirSync('/proc/self/fd').filter((fd) => {
      try { return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir); } catch { return false; }
    }).length;
    expect(openInDir()).toBe(1);
    sub.unsubscribe();
    expect(input.observed).toBe(false);
    await waitFor(() => openInDir() === 0, 'segment closed');
  });

  it('flushes, then passes a source error on', async () => {
    const dir = fresh();
    const err = new Error('upstream');
    const failing = concat(of<MetricEvent>(evicted(1)), throwError(() => err));
    await expect(lastValueFrom(failing.pipe(spillover({ dir })))).rejects.toBe(err);
    expect(linesIn(dir)).toHaveLength(1);
  });
});
