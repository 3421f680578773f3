/** What `procstream inspect UNIT` prints: CPU and RSS charts over a time window, with a time axis and statistics. */
import type { SampleEvent, Stats, UnitDownEvent } from '../events.js';
import { plotWithGaps } from './plot-with-gaps.js';
import { formatBytes, formatDuration } from './units.js';
import { printable } from './printable.js';

export interface RenderInspectOptions {
  unit: string;
  /** Span of the window, ending at `endTs`. */
  windowMs: number;
  /** End of the window, ms since the epoch; default the newest event's `ts`. */
  endTs?: number;
  /** Terminal columns; the charts fill them (at most 240 points). */
  width: number;
  /** Rows per chart; default 8. */
  height?: number;
  /** ANSI colour for the chart lines; false under NO_COLOR. */
  color: boolean;
  /** Time labels in UTC rather than local time; default false. */
  utc?: boolean;
  /** The statistics printed under the charts: the store's summary of the same window (a `summary` event fits). */
  stats: { cpuPercent: Stats; rssBytes: Stats };
}

type Row = SampleEvent | UnitDownEvent;
const LABEL_WIDTH = 10;
const pad = (text: string, width = LABEL_WIDTH) => text.padStart(width);

function clock(ts: number, utc: boolean): string {
  const d = new Date(ts);
  const parts = utc ? [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()] : [d.getHours(), d.getMinutes(), d.getSeconds()];
  return parts.map((n) => String(n).padStart(2, '0')).join(':');
}

/**
 * One value per column: the mean of the samples in its time slice. A slice without samples carries the previous value
 * only while the unit is up and its last sample is at most two sampling intervals old; otherwise it is a gap (null).
 */
export function bucketize(rows: readonly Row[], pick: (s: SampleEvent) => number | null, start: number, end: number, columns: number): (number | null)[] {
  const step = (end - start) / columns;
  const sampleTs = rows.filter((r) => r.type === 'sample').map((r) => r.ts);
  const deltas = sampleTs.slice(1).map((t, i) => t - (sampleTs[i] as number)).filter((d) => d > 0).sort((a, b) => a - b);
  const interval = deltas[Math.floor(deltas.length / 2)] ?? step;
  const out: (number | null)[] = [];
  let i = 0;
  let last: { up: boolean; ts: number; value: number | null } = { up: false, ts: -Infinity, value: null };
  for (let c = 0; c < columns; c += 1) {
    const b0 = start + c * step;
    const b1 = c === columns - 1 ? end + 1 : b0 + step;
    const inSlice: number[] = [];
    for (; i < rows.length && (rows[i] as Row).ts < b1; i += 1) {
      const r = rows[i] as Row;
      const value = r.type === 'sample' ? pick(r) : null;
      if (r.ts >= b0 && value !== null) inSlice.push(value);
      last = r.type === 'sample' ? { up: true, ts: r.ts, value: value ?? last.value } : { up: false, ts: r.ts, value: null };
    }
    if (inSlice.length > 0) out.push(inSlice.reduce((a, b) => a + b, 0) / inSlice.length);
    else out.push(last.up && b0 - last.ts <= 2 * interval ? last.value : null);
  }
  return out;
}

