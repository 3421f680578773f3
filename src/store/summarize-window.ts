import { EVENT_FORMAT_VERSION, type SummaryEvent } from '../events.js';
import type { Row, UnitWindow } from './unit-window.js';

/** What a summary covers: the span ending at `now`, and the sampling interval that decides staleness. */
export interface WindowSummaryOptions {
  now: number;
  windowMs: number;
  intervalMs: number;
}

/** Nearest-rank percentile of an ascending array (p95 of [1..20] is 19). */
export function percentile(sorted: Float64Array, fraction: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1] ?? null;
}

/** Index of the first row with ts >= `fromTs` (rows are in time order). */
function firstIndexFrom(window: UnitWindow, fromTs: number): number {
  let lo = 0;
  let hi = window.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (window.tsAt(mid) < fromTs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A counter's growth between two up rows of one process; a smaller value means the counter restarted from 0. */
function counterDelta(prev: number | null, cur: number | null): number | null {
  if (prev === null || cur === null) return null;
  return cur >= prev ? cur - prev : cur;
}

/**
 * Summarizes the rows of `window` within `windowMs` before `now`, in f64. Down rows count in `samples` but in no
 * average; IO rates use only consecutive up rows of the same process, so downtime and restarts add no fake bytes.
 */
export function summarizeWindow(unit: string, window: UnitWindow, options: WindowSummaryOptions): SummaryEvent {
  const { now, windowMs, intervalMs } = options;
  const start = firstIndexFrom(window, now - windowMs);
  const cpu = new Float64Array(window.length - start);
  let cpuCount = 0, cpuSum = 0, rssSum = 0, rssMax = -Infinity, upSamples = 0;
  let readBytes = 0, writeBytes = 0, readMs = 0, writeMs = 0;
  let latestUp: Row | null = null;
  let previous: Row | null = null;
  let firstTs: number | null = null, lastTs: number | null = null, lastUp = false;
  for (let k = start; k < window.length; k++) {
    const row = window.rowAt(k);
    firstTs ??= row.ts;
    lastTs = row.ts;
    lastUp = row.up;
    if (!row.up) { previous = null; continue; }
    upSamples++;
    latestUp = row;
    if (row.cpuPercent !== null) { cpu[cpuCount++] = row.cpuPercent; cpuSum += row.cpuPercent; }
    rssSum += row.rssBytes;
    if (row.rssBytes > rssMax) rssMax = row.rssBytes;
    if (previous !== null && previous.pid === row.pid && previous.startTimeMs === row.startTimeMs) {
      const elapsedMs = row.ts - previous.ts;
      const read = counterDelta(previous.ioReadBytes, row.ioReadBytes);
      const written = counterDelta(previous.ioWriteBytes, row.ioWriteBytes);
      if (read !== null) { readBytes += read; readMs += elapsedMs; }
      if (written !== null) { writeBytes += written; writeMs += elapsedMs; }
    }
    previous = row;
  }
  const cpuSorted = cpu.subarray(0, cpuCount).sort();
  return {
    type: 'summary',
    v: EVENT_FORMAT_VERSION,
    unit,
    ts: now,
    windowMs,
    firstTs,
    lastTs,
    samples: window.length - start,
    upSamples,
    up: lastUp,
    stale: lastTs === null || now - lastTs > 2 * intervalMs,
    cpuPercent: {
      latest: latestUp?.cpuPercent ?? null,
      mean: cpuCount > 0 ? cpuSum / cpuCount : null,
      min: cpuCount > 0 ? (cpuSorted[0] as number) : null,
      max: cpuCount > 0 ? (cpuSorted[cpuCount - 1] as number) : null,
      p95: percentile(cpuSorted, 0.95),
    },
    rssBytes: {
      latest: latestUp?.rssBytes ?? null,
      mean: upSamples > 0 ? rssSum / upSamples : null,
      max: upSamples > 0 ? rssMax : null,
    },
    ioReadBytesPerSec: readMs > 0 ? (readBytes * 1000) / readMs : null,
    ioWriteBytesPerSec: writeMs > 0 ? (writeBytes * 1000) / writeMs : null,
  };
}
