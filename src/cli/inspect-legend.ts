/** The lines around `inspect`'s charts that say what they show: event marks, the resolution, the clock labels. */
import type { Series, SeriesPoint } from '../index.js';
import { formatDuration } from './units.js';

const two = (n: number): string => String(n).padStart(2, '0');

/** `HH:MM:SS` of `ts`, local or UTC. */
export function clock(ts: number, utc: boolean): string {
  const d = new Date(ts);
  const parts = utc ? [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()] : [d.getHours(), d.getMinutes(), d.getSeconds()];
  return parts.map(two).join(':');
}

/** `MM-DD HH:MM` of `ts`, local or UTC. */
function dayClock(ts: number, utc: boolean): string {
  const d = new Date(ts);
  const [month, day, hours, minutes] = utc ? [d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()]
    : [d.getMonth(), d.getDate(), d.getHours(), d.getMinutes()];
  return `${two(month + 1)}-${two(day)} ${two(hours)}:${two(minutes)}`;
}

/** How the times of a chart from `start` to `end` are written: `HH:MM:SS` within a day, `MM-DD HH:MM` over a day or
 * more (a week's chart labelled by time of day alone would read 23:59:59–23:59:59). */
export function stampsFor(start: number, end: number, utc: boolean): (ts: number) => string {
  return end - start >= 86_400_000 ? (ts) => dayClock(ts, utc) : (ts) => clock(ts, utc);
}

/**
 * One character per column: `↻` where the unit restarted (a raw row with another process identity than the row before
 * it; buckets keep no identity), `×` where it was down (from a down marker until the next up observation, and any
 * column of down markers only), else a space.
 */
export function eventMarks(series: Pick<Series, 'points' | 'restartsTs' | 'downTs'>, start: number, end: number, columns: number): string {
  const step = (end - start) / columns;
  const marks = [...' '.repeat(columns)];
  const column = (ts: number) => Math.min(columns - 1, Math.max(0, Math.floor((ts - start) / step)));
  const markDown = (from: number, to: number) => {
    for (let c = column(from); c <= column(to); c += 1) if (marks[c] === ' ') marks[c] = '×';
  };
  for (const downTs of series.downTs) {
    const next = series.points.find((p) => p.fromTs > downTs && p.upSamples > 0);
    markDown(downTs, next === undefined ? end : Math.max(downTs, next.fromTs - 1));
  }
  // A raw point is a slot of the grid: its markers are somewhere in it, so only its end is sure to be down.
  for (const p of series.points) if (p.upSamples === 0) markDown(p.resolutionMs === 0 ? p.toTs - 1 : p.fromTs, Math.min(end, p.toTs - 1));
  for (const ts of series.restartsTs) marks[column(ts)] = '↻';
  return marks.join('');
}

/** How the points were drawn, per span: `raw 1s`, `1-minute buckets 11:45–11:59, raw 1s 11:59–12:00`. */
export function resolutionLine(points: readonly SeriesPoint[], rawIntervalMs: number | undefined, utc: boolean, start: number, end: number): string {
  const name = (ms: number) => (ms === 0 ? `raw${rawIntervalMs === undefined ? ' samples' : ` ${formatDuration(rawIntervalMs)}`}`
    : ms % 60_000 === 0 ? `${ms / 60_000}-minute buckets` : `${formatDuration(ms)} buckets`);
  const spans: { ms: number; from: number; to: number }[] = [];
  for (const p of points) {
    const last = spans[spans.length - 1];
    if (last?.ms === p.resolutionMs) last.to = p.toTs;
    else spans.push({ ms: p.resolutionMs, from: p.fromTs, to: p.toTs });
  }
  if (spans.length <= 1) return `resolution: ${spans.length === 0 ? 'no data' : name(spans[0]!.ms)}`;
  // Points reach past the window (a bucket whole, a raw slot to its end): the spans say what the chart shows.
  const stamp = stampsFor(start, end, utc);
  const span = (x: { from: number; to: number }) => `${stamp(Math.max(start, x.from))}–${stamp(Math.min(end, x.to))}`;
  return `resolution: ${spans.map((x) => `${name(x.ms)} ${span(x)}`).join(', ')}`;
}
