import { from, lastValueFrom } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bucketize, renderInspect } from '../../src/cli/render-inspect.js';
import type { SampleEvent, SummaryEvent, UnitDownEvent } from '../../src/events.js';
import { windowedStore } from '../../src/streams/windowed-store.js';
import { down, sample } from '../../src/testing/index.js';

const T0 = Date.parse('2026-11-26T14:45:00Z');
const MiB = 1_048_576;
const base = { unit: 'api', windowMs: 900_000, endTs: T0 + 900_000, width: 100, color: false, utc: true };

/** The store's summary of the unit over the window, as the inspect command passes it. */
async function summaryOf(rows: (SampleEvent | UnitDownEvent)[]): Promise<SummaryEvent> {
  const store = windowedStore({ clock: 'events', retentionMs: 24 * 3_600_000, tiers: false }); // as inspect's
  await lastValueFrom(from(rows.filter((r) => r.unit === 'api')).pipe(store), { defaultValue: undefined });
  return store.summary('api', { now: base.endTs, windowMs: base.windowMs - 1 })!; // renderInspect's window excludes its start
}

/** One sample a second over the 15 minutes, with cpu = i % 100 and rss = (100 + i % 10) MiB; down for [300 s, 400 s). */
function history() {
  const events = [];
  for (let i = 1; i <= 900; i += 1) {
    if (i === 300) events.push(down('api', T0 + i * 1_000));
    if (i >= 300 && i < 400) continue;
    events.push(sample('api', T0 + i * 1_000, { cpuPercent: i % 100, rssBytes: (100 + (i % 10)) * MiB }));
  }
  return events;
}

describe('bucketize', () => {
  it('averages the samples in each time slice', () => {
    const rows = [sample('a', 0, { cpuPercent: 10 }), sample('a', 5, { cpuPercent: 30 }), sample('a', 10, { cpuPercent: 50 })];
    expect(bucketize(rows, (s) => s.cpuPercent, 0, 10, 2)).toEqual([10, 40]);
  });

  it('makes a gap after a down marker and when samples stop, never a zero', () => {
    const rows = [sample('a', 0, { cpuPercent: 10 }), sample('a', 10, { cpuPercent: 10 }), down('a', 20), sample('a', 50, { cpuPercent: 10 })];
    expect(bucketize(rows, (s) => s.cpuPercent, 0, 60, 6)).toEqual([10, 10, null, null, null, 10]);
    const stopped = [sample('a', 0, { cpuPercent: 5 }), sample('a', 10, { cpuPercent: 5 })];
    expect(bucketize(stopped, (s) => s.cpuPercent, 0, 100, 10)).toEqual([5, 5, 5, 5, null, null, null, null, null, null]);
  });

  it('carries a value across slices narrower than the sampling interval', () => {
    const rows = [sample('a', 0, { cpuPercent: 7 }), sample('a', 10, { cpuPercent: 9 }), sample('a', 20, { cpuPercent: 9 })];
    expect(bucketize(rows, (s) => s.cpuPercent, 0, 20, 8)).toEqual([7, 7, 7, 7, 9, 9, 9, 9]);
  });
});

describe('renderInspect', () => {
  let opts: Parameters<typeof renderInspect>[1];
  let text: string;
  let lines: string[];
  beforeAll(async () => {
    opts = { ...base, stats: await summaryOf(history()) };
    text = renderInspect(history(), opts);
    lines = text.split('\n');
  });

  it('heads the output with the unit, the window and its counts', () => {
    expect(lines[0]).toBe('api · last 15m · 14:45:00–15:00:00 UTC · 800 samples, 1 down');
  });

  it('labels the time axis of both charts at start, middle and end', () => {
    const axes = lines.filter((l) => /\d\d:\d\d:\d\d/.test(l) && !l.startsWith('api'));
    expect(axes).toHaveLength(2);
    for (const axis of axes) expect(axis.trim().split(/\s+/)).toEqual(['14:45:00', '14:52:30', '15:00:00']);
    expect(lines.filter((l) => l.includes('└┬'))).toHaveLength(2);
  });

  it('gives min, mean, p95 and max of CPU and RSS', () => {
    const cpuValues = history().flatMap((e) => (e.type === 'sample' ? [e.cpuPercent as number] : []));
    const mean = cpuValues.reduce((a, b) => a + b, 0) / cpuValues.length;
    expect(text).toMatch(/^\s+min\s+mean\s+p95\s+max$/m);
    // Each of 0..99 occurs 8 times in 800 samples: the nearest-rank p95 (760th value) is 94.
    expect(mean).toBe(49.5);
    expect(text).toContain(`CPU %   ${'0.0'.padStart(10)}${'49.5'.padStart(10)}${'94.0'.padStart(10)}${'99.0'.padStart(10)}`);
    expect(text).toMatch(/^RSS\s+100\.0 MiB\s+104\.5 MiB\s+109\.0 MiB\s+109\.0 MiB$/m);
  });

  it('draws the downtime as a gap, not as zeros', () => {
    const cpuChart = lines.slice(lines.indexOf('CPU % (100 = one core)') + 1, lines.findIndex((l) => l.includes('└┬')));
    const dataStart = 12;
    const columns = 100 - 10 - 3;
    const gapColumns = [...Array(columns - 1).keys()].filter((x) => cpuChart.every((l) => (l[dataStart + x] ?? ' ') === ' '));
    // [300 s, 400 s) of 900 s is columns 29..38 of 87; the columns touching the edges are blank too.
    expect(gapColumns.length).toBeGreaterThanOrEqual(9);
    expect(gapColumns.every((x) => x >= 27 && x <= 39)).toBe(true);
  });

  it('keeps every line within the terminal width', () => {
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(100);
  });

  it('ignores other units and rows outside the window', () => {
    const noisy = [...history(), sample('db', T0 + 500_000, { cpuPercent: 900 }), sample('api', T0 - 60_000, { cpuPercent: 900 })];
    expect(renderInspect(noisy, opts)).toBe(text);
  });

  it('says so when the window holds no samples', async () => {
    const out = renderInspect([down('api', T0 + 1_000)], { ...opts, stats: await summaryOf([down('api', T0 + 1_000)]) });
    expect(out.match(/no samples in this window/g)).toHaveLength(2);
    expect(out).toMatch(/^CPU %\s+–\s+–\s+–\s+–$/m);
  });

  it('colours the chart lines only when colour is on', () => {
    expect(text).not.toContain('\x1b[');
    const coloured = renderInspect(history(), { ...opts, color: true });
    expect(coloured).toContain('\x1b[36m');
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(text);
  });
});
