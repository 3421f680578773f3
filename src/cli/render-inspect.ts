/** What `procstream inspect UNIT` prints: CPU and RSS charts over a time window, with a time axis and statistics. */
import type { Stats, SummaryEvent } from '../events.js';
import { type Band, seriesColumns, type SeriesPoint, type StoreQuery } from '../index.js';
import { eventMarks, resolutionLine, stampsFor } from './inspect-legend.js';
import { plotWithGaps } from './plot-with-gaps.js';
import { formatBytes, formatDuration } from './units.js';
import { printable } from './printable.js';

export interface RenderInspectOptions {
  unit: string;
  /** Span of the window, ending at `endTs`. */
  windowMs: number;
  /** End of the window, ms since the epoch. */
  endTs: number;
  /** The sampling interval of the raw rows, when known (live): named in the resolution line; it also bounds how long
   * an empty column carries the line (two intervals). Default 1 s for the carry, unnamed in the line. */
  intervalMs?: number;
  /** Terminal columns; the charts fill them (at most 240 points). */
  width: number;
  /** Rows per chart; default 8. */
  height?: number;
  /** ANSI colour for the chart lines; false under NO_COLOR. */
  color: boolean;
  /** Time labels in UTC rather than local time; default false. */
  utc?: boolean;
  /** The store's summary of the same window (a `summary` event fits): its statistics are printed under the charts,
   * its counts in the header (buckets count whole when their first observation is in the window, as drawn). */
  stats: Pick<SummaryEvent, 'cpuPercent' | 'rssBytes' | 'samples' | 'upSamples'>;
}

const LABEL_WIDTH = 10;
const pad = (text: string, width = LABEL_WIDTH) => text.padStart(width);

function timeAxis(start: number, end: number, indent: number, columns: number, utc: boolean): string[] {
  const stamp = stampsFor(start, end, utc);
  const labels = [stamp(start), stamp(start + (end - start) / 2), stamp(end)];
  const ticks = [...'─'.repeat(columns)];
  const text = [...' '.repeat(columns)];
  const place = (label: string, at: number) => text.splice(at, label.length, ...label);
  const middle = Math.floor((columns - 1) / 2);
  for (const at of columns >= 30 ? [0, middle, columns - 1] : [0, columns - 1]) ticks[at] = '┬';
  place(labels[0] as string, 0);
  if (columns >= 30) place(labels[1] as string, middle - 4);
  if (columns >= 18) place(labels[2] as string, columns - 8);
  return [`${' '.repeat(indent - 1)}└${ticks.join('')}`, `${' '.repeat(indent)}${text.join('').trimEnd()}`];
}

function statsLine(name: string, s: Stats, fmt: (v: number) => string): string {
  const cell = (v: number | null) => pad(v === null ? '–' : fmt(v));
  return `${name.padEnd(8)}${cell(s.min)}${cell(s.mean)}${cell(s.p95)}${cell(s.max)}`;
}

/**
 * Renders the inspect view of `opts.unit` from the store's `series()`: raw rows and buckets, each chart column the
 * merge of what falls in it, drawn as its mean with the min–max band shaded where they differ.
 */
export function renderInspect(store: Pick<StoreQuery, 'series'>, opts: RenderInspectOptions): string {
  const { unit, windowMs, width, height = 8, color, utc = false, endTs: end } = opts;
  // The axis spans the data present: a few samples into a long window are drawn across the chart, not at its edge.
  // Data that fills all but the first 5 % of the window keeps the window as asked (`last 15m`, not `last 14m59s`).
  const firstTs = store.series(unit, { fromTs: end - windowMs + 1, toTs: end, maxPoints: 1 }).firstTs;
  const trim = firstTs - (end - windowMs) > windowMs / 20;
  const spanMs = trim ? Math.max(1, end - firstTs) : windowMs;
  const start = end - spanMs;
  const columns = Math.max(10, Math.min(240, width - LABEL_WIDTH - 3));
  // A window excludes its start (as the store's summary does), except a trimmed one, which starts at its first row.
  // Eight series points to a column: the series' grid (multiples of its width) and the columns' edges then disagree by
  // an eighth of a column at most, so an edge smears no sample far into its neighbour.
  const series = store.series(unit, { fromTs: trim ? start : start + 1, toTs: end, maxPoints: columns * 8, widen: false });
  const cells = seriesColumns(series.points, { fromTs: start, toTs: end + 1, columns, carryMs: 2 * (opts.intervalMs ?? 1_000) });
  // Counted as the summary counts: a bucket that began before the window is drawn (the chart would start empty
  // otherwise) but not counted. A point's own start cannot tell: a column of the grid may begin before the window and
  // hold a bucket that begins inside it (a week at 80 columns missed one quarter hour that way).
  const samples = opts.stats.upSamples;
  const downs = opts.stats.samples - opts.stats.upSamples;
  const { cpuPercent: cpu, rssBytes: rss } = opts.stats;
  const cpuLabel = (v: number) => pad(`${v.toFixed(1)} %`);
  const rssLabel = (v: number) => pad(formatBytes(v));
  const zone = utc ? ' UTC' : '';
  const stamp = stampsFor(start, end, utc);
  const out = [
    `${printable(unit)} · last ${formatDuration(spanMs)} · ${stamp(start)}–${stamp(end)}${zone} · ` +
      `${samples} samples, ${downs} down`,
    resolutionLine(series.points, opts.intervalMs, utc, start, end),
  ];
  const marks = eventMarks(series, start, end, columns);
  if (marks.trim() !== '') out[0] += ' · events: ↻ restart, × down';
  const chart = (title: string, pick: (p: SeriesPoint) => Band | null, floor: number | null, ceiling: number | null, fmt: (v: number) => string, paint: string) => {
    const bands = cells.map((c) => (c === null ? null : pick(c)));
    // The range holds the statistics and every band drawn (a bucket reaching past the window's start counts whole).
    const min = Math.min(floor ?? Infinity, ...bands.map((b) => b?.min ?? Infinity));
    const max = Math.max(ceiling ?? -Infinity, ...bands.map((b) => b?.max ?? -Infinity));
    const lo = Number.isFinite(min) ? min : 0;
    const hi = Number.isFinite(max) && max > lo ? max : lo + 1;
    const lines = plotWithGaps(bands.map((b) => b?.mean ?? null), { height, min: lo, max: hi, format: fmt, bands });
    out.push('', title);
    if (lines.length === 0) out.push(`${pad('')}  no samples in this window`);
    else out.push(...lines.map((l) => (color ? `${l.slice(0, LABEL_WIDTH + 2)}${paint}${l.slice(LABEL_WIDTH + 2)}\x1b[0m` : l)));
    out.push(...timeAxis(start, end, LABEL_WIDTH + 2, columns, utc));
  };
  chart('CPU % (100 = one core)', (p) => p.cpuPercent, 0, Math.max(1, cpu.max ?? 0), cpuLabel, '\x1b[36m');
  if (marks.trim() !== '') out.push(`${pad('events')}  ${marks.trimEnd()}`);
  chart('RSS', (p) => p.rssBytes, rss.min === rss.max ? 0 : rss.min, rss.max, rssLabel, '\x1b[35m');
  out.push('', `${''.padEnd(8)}${pad('min')}${pad('mean')}${pad('p95')}${pad('max')}`);
  out.push(statsLine('CPU %', cpu, (v) => v.toFixed(1)), statsLine('RSS', rss, formatBytes));
  return `${out.join('\n')}\n`;
}