function timeAxis(start: number, end: number, indent: number, columns: number, utc: boolean): string[] {
  const labels = [clock(start, utc), clock(start + (end - start) / 2, utc), clock(end, utc)];
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

/**
 * One character per column: `↻` where the unit restarted (a sample with another process identity than the sample
 * before it), `×` where it was down (a down marker in the slice, or the slice follows one), else a space.
 */
export function eventMarks(rows: readonly Row[], start: number, end: number, columns: number): string {
  const step = (end - start) / columns;
  const marks = [...' '.repeat(columns)];
  const column = (ts: number) => Math.min(columns - 1, Math.max(0, Math.floor((ts - start) / step)));
  let identity: string | undefined;
  let downSince: number | undefined;
  const markDown = (from: number, to: number) => {
    for (let c = column(from); c <= column(to); c += 1) if (marks[c] === ' ') marks[c] = '×';
  };
  for (const r of rows) {
    if (r.type === 'unit-down') { downSince ??= r.ts; continue; }
    if (downSince !== undefined) { markDown(downSince, r.ts - 1); downSince = undefined; }
    const id = `${r.pid}/${r.startTimeMs}`;
    if (identity !== undefined && id !== identity) marks[column(r.ts)] = '↻';
    identity = id;
  }
  if (downSince !== undefined) markDown(downSince, end);
  return marks.join('');
}

function statsLine(name: string, s: Stats, fmt: (v: number) => string): string {
  const cell = (v: number | null) => pad(v === null ? '–' : fmt(v));
  return `${name.padEnd(8)}${cell(s.min)}${cell(s.mean)}${cell(s.p95)}${cell(s.max)}`;
}

/** Renders the inspect view of `opts.unit` from its samples and down markers (other units' rows are ignored). */
export function renderInspect(events: readonly Row[], opts: RenderInspectOptions): string {
  const { unit, windowMs, width, height = 8, color, utc = false } = opts;
  const own = events.filter((e) => e.unit === unit).sort((a, b) => a.ts - b.ts);
  const end = opts.endTs ?? own[own.length - 1]?.ts ?? 0;
  // The axis spans the data present: a few samples into a long window are drawn across the chart, not at its edge.
  // Data that fills all but the first 5 % of the window keeps the window as asked (`last 15m`, not `last 14m59s`).
  const firstTs = own.find((e) => e.ts > end - windowMs && e.ts <= end)?.ts;
  const trim = firstTs !== undefined && firstTs - (end - windowMs) > windowMs / 20;
  const spanMs = trim ? Math.max(1, end - firstTs) : windowMs;
  const start = end - spanMs;
  // A window excludes its start (as the store's summary does), except a trimmed one, which starts at its first row.
  const rows = own.filter((e) => (e.ts > start || (trim && e.ts === start)) && e.ts <= end);
  const samples = rows.filter((e): e is SampleEvent => e.type === 'sample');
  const columns = Math.max(10, Math.min(240, width - LABEL_WIDTH - 3));
  const { cpuPercent: cpu, rssBytes: rss } = opts.stats;
  const cpuLabel = (v: number) => pad(`${v.toFixed(1)} %`);
  const rssLabel = (v: number) => pad(formatBytes(v));
  const zone = utc ? ' UTC' : '';
  const out = [
    `${printable(unit)} · last ${formatDuration(spanMs)} · ${clock(start, utc)}–${clock(end, utc)}${zone} · ` +
      `${samples.length} samples, ${rows.length - samples.length} down`,
  ];
  const marks = eventMarks(rows, start, end, columns);
  if (marks.trim() !== '') out[0] += ' · events: ↻ restart, × down';
  const chart = (title: string, pick: (s: SampleEvent) => number | null, min: number, max: number, fmt: (v: number) => string, paint: string) => {
    const lines = plotWithGaps(bucketize(rows, pick, start, end, columns), { height, min, max: max > min ? max : min + 1, format: fmt });
    out.push('', title);
    if (lines.length === 0) out.push(`${pad('')}  no samples in this window`);
    else out.push(...lines.map((l) => (color ? `${l.slice(0, LABEL_WIDTH + 2)}${paint}${l.slice(LABEL_WIDTH + 2)}\x1b[0m` : l)));
    out.push(...timeAxis(start, end, LABEL_WIDTH + 2, columns, utc));
  };
  chart('CPU % (100 = one core)', (s) => s.cpuPercent, 0, Math.max(1, cpu.max ?? 0), cpuLabel, '\x1b[36m');
  if (marks.trim() !== '') out.push(`${pad('events')}  ${marks.trimEnd()}`);
  chart('RSS', (s) => s.rssBytes, rss.min === rss.max ? 0 : rss.min ?? 0, rss.max ?? 1, rssLabel, '\x1b[35m');
  out.push('', `${''.padEnd(8)}${pad('min')}${pad('mean')}${pad('p95')}${pad('max')}`);
  out.push(statsLine('CPU %', cpu, (v) => v.toFixed(1)), statsLine('RSS', rss, formatBytes));
  return `${out.join('\n')}\n`;
}
