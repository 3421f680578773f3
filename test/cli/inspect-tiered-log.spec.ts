import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { asyncScheduler, lastValueFrom, type SchedulerLike, Subject, toArray } from 'rxjs';
import type { MetricEvent, SummaryEvent } from '../../src/events.js';
import { parseLogSegmentName } from '../../src/formats/log-segments.js';
import { spillover } from '../../src/sinks/spillover.js';
import { sample } from '../../src/testing/index.js';
import { ensureBuilt, run } from '../helpers/bin.js';
import { tempDir } from '../helpers/spill-dir.js';

const T0 = Date.UTC(2026, 10, 2);
const DAYS = 5;
const EVERY_S = 10;
const dir = tempDir('procstream-inspect-week-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Five days of `api` every 10 s, written through the spill sink at event time with compaction on: CPU 10 % on day
 * 0, 20 % on day 1, …; RSS 100 MiB + 50 MiB a day; one 95 % spike on day 0, which only a bucket's max keeps. */
beforeAll(async () => {
  ensureBuilt();
  let now = T0;
  const clock = Object.assign(Object.create(asyncScheduler) as SchedulerLike, { now: () => now });
  let fed = 0;
  let written = 0;
  const input = new Subject<MetricEvent>();
  const done = lastValueFrom(input.pipe(spillover({ dir, events: 'log', scheduler: clock, segmentBytes: 8 * 1024,
    compaction: { rawAgeMs: 6 * 3_600_000, minuteAgeMs: 24 * 3_600_000, minInputBytes: 16 * 1024 },
    onWritten: (n) => { written += n; } }), toArray()));
  for (let s = 0; s < DAYS * 86_400; s += EVERY_S) {
    now = T0 + s * 1_000;
    const day = Math.floor(s / 86_400);
    input.next(sample('api', now, { cpuPercent: s === 40_000 ? 95 : (day + 1) * 10, rssBytes: (100 + 50 * day) * 1_048_576 }));
    fed++;
    while (fed - written > 200) await sleep(0); // the writer keeps up, as with a live pipeline
  }
  input.complete();
  expect(await done).toEqual([]);
}, 60_000);

describe('inspect --from a compacted log', () => {
  it('the log holds 15-minute, 1-minute and raw segments', () => {
    const widths = new Set(readdirSync(dir).map((n) => parseLogSegmentName(n)?.widthMs));
    expect(widths).toEqual(new Set([0, 60_000, 900_000]));
  });

  it('draws the whole week from buckets and raw rows, with the observations and extrema of every tier', () => {
    const r = run(['inspect', 'api', '--from', dir, '--window', '7d']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const cpu = r.stdout.split('\n').find((l) => l.startsWith('CPU %  '))!.trim().split(/\s+/);
    expect(cpu.slice(2)).toEqual(['10.0', expect.any(String), expect.any(String), '95.0']); // min … max: the spike
    const rss = r.stdout.split('\n').find((l) => l.startsWith('RSS  '))!;
    expect(rss).toContain('100.0 MiB');
    expect(rss).toContain('300.0 MiB');
    // the first and the last day are both in the chart: its axis spans the five days, from the first observation
    // (T0) to the last (10 s before the fifth day ends), so the header says 4 days and 23 hours
    expect(r.stdout).toMatch(/last 4d23h/);
  });

  it('summarize counts every observation of the week', () => {
    const r = run(['summarize', dir]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as SummaryEvent;
    expect(s.samples).toBe(DAYS * 86_400 / EVERY_S);
    expect(s.cpuPercent.max).toBe(95);
    expect(s.cpuPercent.mean).toBeCloseTo((10 * 8_640 - 10 + 95 + 20 * 8_640 + 30 * 8_640 + 40 * 8_640 + 50 * 8_640) / 43_200, 6);
  });
});
