import { EVENT_FORMAT_VERSION, type SummaryEvent } from '../events.js';
import * as chunkLayout from './chunk-pool.js';
import type { ChunkPool } from './chunk-pool.js';
import { nearestRankNear } from './nearest-rank.js';
import { roundCpu, type UnitWindow } from './unit-window.js';

// Local copies of the layout, for the reason given in unit-window.ts.
const { CHUNK_ROWS, DOWN_ROW, IO_READ_BASE, IO_WRITE_BASE, NULL_U32, PID, START_TIME, TS_BASE } = chunkLayout;

/** What a summary covers: the span ending at `now`, and the sampling interval that decides staleness. */
export interface WindowSummaryOptions {
  now: number;
  windowMs: number;
  intervalMs: number;
}

/** A counter's growth between two rows of one process; a smaller value means the counter restarted from 0. */
const counterDelta = (prev: number, cur: number): number => (cur >= prev ? cur - prev : cur);

/** Slots of `SummaryScratch.acc`, the scan's results. */
export const CPU_COUNT = 0, CPU_SUM = 1, CPU_MIN = 2, CPU_MAX = 3, CPU_LATEST = 4, UP_SAMPLES = 5, RSS_SUM = 6, RSS_MIN = 7,
  RSS_MAX = 8, RSS_LATEST = 9, READ_BYTES = 10, READ_MS = 11, WRITE_BYTES = 12, WRITE_MS = 13, FIRST_TS = 14,
  LAST_TS = 15, LAST_UP = 16;
/** Slots of `SummaryScratch.acc` and of an `IoCursor`: the last up row scanned (ts < 0: none), for IO deltas. */
export const PREV_TS = 17, PREV_PID = 18, PREV_START = 19, PREV_READ = 20, PREV_WRITE = 21;
/** The row an IO delta starts from, carried across folds: `[ts (< 0: none), pid, startTimeMs, read, write]`. */
export type IoCursor = Float64Array;
/** A cursor with no previous row. */
export const noIoCursor = (): IoCursor => Float64Array.of(-1, 0, 0, Number.NaN, Number.NaN);

/**
 * Buffers a summary works in, reused across summaries and grown to the largest window summarized. Allocating the
 * selection arrays per summary cost more than the scan itself: V8 puts a typed array over 64 bytes outside the heap,
 * so each one is a malloc, an external-memory GC signal and a later free.
 */
export class SummaryScratch {
  /** The scan's totals. A typed array rather than locals returned in an object: TurboFan then keeps the scan's
   * running values unboxed, where an object literal built from them made it box a HeapNumber per row (measured 3×). */
  readonly acc = new Float64Array(22);
  /** CPU and RSS values of the up rows, in row order, for p95 selection (which reorders them). */
  cpu = new Float64Array(0);
  rss = new Float64Array(0);
  /** The values above a guessed p95 (see `nearestRankNear`). */
  above = new Float64Array(0);

  ensure(rows: number): void {
    if (this.cpu.length >= rows) return;
    const size = Math.max(64, 2 ** Math.ceil(Math.log2(rows)));
    this.cpu = new Float64Array(size);
    this.rss = new Float64Array(size);
    this.above = new Float64Array(size);
  }
}

/** A unit's previous p95s (NaN: none yet), where its next summary starts selecting from; updated by each summary. */
export interface P95Guess {
  cpuP95: number;
  rssP95: number;
}

/**
 * Summarizes the rows of `window` within `windowMs` before `now`, in f64, reading the columns directly (no row
 * objects, no sort: p95 by selection near the unit's previous p95). Down rows count in `samples` but in no average; IO rates use only consecutive
 * up rows of the same process, so downtime and restarts add no fake bytes.
 */
export function summarizeWindow(
  unit: string,
  window: UnitWindow,
  pool: ChunkPool,
  options: WindowSummaryOptions,
  scratch: SummaryScratch,
  guess: P95Guess,
): SummaryEvent {
  const start = window.firstIndexFrom(options.now - options.windowMs);
  scan(window, pool, start, scratch);
  const { acc } = scratch;
  const cpuCount = acc[CPU_COUNT]!;
  const upSamples = acc[UP_SAMPLES]!;
  const cpuP95 = cpuCount > 0 ? nearestRankNear(scratch.cpu, 0.95, cpuCount, guess.cpuP95, scratch.above) : null;
  const rssP95 = upSamples > 0 ? nearestRankNear(scratch.rss, 0.95, upSamples, guess.rssP95, scratch.above) : null;
  guess.cpuP95 = cpuP95 ?? Number.NaN;
  guess.rssP95 = rssP95 ?? Number.NaN;
  return summaryFromAcc(unit, options, acc, window.length - start, cpuP95, rssP95);
}

