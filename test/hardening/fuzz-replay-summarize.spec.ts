import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { from, lastValueFrom, toArray } from 'rxjs';
import { decodeMetricEvent, type BadLine } from '../../src/sources/read-ndjson.js';
import { replay } from '../../src/sources/replay.js';
import { systemgDecoder } from '../../src/formats/systemg-format.js';
import { segmentName } from '../../src/formats/segment-names.js';
import { createWindowStore } from '../../src/store/create-window-store.js';
import { ingestAndSummarize } from '../../src/streams/ingest-and-summarize.js';
import { EVENT_FORMAT_VERSION, type MetricEvent, type SummaryEvent } from '../../src/events.js';
import { fixedClock, tempDir } from '../helpers/spill-dir.js';
import { expectedRead, hostileLine, ndjsonFile, unitName, validEvent } from '../helpers/fuzz-lines.js';

const root = tempDir('procstream-fuzz-replay-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
let runs = 0;

const num = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(0), fc.constantFrom('1', null, -1));
/** systemg lines, mostly well formed, some all-zero (a stopped unit), some with aggregate fields. */
const systemgLine = fc.record({
  unit_hash: fc.oneof(unitName, fc.constantFrom('__proto__', 'constructor', 'h1')),
  sample: fc.record({
    timestamp: fc.oneof(fc.constantFrom('2026-11-20T09:00:00.060816088Z', '2026-11-20T09:00:01+02:00', '9999-12-31T23:59:59Z', 'yesterday', '2026-13-45T99:99:99Z'), fc.string()),
    cpu_percent: num, rss_bytes: num, io_read_bytes: num, io_write_bytes: num, sample_count: num, cpu_percent_max: num,
  }, { requiredKeys: ['timestamp', 'cpu_percent', 'rss_bytes'] }),
}).map((line) => Buffer.from(JSON.stringify(line)));
const systemgFile = fc.array(fc.oneof(systemgLine, systemgLine, hostileLine), { maxLength: 12 }).map((lines) => Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])));

describe('replay over a directory of fuzzed files', () => {
  it('reads systemg files then segments in order, skips bad lines with a dropped count per file, never follows symlinks', async () => {
    const dirs = fc.record({
      segments: fc.array(ndjsonFile.map((f) => f.bytes), { maxLength: 4 }),
      systemg: fc.array(systemgFile, { maxLength: 3 }),
      unwrap: fc.boolean(),
    });
    await fc.assert(fc.asyncProperty(dirs, async ({ segments, systemg, unwrap }) => {
      const dir = join(root, `d${runs++}`);
      mkdirSync(dir);
      const names = { h1: 'renamed', __proto__: 'proto-unit' };
      const outside = join(root, `outside-${runs}.ndjson`);
      writeFileSync(outside, `${JSON.stringify({ type: 'unit-down', v: 1, unit: 'LEAK', ts: 1, reason: 'x' })}\n`);
      symlinkSync(outside, join(dir, segmentName(999_999, 0)));
      writeFileSync(join(dir, 'notes.txt'), 'not ours\n');
      const want: unknown[] = [];
      let total = 0;
      const expectFile = (bytes: Buffer, decode = decodeMetricEvent) => {
        const { events, bad } = expectedRead(bytes, decode, 4096);
        want.push(...events.map((e) => (unwrap && (e as MetricEvent).type === 'evicted' ? (e as { event: unknown }).event : e)));
        if (bad.length) {
          total += bad.length;
          want.push({ type: 'dropped', v: EVENT_FORMAT_VERSION, unit: '*', ts: 7, source: 'replay', reason: 'bad-line', count: bad.length, total });
        }
      };
      // written in reverse so directory order is not file order
      systemg.map((bytes, i) => [bytes, `metrics-${1_700_000_000 + i * 60}.jsonl`] as const).reverse().forEach(([b, n]) => writeFileSync(join(dir, n), b));
      segments.map((bytes, i) => [bytes, segmentName(i * 3, 5_000 - i)] as const).reverse().forEach(([b, n]) => writeFileSync(join(dir, n), b));
      systemg.forEach((b) => expectFile(b, systemgDecoder(names)));
      segments.forEach((b) => expectFile(b));

      const bad: BadLine[] = [];
      const got = await lastValueFrom(replay(dir, { unwrap, unitNames: names, maxLineBytes: 4096, onBadLine: (b) => bad.push(b),
        scheduler: fixedClock({ ms: 7 }) }).pipe(toArray()));
      expect(got).toEqual(want);
      expect(got.some((e) => e.unit === 'LEAK')).toBe(false);
      expect(bad.length).toBe(total);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }), { numRuns: 40 });
  });
});

describe('summaries of fuzzed but valid events', () => {
  it('never throw, and every statistic is a finite number or null', async () => {
    const ts = fc.integer({ min: -1e12, max: 4e12 });
    const events = fc.array(fc.tuple(validEvent, ts), { maxLength: 200 }).map((list) =>
      list.map(([e, t]) => ({ ...e, ts: t, unit: e.unit.slice(0, 2) }) as MetricEvent));
    await fc.assert(fc.asyncProperty(events, fc.constantFrom(1, 1000, 3_600_000), async (list, retentionMs) => {
      const store = createWindowStore({ clock: 'events', retentionMs, maxMemoryBytes: 4096, sweepIntervalMs: 1000 });
      const out = await lastValueFrom(from(list).pipe(
        ingestAndSummarize(store, { everyMs: 5_000, passThrough: false }), toArray()));
      const summaries = out.filter((e): e is SummaryEvent => e.type === 'summary');
      for (const s of summaries) {
        const numbers = [s.windowMs, s.firstTs, s.lastTs, s.samples, s.upSamples, s.ioReadBytesPerSec, s.ioWriteBytesPerSec,
          ...Object.values(s.cpuPercent), ...Object.values(s.rssBytes)];
        for (const x of numbers) if (x !== null) expect(Number.isFinite(x), JSON.stringify(s)).toBe(true);
      }
      expect(store.bytesUsed()).toBeLessThanOrEqual(4096);
    }), { numRuns: 60 });
  });
});
