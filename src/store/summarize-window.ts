import { EVENT_FORMAT_VERSION, type SummaryEvent } from '../events.js';
import {
  ChunkPool, DOWN_ROW, IO_READ_BASE, IO_WRITE_BASE, NULL_U32, PID, START_TIME, TS_BASE,
} from './chunk-pool.js';
import { roundCpu, type UnitWindow } from './unit-window.js';

/** What a summary covers: the span ending at `now`, and the sampling interval that decides staleness. */
export interface WindowSummaryOptions {
  now: number;
  windowMs: number;
  intervalMs: number;
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

/** A counter's growth between two rows of one process; a smaller value means the counter restarted from 0. */
const counterDelta = (prev: number, cur: number): number => (cur >= prev ? cur - prev : cur);

/**
 * Summarizes the rows of `window` within `windowMs` before `now`, in f64, reading the columns directly (no row
 * objects, no sort: p95 by selection). Down rows count in `samples` but in no average; IO rates use only consecutive
 * up rows of the same process, so downtime and restarts add no fake bytes.
 */
export function summarizeWindow(
  unit: string,
  window: UnitWindow,
  pool: ChunkPool,
  options: WindowSummaryOptions,
): SummaryEvent {
  const { now, windowMs, intervalMs } = options;
  const start = firstIndexFrom(window, now - windowMs);
  const cpu = new Float64Array(window.length - start);
  const rss = new Float64Array(window.length - start);
  let cpuCount = 0, cpuSum = 0, cpuMin = Infinity, cpuMax = -Infinity;
  let rssSum = 0, rssMin = Infinity, rssMax = -Infinity, upSamples = 0;
  let readBytes = 0, writeBytes = 0, readMs = 0, writeMs = 0;
  let latestCpu = Number.NaN, latestRss = Number.NaN;
  let firstTs = Number.NaN, lastTs = Number.NaN, lastUp = false;
  // The previous up row, for IO deltas; prevTs < 0 means "none" (after a down row, or at the start).
  let prevTs = -1, prevPid = 0, prevStart = 0, prevRead = Number.NaN, prevWrite = Number.NaN;

  const runs = window.runsFrom(start);
  for (let r = 0; r < runs.length; r += 3) {
    const chunk = runs[r]!;
    const slab = pool.slabOf(chunk);
    const local = pool.localOf(chunk);
    const b = local * 6;
    const tsBase = slab.bases[b + TS_BASE]!;
    const readBase = slab.bases[b + IO_READ_BASE]!;
    const writeBase = slab.bases[b + IO_WRITE_BASE]!;
    const pid = slab.ids[local * 2 + PID]!;
    const startTime = slab.bases[b + START_TIME]!;
    for (let i = runs[r + 1]!, end = runs[r + 2]!; i < end; i++) {
      const ts = tsBase + slab.tsOffsetMs[i]!;
      if (Number.isNaN(firstTs)) firstTs = ts;
      lastTs = ts;
      const rssKiB = slab.rssKiB[i]!;
      if (rssKiB === DOWN_ROW) { lastUp = false; prevTs = -1; continue; }
      lastUp = true;
      upSamples++;
      const raw = slab.cpuPercent[i]!;
      latestCpu = Number.isNaN(raw) ? Number.NaN : roundCpu(raw);
      if (!Number.isNaN(latestCpu)) {
        cpu[cpuCount++] = latestCpu;
        cpuSum += latestCpu;
        if (latestCpu < cpuMin) cpuMin = latestCpu;
        if (latestCpu > cpuMax) cpuMax = latestCpu;
      }
      latestRss = rssKiB * 1024;
      rss[upSamples - 1] = latestRss;
      rssSum += latestRss;
      if (latestRss < rssMin) rssMin = latestRss;
      if (latestRss > rssMax) rssMax = latestRss;
      const readOffset = slab.ioReadOffset[i]!;
      const writeOffset = slab.ioWriteOffset[i]!;
      const read = readOffset === NULL_U32 ? Number.NaN : readBase + readOffset;
      const written = writeOffset === NULL_U32 ? Number.NaN : writeBase + writeOffset;
      if (prevTs >= 0 && prevPid === pid && prevStart === startTime) {
        if (!Number.isNaN(read) && !Number.isNaN(prevRead)) { readBytes += counterDelta(prevRead, read); readMs += ts - prevTs; }
        if (!Number.isNaN(written) && !Number.isNaN(prevWrite)) {
          writeBytes += counterDelta(prevWrite, written);
          writeMs += ts - prevTs;
        }
      }
      prevTs = ts; prevPid = pid; prevStart = startTime; prevRead = read; prevWrite = written;
    }
  }
  const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x);
  const hasCpu = cpuCount > 0;
  return {
    type: 'summary',
    v: EVENT_FORMAT_VERSION,
    unit,
    ts: now,
    windowMs,
    firstTs: orNull(firstTs),
    lastTs: orNull(lastTs),
    samples: window.length - start,
    upSamples,
    up: lastUp,
    stale: Number.isNaN(lastTs) || now - lastTs > 2 * intervalMs,
    cpuPercent: {
      latest: upSamples > 0 ? orNull(latestCpu) : null,
      mean: hasCpu ? cpuSum / cpuCount : null,
      min: hasCpu ? cpuMin : null,
      max: hasCpu ? cpuMax : null,
      p95: hasCpu ? nearestRank(cpu.subarray(0, cpuCount), 0.95) : null,
    },
    rssBytes: {
      latest: upSamples > 0 ? latestRss : null,
      mean: upSamples > 0 ? rssSum / upSamples : null,
      min: upSamples > 0 ? rssMin : null,
      max: upSamples > 0 ? rssMax : null,
      p95: upSamples > 0 ? nearestRank(rss.subarray(0, upSamples), 0.95) : null,
    },
    ioReadBytesPerSec: readMs > 0 ? (readBytes * 1000) / readMs : null,
    ioWriteBytesPerSec: writeMs > 0 ? (writeBytes * 1000) / writeMs : null,
  };
}

/** Nearest-rank percentile by quickselect (Hoare), O(n) on average; reorders `values`. */
export function nearestRank(values: Float64Array, fraction: number): number {
  const k = Math.max(1, Math.ceil(fraction * values.length)) - 1;
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return values[k]!;
}