/** The summary event for the totals in `acc` (a scan's, possibly with buckets added) over `samples` observations. */
export function summaryFromAcc(unit: string, options: WindowSummaryOptions, acc: Float64Array, samples: number,
  cpuP95: number | null, rssP95: number | null): SummaryEvent {
  const { now, windowMs, intervalMs } = options;
  const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x);
  const cpuCount = acc[CPU_COUNT]!;
  const upSamples = acc[UP_SAMPLES]!;
  const lastTs = acc[LAST_TS]!;
  return {
    type: 'summary',
    v: EVENT_FORMAT_VERSION,
    unit,
    ts: now,
    windowMs,
    firstTs: orNull(acc[FIRST_TS]!),
    lastTs: orNull(lastTs),
    samples,
    upSamples,
    up: acc[LAST_UP] === 1,
    stale: Number.isNaN(lastTs) || now - lastTs > 2 * intervalMs,
    cpuPercent: {
      latest: upSamples > 0 ? orNull(acc[CPU_LATEST]!) : null,
      mean: cpuCount > 0 ? acc[CPU_SUM]! / cpuCount : null,
      min: cpuCount > 0 ? acc[CPU_MIN]! : null,
      max: cpuCount > 0 ? acc[CPU_MAX]! : null,
      p95: cpuP95,
    },
    rssBytes: {
      latest: upSamples > 0 ? acc[RSS_LATEST]! : null,
      mean: upSamples > 0 ? acc[RSS_SUM]! / upSamples : null,
      min: upSamples > 0 ? acc[RSS_MIN]! : null,
      max: upSamples > 0 ? acc[RSS_MAX]! : null,
      p95: rssP95,
    },
    ioReadBytesPerSec: acc[READ_MS]! > 0 ? (acc[READ_BYTES]! * 1000) / acc[READ_MS]! : null,
    ioWriteBytesPerSec: acc[WRITE_MS]! > 0 ? (acc[WRITE_BYTES]! * 1000) / acc[WRITE_MS]! : null,
  };
}

/** One pass over the rows from the `start`-th on, chunk by chunk, into `scratch.acc`, `scratch.cpu` and `scratch.rss`;
 * IO deltas start from `from` (the row before `start`), and the last up row is left in the acc's PREV_* slots.
 * `atRest` (folds and summaries over tiers) leaves `cpu` and `rss` as kept (f32 CPU not rounded, RSS in KiB) and
 * sums CPU in integer thousandths: no division a row, and the sum is the exact sum of the rounded values, rounded
 * once. The acc's totals are the same units either way. */
