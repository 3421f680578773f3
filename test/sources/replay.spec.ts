import { afterEach, describe, expect, it } from 'vitest';
import { cpSync, rmSync, writeFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { firstValueFrom, from, lastValueFrom, map, take, toArray } from 'rxjs';
import { replay } from '../../src/sources/replay.js';
import { spillover } from '../../src/sinks/spillover.js';
import type { BadLine } from '../../src/sources/read-ndjson.js';
import type { MetricEvent } from '../../src/events.js';
import { segmentName } from '../../src/formats/segment-names.js';
import { down, sample } from '../../src/testing/index.js';
import { evicted, tempDir } from '../helpers/spill-dir.js';

const FIXTURE = join(import.meta.dirname, '../../../shared/fixtures/systemg-spill');
const dirs: string[] = [];
const fresh = () => { const d = tempDir('procstream-replay-'); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
const all = (dir: string, opts = {}) => lastValueFrom(replay(dir, opts).pipe(toArray()));
const spill = (dir: string, events: MetricEvent[], opts = {}) =>
  lastValueFrom(from(events).pipe(spillover({ dir, ...opts })), { defaultValue: undefined });

describe('replay', () => {
  it('replays spilled evictions in write order, unwrapped to the events the store kept', async () => {
    const dir = fresh();
    const evictions = Array.from({ length: 30 }, (_, i) => evicted(i));
    await spill(dir, evictions, { segmentBytes: 1000, maxBytes: 100_000 }); // many segments
    expect(await all(dir)).toEqual(evictions.map((e) => e.event));
    expect(await all(dir, { unwrap: false })).toEqual(evictions);
  });

  it('filters by unit and by an inclusive time range', async () => {
    const dir = fresh();
    await spill(dir, [sample('a', 1), sample('b', 2), down('a', 3), sample('a', 4)], { events: 'all' });
    expect(await all(dir, { unit: 'a', sinceMs: 2, untilMs: 4 })).toEqual([down('a', 3), sample('a', 4)]);
    expect(await all(dir, { unit: ['b'] })).toEqual([sample('b', 2)]);
    expect(await all(dir, { unit: 'c' })).toEqual([]);
    expect(await all(dir, { unit: 'a', beforeMs: 4 })).toEqual([sample('a', 1), down('a', 3)]); // exclusive, as --until
  });

  it('skips and counts a torn tail, and reads foreign files and symlinks never', async () => {
    const dir = fresh();
    writeFileSync(join(dir, segmentName(0, 1)), `${JSON.stringify(evicted(0))}\n{"type":"evic`);
    writeFileSync(join(dir, segmentName(1, 1)), `${JSON.stringify(evicted(1))}\n`);
    writeFileSync(join(dir, 'notes.ndjson'), `${JSON.stringify(evicted(9))}\n`);
    symlinkSync(join(dir, segmentName(1, 1)), join(dir, segmentName(2, 1)));
    const bad: BadLine[] = [];
    const out = await all(dir, { onBadLine: (b: BadLine) => bad.push(b) });
    expect(out).toEqual([
      evicted(0).event,
      expect.objectContaining({ type: 'dropped', source: 'replay', reason: 'bad-line', count: 1, total: 1 }),
      evicted(1).event,
    ]);
    expect(bad).toEqual([expect.objectContaining({ name: segmentName(0, 1), line: 2 })]);
  });

  it('in strict mode fails on a torn tail with E_PARSE naming file and line', async () => {
    const dir = fresh();
    writeFileSync(join(dir, segmentName(0, 1)), `${JSON.stringify(evicted(0))}\n{"type":"evic`);
    await expect(all(dir, { strict: true })).rejects.toMatchObject({
      code: 'E_PARSE', message: expect.stringContaining(`${segmentName(0, 1)}:2: `),
    });
  });

  it('fails with E_SOURCE when the directory is missing', async () => {
    await expect(all(join(fresh(), 'nope'))).rejects.toMatchObject({ code: 'E_SOURCE' });
  });

  it('take(1) stops after the first event', async () => {
    const dir = fresh();
    await spill(dir, [evicted(0), evicted(1)]);
    expect(await firstValueFrom(replay(dir).pipe(take(1), toArray()))).toEqual([evicted(0).event]);
  });

  it('streams with bounded memory: 80 MB of segments replay with far less heap growth', async () => {
    const dir = fresh();
    const line = `${JSON.stringify(evicted(1))}\n`;
    const perSegment = Math.floor((8 * 1024 * 1024) / line.length);
    for (let seq = 0; seq < 10; seq++) writeFileSync(join(dir, segmentName(seq, 1)), line.repeat(perSegment));
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    let n = 0;
    await lastValueFrom(replay(dir).pipe(map(() => {
      if (++n % 5000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    })), { defaultValue: undefined });
    expect(n).toBe(10 * perSegment);
    expect(peak).toBeLessThan(60 * 1024 * 1024); // holding them all would take several times the 80 MB on disk
  });

  describe('systemg format', () => {
    it('replays the fixture: unit names mapped, samples counted, stopped samples as unit-down, torn line counted', async () => {
      const dir = fresh();
      cpSync(FIXTURE, dir, { recursive: true });
      const names = { a1b2c3d4e5f60718: 'web', '9c2e7b1d4f6a8035': 'worker' };
      const bad: BadLine[] = [];
      const out = await all(dir, { unitNames: names, onBadLine: (b: BadLine) => bad.push(b) });
      const byUnit = (u: string, t: string) => out.filter((e) => e.unit === u && e.type === t).length;
      expect(out).toHaveLength(1801); // 1800 complete lines + one dropped count for the torn last line
      expect(byUnit('web', 'sample')).toBe(240);
      expect(byUnit('web', 'unit-down')).toBe(360); // its all-zero samples while stopped
      expect(byUnit('worker', 'sample')).toBe(600);
      expect(byUnit('3f9a1c0e5b7d2a41', 'sample')).toBe(600); // an unmapped hash stays the unit name
      expect(bad).toEqual([expect.objectContaining({ name: 'metrics-1795165799.jsonl', line: 4 })]);
      expect(out.at(-1)).toMatchObject({ type: 'dropped', source: 'replay', reason: 'bad-line', count: 1 });
      expect(out[0]).toEqual({
        type: 'sample', v: 1, unit: 'web', ts: Date.UTC(2026, 10, 20, 9, 0, 0, 60), pid: 0, startTimeMs: 0,
        cpuPercent: 8.518, cpuUserSeconds: 0, cpuSystemSeconds: 0, rssBytes: 59252749, ioReadBytes: 0, ioWriteBytes: 0,
        netRxBytes: 0, netTxBytes: 0, netScope: null, missing: expect.objectContaining({ cpu: expect.any(String) }),
      });
      expect(out.find((e) => e.type === 'unit-down')).toMatchObject({ unit: 'web', reason: 'stopped' });
      const ts = out.slice(0, -1).map((e) => e.ts);
      expect(ts).toEqual([...ts].sort((x, y) => x - y)); // files in time order
    });

    it('filters systemg lines by mapped and unmapped unit names', async () => {
      const dir = fresh();
      cpSync(FIXTURE, dir, { recursive: true });
      const names = { a1b2c3d4e5f60718: 'web' };
      const out = await all(dir, { unitNames: names, unit: ['web', '3f9a1c0e5b7d2a41'] });
      const units = new Set(out.filter((e) => e.type !== 'dropped').map((e) => e.unit));
      expect(units).toEqual(new Set(['web', '3f9a1c0e5b7d2a41']));
      expect(out.filter((e) => e.unit === 'web')).toHaveLength(600);
      expect(out.filter((e) => e.unit === '3f9a1c0e5b7d2a41')).toHaveLength(600);
    });

    it('reads unit names from a mapping file and reads a pre-aggregated record as a bucket', async () => {
      const dir = fresh();
      const line = { unit_hash: 'ff', sample: { timestamp: '2026-11-20T09:00:00.5Z', cpu_percent: 5, rss_bytes: 10,
        io_read_bytes: 0, io_write_bytes: 0, net_rx_bytes: 0, net_tx_bytes: 0, sample_count: 12, span_secs: 60,
        cpu_percent_min: 1, cpu_percent_max: 9, rss_bytes_max: 20 } };
      writeFileSync(join(dir, 'metrics-1795165200.jsonl'), `${JSON.stringify(line)}\n`);
      const map = join(fresh(), 'names.json');
      writeFileSync(map, JSON.stringify({ ff: 'db' }));
      const ts = Date.UTC(2026, 10, 20, 9, 0, 0, 500);
      expect(await all(dir, { unitNames: map })).toEqual([expect.objectContaining({
        unit: 'db', type: 'bucket', ts, firstTs: ts - 60_000, lastTs: ts, samples: 12, widthMs: 60_000,
        cpuPercent: expect.objectContaining({ count: 12, sum: 60, min: 1, max: 9 }),
        rssBytes: expect.objectContaining({ count: 12, max: 20, last: 10 }),
      })]);
    });
  });
});
