import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { from, lastValueFrom, range, map, Subject, toArray, concat, of, throwError } from 'rxjs';
import { spillover } from '../../src/sinks/spillover.js';
import type { MetricEvent } from '../../src/events.js';
import { segmentName, SEGMENT_PATTERN } from '../../src/formats/segment-names.js';
import { down, sample } from '../../src/testing/index.js';
import { evicted, fixedClock, linesIn, segmentBytesIn, segmentsIn, tempDir, waitFor } from '../helpers/spill-dir.js';

const LINE = 276; // bytes of one evicted(i) line
const dirs: string[] = [];
const fresh = () => { const d = tempDir(); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

const run = (events: MetricEvent[], opts: Parameters<typeof spillover>[0]) =>
  lastValueFrom(from(events).pipe(spillover(opts), toArray()));
const evictions = (n: number, start = 0) => Array.from({ length: n }, (_, i) => evicted(start + i));

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
    const opts = { dir, segmentBytes: LINE, maxBytes: 1000 * LINE, scheduler: fixedClock(clock), fsync: 'never' as const };
    await run(evictions(50), opts); // one line per segment: 50 rotations at the same ms
    clock.ms = 1_000; // the clock steps back before the next run
    await run(evictions(50, 50), opts);
    const segs = segmentsIn(dir);
    expect(segs).toHaveLength(100);
    // name order is write order: reading segments by name yields ts 0..99 in sequence
    expect(linesIn(dir).map((l) => (JSON.parse(l) as MetricEvent).ts - 10_000)).toEqual([...Array(100).keys()]);
    expect(segs[99]!.name).toBe(segmentName(99, 1_000));
  });

  it('a new run continues in the newest segment when it ends on a complete line', async () => {
    const dir = fresh();
    await run(evictions(2), { dir });
    await run(evictions(2, 2), { dir });
    expect(segmentsIn(dir)).toHaveLength(1);
    expect(linesIn(dir)).toHaveLength(4);
  });

  it('a new run never appends after a torn tail: it opens a new segment', async () => {
    const dir = fresh();
    await run(evictions(2), { dir });
    const [seg] = segmentsIn(dir);
    writeFileSync(join(dir, seg!.name), '{"type":"evic', { flag: 'a' });
    await run(evictions(1, 2), { dir });
    const segs = segmentsIn(dir);
    expect(segs).toHaveLength(2);
    expect(readFileSync(join(dir, segs[1]!.name), 'utf8')).toBe(`${JSON.stringify(evicted(2))}\n`);
  });

  it('holds the budget at startup, deleting the oldest of our segments first', async () => {
    const dir = fresh();
    for (let seq = 0; seq < 5; seq++) writeFileSync(join(dir, segmentName(seq, 1)), `${JSON.stringify(evicted(seq))}\n`);
    await run([], { dir, segmentBytes: LINE, maxBytes: 2 * LINE });
    expect(segmentsIn(dir).map((s) => s.name)).toEqual([segmentName(3, 1), segmentName(4, 1)]);
  });

  it('holds the budget after writes and never touches foreign files or symlinks', async () => {
    const dir = fresh();
    const outside = fresh();
    writeFileSync(join(dir, 'notes.txt'), 'x'.repeat(5000));
    writeFileSync(join(dir, 'procstream-1.ndjson'), 'not ours');
    writeFileSync(join(outside, 'target'), 'keep me');
    symlinkSync(join(outside, 'target'), join(dir, segmentName(0, 0)));
    const opts = { dir, segmentBytes: 4 * LINE, maxBytes: 10 * LINE };
    await run(evictions(40), opts);
    expect(segmentBytesIn(dir) - lstatSync(join(dir, segmentName(0, 0))).size).toBeLessThanOrEqual(10 * LINE);
    const kept = linesIn(dir).slice(1).map((l) => (JSON.parse(l) as MetricEvent).ts - 10_000); // [0] is the symlink
    expect(kept).toEqual([32, 33, 34, 35, 36, 37, 38, 39]); // newest whole segments survive
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toHaveLength(5000);
    expect(readFileSync(join(dir, 'procstream-1.ndjson'), 'utf8')).toBe('not ours');
    expect(lstatSync(join(dir, segmentName(0, 0))).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(outside, 'target'), 'utf8')).toBe('keep me');
  });

  it('holds the budget after every single write, keeping the newest lines', async () => {
    const dir = fresh();
    const input = new Subject<MetricEvent>();
    const done = lastValueFrom(input.pipe(spillover({ dir, segmentBytes: 3 * LINE, maxBytes: 7 * LINE }), toArray()));
    for (let i = 0; i < 30; i++) {
      input.next(evicted(i));
      await waitFor(() => linesIn(dir).at(-1)?.includes(`"ts":${10_000 + i},`) ?? false, `line ${i}`);
      expect(segmentBytesIn(dir)).toBeLessThanOrEqual(7 * LINE);
      expect(segmentBytesIn(dir)).toBeGreaterThanOrEqual(Math.min(i + 1, 5) * LINE); // deletes only whole old segments
    }
    input.complete();
    expect(await done).toEqual([]);
  });

  it('re-syncs with the disk: a segment deleted by someone else never makes it delete fresh data', async () => {
    const dir = fresh();
    const input = new Subject<MetricEvent>();
    const done = lastValueFrom(input.pipe(spillover({ dir, segmentBytes: 4 * LINE, maxBytes: 16 * LINE }), toArray()));
    for (let i = 0; i < 16; i++) input.next(evicted(i));
    await waitFor(() => segmentBytesIn(dir) === 16 * LINE, '16 lines on disk');
    const before = segmentsIn(dir).map((s) => s.name);
    unlinkSync(join(dir, before[1]!)); // not the oldest: stale accounting would delete before[0] to make room
    unlinkSync(join(dir, before[2]!));
    for (let i = 16; i < 24; i++) input.next(evicted(i)); // 2 more segments fit in the space freed outside
    input.complete();
    expect(await done).toEqual([]);
    expect(segmentsIn(dir).map((s) => s.name)).toEqual([before[0], before[3], expect.any(String), expect.any(String)]);
    expect(linesIn(dir)).toHaveLength(16);
  });

  it('turns a full queue into dropped counts instead of blocking the source', async () => {
    const dir = fresh();
    const out = await lastValueFrom(range(0, 1000).pipe(map((i) => evicted(i)), spillover({ dir, maxQueue: 10 }), toArray()));
    expect(out).toEqual([expect.objectContaining({ type: 'dropped', source: 'spill', reason: 'queue-full', count: 990, total: 990, unit: '*' })]);
    expect(linesIn(dir)).toHaveLength(10);
  });

  it('drops a line longer than a segment and counts it', async () => {
    const dir = fresh();
    const out = await run([evicted(1)], { dir, segmentBytes: 100, maxBytes: 1000 });
    expect(out).toEqual([expect.objectContaining({ type: 'dropped', reason: 'too-large', count: 1, total: 1 })]);
  });

  it('re-creates a removed directory, reports the lines lost with it, and keeps spilling', async () => {
    const root = fresh();
    const dir = join(root, 'spill');
    const input = new Subject<MetricEvent>();
    const done = lastValueFrom(input.pipe(spillover({ dir, segmentBytes: 2 * LINE, maxBytes: 100 * LINE }), toArray()));
    input.next(evicted(0));
    await waitFor(() => existsSync(dir) && segmentBytesIn(dir) === LINE, 'first line');
    rmSync(dir, { recursive: true });
    for (let i = 1; i < 6; i++) input.next(evicted(i));
    input.complete();
    const out = await done;
    expect(out).toEqual([
      expect.objectContaining({ type: 'error', source: 'spill', code: 'ENOENT', count: 1 }),
      expect.objectContaining({ type: 'dropped', source: 'spill', reason: 'ENOENT', count: 2, total: 2 }),
    ]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(linesIn(dir).map((l) => (JSON.parse(l) as MetricEvent).ts - 10_000)).toEqual([2, 3, 4, 5]);
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
