import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import { replay } from '../../src/sources/replay.js';
import { spillover } from '../../src/sinks/spillover.js';
import type { BadLine } from '../../src/sources/read-ndjson.js';
import type { MetricEvent } from '../../src/events.js';
import { segmentName } from '../../src/formats/segment-names.js';
import { sample } from '../../src/testing/index.js';
import { linesIn, segmentsIn, tempDir, waitFor } from '../helpers/spill-dir.js';

const dirs: string[] = [];
const fresh = () => { const d = tempDir('procstream-replay-gz-'); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
const samples = (n: number, from0 = 0) => Array.from({ length: n }, (_, i) => sample('api', 1_000 + from0 + i));

describe('replay of compressed segments', () => {
  it('reads old plain segments and new compressed ones in sequence order', async () => {
    const dir = fresh();
    writeFileSync(join(dir, segmentName(0, 1)), samples(2).map((e) => `${JSON.stringify(e)}\n`).join(''));
    await lastValueFrom(from(samples(3, 2)).pipe(spillover({ dir, events: 'log' })), { defaultValue: undefined });
    expect(segmentsIn(dir).map((s) => s.name.endsWith('.gz'))).toEqual([false, true]);
    expect(await lastValueFrom(replay(dir).pipe(toArray()))).toEqual(samples(5));
  });

  it('cut at any byte (a crash mid-write), gives a prefix of the lines: never a partial line, at most one bad line', async () => {
    const dir = fresh();
    const input = samples(40);
    // four batches of ten lines, so the cuts fall in every batch and on every boundary
    const subject = new Subject<MetricEvent>();
    const done = lastValueFrom(subject.pipe(spillover({ dir, events: 'log', fsync: 'never' })), { defaultValue: undefined });
    for (let b = 0; b < 4; b++) {
      for (const e of input.slice(b * 10, b * 10 + 10)) subject.next(e);
      await waitFor(() => linesIn(dir).length === b * 10 + 10, `batch ${b}`);
    }
    const [seg] = segmentsIn(dir); // still open: no gzip trailer, as a killed writer leaves it
    const whole = readFileSync(join(dir, seg!.name));
    let seenPrefixes = 0;
    for (let cut = 0; cut <= whole.length; cut++) {
      writeFileSync(join(dir, seg!.name), whole.subarray(0, cut));
      const bad: BadLine[] = [];
      const out = await lastValueFrom(replay(dir, { onBadLine: (b) => bad.push(b) }).pipe(toArray()));
      const rows = out.filter((e) => e.type === 'sample');
      expect(rows, `cut at ${cut}`).toEqual(input.slice(0, rows.length));
      expect(bad.length, `cut at ${cut}`).toBeLessThanOrEqual(1);
      if (rows.length % 10 === 0 && bad.length === 0) seenPrefixes++;
    }
    expect(seenPrefixes).toBeGreaterThan(4); // the flushed batch boundaries themselves decode whole
    subject.complete();
    await done;
  });

  it('garbage after the last batch: every line before it is kept, the garbage skipped and counted', async () => {
    const dir = fresh();
    // over 256 KiB compressed, so the bad data falls in a later read chunk than the start: zlib's failure drops the
    // output of the chunk it fails in, which must be recovered
    const many = Array.from({ length: 60_000 }, (_, i) => ({ ...sample('api', 1_000 + i), noise: Math.random() }) as MetricEvent);
    await lastValueFrom(from(many).pipe(spillover({ dir, events: 'all', maxQueue: 100_000, segmentBytes: 64 << 20 })), { defaultValue: undefined });
    const [seg] = segmentsIn(dir);
    const path = join(dir, seg!.name);
    const whole = readFileSync(path);
    expect(whole.length).toBeGreaterThan(300 * 1024);
    for (const garbage of ['{"type":"evicted","v":1,"unit":"torn-tail","ts":1', '\u0000\u00ff not gzip at all \u0001'.repeat(50)]) {
      writeFileSync(path, Buffer.concat([whole.subarray(0, whole.length - 8), Buffer.from(garbage)])); // no trailer, then garbage
      const bad: BadLine[] = [];
      const out = await lastValueFrom(replay(dir, { onBadLine: (b) => bad.push(b) }).pipe(toArray()));
      expect(out.filter((e) => e.type === 'sample')).toEqual(many);
      expect(bad.length).toBeGreaterThanOrEqual(1);
      expect(bad.length).toBeLessThanOrEqual(2); // the undecodable data, and a partial line decoded before it
    }
  }, 60_000);
});