export function scan(window: UnitWindow, pool: ChunkPool, start: number, scratch: SummaryScratch, from?: IoCursor,
  atRest = false): void {
  scratch.ensure(window.length - start);
  const { cpu, rss, acc } = scratch;
  let cpuCount = 0, cpuSum = 0, cpuMin = Infinity, cpuMax = -Infinity;
  let rssSum = 0, rssMin = Infinity, rssMax = -Infinity, upSamples = 0;
  let readBytes = 0, writeBytes = 0, readMs = 0, writeMs = 0;
  let latestCpu = Number.NaN, latestRss = Number.NaN;
  let firstTs = Number.NaN, lastTs = Number.NaN, lastUp = 0;
  // The previous up row, for IO deltas; prevTs < 0 means "none" (after a down row, or at the start).
  let prevTs = -1, prevPid = 0, prevStart = 0, prevRead = Number.NaN, prevWrite = Number.NaN;
  if (from !== undefined) {
    prevTs = from[0]!; prevPid = from[1]!; prevStart = from[2]!; prevRead = from[3]!; prevWrite = from[4]!;
  }

  for (let c = start < window.length ? window.chunkIndexOf(start) : window.chunkCount, n = window.chunkCount; c < n; c++) {
    const chunk = window.chunkAt(c);
    const slab = pool.slabOf(chunk);
    const local = pool.localOf(chunk);
    const { tsOffsetMs, rssKiB: rssColumn, cpuPercent, ioReadOffset, ioWriteOffset, bases } = slab;
    const b = local * 6;
    const tsBase = bases[b + TS_BASE]!;
    const readBase = bases[b + IO_READ_BASE]!;
    const writeBase = bases[b + IO_WRITE_BASE]!;
    const pid = slab.ids[local * 2 + PID]!;
    const startTime = bases[b + START_TIME]!;
    const slotZero = window.slotZeroOf(c);
    const first = local * CHUNK_ROWS + Math.max(0, start - slotZero);
    const end = local * CHUNK_ROWS + (window.endOf(c) - slotZero);
    if (Number.isNaN(firstTs)) firstTs = tsBase + tsOffsetMs[first]!;
    for (let i = first; i < end; i++) {
      const rssKiB = rssColumn[i]!;
      if (rssKiB === DOWN_ROW) { lastUp = 0; prevTs = -1; continue; }
      lastUp = 1;
      upSamples++;
      const raw = cpuPercent[i]!;
      if (atRest) {
        const hasCpu = raw === raw;
        cpu[cpuCount] = raw;
        cpuCount += hasCpu ? 1 : 0;
        cpuSum += hasCpu ? Math.round(raw * 1000) : 0;
        cpuMin = raw < cpuMin ? raw : cpuMin;
        cpuMax = raw > cpuMax ? raw : cpuMax;
        latestCpu = raw;
        rss[upSamples - 1] = rssKiB;
        rssSum += rssKiB;
        rssMin = rssKiB < rssMin ? rssKiB : rssMin;
        rssMax = rssKiB > rssMax ? rssKiB : rssMax;
        latestRss = rssKiB;
      } else {
        latestCpu = roundCpu(raw); // NaN (no CPU figure) stays NaN
        // Selects rather than branches keep this loop straight; NaN fails every comparison, and adding +0 to a sum
        // that starts at +0 changes nothing, so the results are those of skipping NaN. `hasCpu` tests the raw value so
        // that the next row's index does not wait for this row's division (measured: that chain doubled the scan).
        const hasCpu = raw === raw;
        cpu[cpuCount] = latestCpu;
        cpuCount += hasCpu ? 1 : 0;
        cpuSum += hasCpu ? latestCpu : 0;
        cpuMin = latestCpu < cpuMin ? latestCpu : cpuMin;
        cpuMax = latestCpu > cpuMax ? latestCpu : cpuMax;
        latestRss = rssKiB * 1024;
        rss[upSamples - 1] = latestRss;
        rssSum += latestRss;
        rssMin = latestRss < rssMin ? latestRss : rssMin;
        rssMax = latestRss > rssMax ? latestRss : rssMax;
      }
      const ts = tsBase + tsOffsetMs[i]!;
      const readOffset = ioReadOffset[i]!;
      const writeOffset = ioWriteOffset[i]!;
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
    if (end > first) lastTs = tsBase + tsOffsetMs[end - 1]!;
  }
  if (atRest) { // back to the units of the plain scan: roundCpu is monotonic, so extrema commute with it
    cpuSum /= 1000; cpuMin = roundCpu(cpuMin); cpuMax = roundCpu(cpuMax); latestCpu = roundCpu(latestCpu);
    rssSum *= 1024; rssMin *= 1024; rssMax *= 1024; latestRss *= 1024;
  }
  acc[CPU_COUNT] = cpuCount; acc[CPU_SUM] = cpuSum; acc[CPU_MIN] = cpuMin; acc[CPU_MAX] = cpuMax;
  acc[CPU_LATEST] = latestCpu; acc[UP_SAMPLES] = upSamples; acc[RSS_SUM] = rssSum; acc[RSS_MIN] = rssMin;
  acc[RSS_MAX] = rssMax; acc[RSS_LATEST] = latestRss; acc[READ_BYTES] = readBytes; acc[READ_MS] = readMs;
  acc[WRITE_BYTES] = writeBytes; acc[WRITE_MS] = writeMs; acc[FIRST_TS] = firstTs; acc[LAST_TS] = lastTs;
  acc[LAST_UP] = lastUp;
  acc[PREV_TS] = prevTs; acc[PREV_PID] = prevPid; acc[PREV_START] = prevStart; acc[PREV_READ] = prevRead;
  acc[PREV_WRITE] = prevWrite;
}

/** Moves the IO cursor a scan ended with into `cursor`. */
export function saveCursor(scratch: SummaryScratch, cursor: IoCursor): void {
  cursor.set(scratch.acc.subarray(PREV_TS, PREV_WRITE + 1));
}
