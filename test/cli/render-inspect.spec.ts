import { from, lastValueFrom } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventMarks } from '../../src/cli/inspect-legend.js';
import { renderInspect } from '../../src/cli/render-inspect.js';
import type { SampleEvent, SummaryEvent, UnitDownEvent } from '../../src/events.js';
import { createWindowStore, type WindowStoreOptions } from '../../src/store/create-window-store.js';
import { ingestInto } from '../../src/streams/ingest-into.js';
import { down, sample } from '../../src/testing/index.js';
import { DEFAULT_TIER_PLAN } from '../../src/store/tiers.js';

const T0 = Date.parse('2026-11-26T14:45:00Z');
const MiB = 1_048_576;
const base = { unit: 'api', windowMs: 900_000, endTs: T0 + 900_000, width: 100, color: false, utc: true };

/** A store on event time holding `rows` of 'api' (raw rows only unless `tiers` is given), as the inspect command fills its own. */
async function storeOf(rows: (SampleEvent | UnitDownEvent)[], options: WindowStoreOptions = { tiers: false }) {
  const store = createWindowStore({ clock: 'events', retentionMs: 24 * 3_600_000, ...options });
  await lastValueFrom(from(rows.filter((r) => r.unit === 'api')).pipe(ingestInto(store)), { defaultValue: undefined });
  return store;
}

/** The store's summary of the unit over the window, as the inspect command passes it. */
async function summaryOf(rows: (SampleEvent | UnitDownEvent)[]): Promise<SummaryEvent> {
  const store = await storeOf(rows);
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

describe('eventMarks', () => {
  const marksOf = async (rows: (SampleEvent | UnitDownEvent)[], end: number, columns: number) =>
    eventMarks((await storeOf(rows)).series('api', { fromTs: 0, toTs: end, maxPoints: columns * 8, widen: false }), 0, end, columns);

  it('marks a restart where the process identity changes, and the columns where the unit was down', async () => {
    const rows = [
      sample('api', 0, { pid: 1, startTimeMs: 100 }), sample('api', 10, { pid: 1, startTimeMs: 100 }), down('api', 20),
      sample('api', 40, { pid: 2, startTimeMs: 200 }), sample('api', 50, { pid: 2, startTimeMs: 200 }), sample('api', 70, { pid: 3, startTimeMs: 300 }),
    ];
    expect(await marksOf(rows, 80, 8)).toBe('  ××↻  ↻'); // 10 units a column: restarts at 40 and 70, down from 20 to 39
  });

  it('marks nothing for a steady process, and a down tail up to the end', async () => {
    expect(await marksOf([sample('api', 0), sample('api', 10)], 40, 4)).toBe('    ');
    expect(await marksOf([sample('api', 0), down('api', 20)], 40, 4)).toBe('  ××');
  });
});

describe('renderInspect', () => {
  let opts: Parameters<typeof renderInspect>[1];
  let text: string;
  let lines: string[];
  beforeAll(async () => {
    opts = { ...base, stats: await summaryOf(history()) };
    text = renderInspect(await storeOf(history()), opts);
    lines = text.split('\n');
  });

  it('heads the output with the unit, the window, its counts and the resolution it drew', () => {
    expect(lines[0]).toBe('api · last 15m · 14:45:00–15:00:00 UTC · 800 samples, 1 down · events: ↻ restart, × down');
    expect(lines[1]).toBe('resolution: raw samples');
  });

  it('spans the axis over the data present when it covers only the end of the window', async () => {
    const few = [1, 2, 3, 4, 5].map((i) => sample('api', T0 + 900_000 - 5_000 + i * 1_000, { cpuPercent: i }));
    const out = renderInspect(await storeOf(few), { ...base, stats: { samples: 5, upSamples: 5, cpuPercent: { latest: 5, mean: 3, min: 1, max: 5, p95: 5 }, rssBytes: { latest: 1, mean: 1, min: 1, max: 1, p95: 1 } } });
    expect(out.split('\n')[0]).toBe('api · last 4s · 14:59:56–15:00:00 UTC · 5 samples, 0 down');
    const axis = out.split('\n').find((l) => /^\s+14:59:56/.test(l));
    expect(axis?.trim().split(/\s+/)).toEqual(['14:59:56', '14:59:58', '15:00:00']);
  });

  it('writes times with their date over a day or more: a week is not 15:00–15:00', async () => {
    const hourly = Array.from({ length: 7 * 24 }, (_, h) => sample('api', T0 - 7 * 86_400_000 + 901_000 + h * 3_600_000, { cpuPercent: h % 50 }));
    const week = [...hourly, ...[4, 3, 2, 1, 0].map((s) => sample('api', base.endTs - s * 1_000))]; // and a raw tail
    const store = await storeOf(week, { tiers: DEFAULT_TIER_PLAN, retentionMs: 8 * 86_400_000 });
    const out = renderInspect(store, { ...base, width: 80, windowMs: 7 * 86_400_000, stats: store.summary('api', { now: base.endTs, windowMs: 7 * 86_400_000 - 1 })! })
      .split('\n');
    // every observation: 168 hourly ones and the raw tail (at 80 columns a column is ~19 minutes, so the first
    // quarter hour's bucket, from 15:00:01, sits in a column that begins before the window; it still counts)
    expect(out[0]).toBe('api · last 7d · 11-19 15:00–11-26 15:00 UTC · 173 samples, 0 down');
    // the tail is in minutes
    expect(out[1]).toMatch(/^resolution: 15-minute buckets 11-19 1\d:\d\d–11-26 14:\d\d, 1-minute buckets 11-26 14:\d\d–11-26 15:00$/);
    const axis = out.find((l) => /^\s+11-19 15:00/.test(l));
    expect(axis?.trim().split(/\s{2,}/)).toEqual(['11-19 15:00', '11-23 03:00', '11-26 15:00']);
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

  it('ignores other units and rows outside the window', async () => {
    const noisy = [sample('api', T0 - 60_000, { cpuPercent: 900 }), ...history(), sample('db', T0 + 500_000, { cpuPercent: 900 })];
    const store = createWindowStore({ clock: 'events', retentionMs: 24 * 3_600_000, tiers: false });
    await lastValueFrom(from(noisy).pipe(ingestInto(store)), { defaultValue: undefined });
    expect(renderInspect(store, opts)).toBe(text);
  });

  it('says so when the window holds no samples', async () => {
    const out = renderInspect(await storeOf([down('api', T0 + 1_000)]), { ...opts, stats: await summaryOf([down('api', T0 + 1_000)]) });
    expect(out.match(/no samples in this window/g)).toHaveLength(2);
    expect(out).toMatch(/^CPU %\s+–\s+–\s+–\s+–$/m);
  });

  it('colours the chart lines only when colour is on', async () => {
    expect(text).not.toContain('\x1b[');
    const coloured = renderInspect(await storeOf(history()), { ...opts, color: true });
    expect(coloured).toContain('\x1b[36m');
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(text);
  });
});
