import type { SampleEvent } from '../events.js';
import * as chunkLayout from './chunk-pool.js';
import type { ChunkPool, Slab } from './chunk-pool.js';

// Module-local copies of the layout: V8 folds a module's own consts into optimized code, but loads and checks an
// imported binding at every use, which cost ~15 % of decoding a row (measured on node 20).
const {
  CHUNK_ROWS, DOWN_ROW, IO_READ_BASE, IO_WRITE_BASE, MISSING_ID, NULL_U32, PID, START_TIME, SYSTEM_BASE, TS_BASE,
  USER_BASE,
} = chunkLayout;

const U32_LIMIT = 0xffffffff; // exclusive: 0xFFFFFFFF itself is a sentinel

/** The sample fields a row keeps (see docs/events.md#evicted). */
type KeptFields = 'ts' | 'pid' | 'startTimeMs' | 'cpuPercent' | 'cpuUserSeconds' | 'cpuSystemSeconds' | 'rssBytes' |
  'ioReadBytes' | 'ioWriteBytes';

/** One row as the window holds it, decoded to plain numbers (`up: false` rows are down markers). */
export type Row = Pick<SampleEvent, KeptFields> & {
  up: boolean;
  /** Interned id: the `missing` map for up rows, the down reason for down rows. */
  internId: number;
};

/** A blank row, to decode into or fill before an append. */
export const emptyRow = (): Row => ({
  ts: 0, up: false, pid: 0, startTimeMs: 0, cpuPercent: null, cpuUserSeconds: 0, cpuSystemSeconds: 0, rssBytes: 0,
  ioReadBytes: null, ioWriteBytes: null, internId: 0,
});

const roundMicros = (seconds: number): number => Math.round(seconds * 1e6) / 1e6;
// cpuPercent is kept as f32; reading back at 0.001 % resolution gives stable, readable numbers.
const F32_MAX = 3.4028234663852886e38;

// roundPercent of formats/resolution.ts, kept module-local like roundMicros above: this runs for every decoded row.
export const roundCpu = (pct: number): number => Math.round(pct * 1000) / 1000;
const fitsU32 = (x: number): boolean => x >= 0 && x < U32_LIMIT;

/**
 * The rows of one unit, oldest first, in a deque of pool chunks. Rows are appended in time order; the oldest leave
 * from the head one at a time (retention) or a whole chunk at a time (budget).
 */
export class UnitWindow {
  /** Per chunk, oldest first: its id, then the absolute row number (counted since the window was created) of its first
   * row. A chunk can be closed before it is full, when a row does not fit its bases, so rows are located by search,
   * not arithmetic. One array of pairs rather than two arrays, from `head` on, `pairs` of them; it starts with room
   * for four chunks (what a tiered unit needs) and doubles when full, instead of push and shift, which grew it to
   * ~18 slots whenever it refilled (each array cost ~190 bytes a unit, BENCHMARKS.md). */
  private spans: number[] = [-1, -1, -1, -1, -1, -1, -1, -1];
  private head = 0;
  private pairs = 0;
  /** Absolute row number of the oldest retained row, and one past the newest. */
  private firstAbs = 0;
  private endAbs = 0;
  /** Chunk index that the last lookup hit: scans walk rows in order, so the next lookup usually hits it again. */
  private hint = 0;
  newestTs = -Infinity;

  constructor(private readonly pool: ChunkPool) {}

  get length(): number {
    return this.endAbs - this.firstAbs;
  }

  /** Chunks the rows occupy. */
  get chunkCount(): number {
    return this.pairs;
  }

  /** Id of the c-th chunk (0 = oldest). */
  chunkAt(c: number): number {
    return this.spans[this.head + c * 2]!;
  }

  /** Absolute row number of the first row of the c-th chunk; `endAbs` past the last chunk. */
  private startOf(c: number): number {
    return c < this.pairs ? this.spans[this.head + c * 2 + 1]! : this.endAbs;
  }

  /** Appends (`ts` an integer ms, not older than `newestTs`) when the row fits the tail chunk; false means the caller
   * must supply a new chunk first. */
  tryAppend(row: Row): boolean {
    if (this.pairs === 0) return false;
    const last = this.head + this.pairs * 2 - 2;
    const rowInChunk = this.endAbs - this.spans[last + 1]!;
    if (rowInChunk === CHUNK_ROWS) return false;
    const chunk = this.spans[last]!;
    const slab = this.pool.slabOf(chunk);
    const local = this.pool.localOf(chunk);
    const b = local * 6;
    const tsOffsetMs = row.ts - slab.bases[b + TS_BASE]!;
    if (!fitsU32(tsOffsetMs)) return false;
    const i = local * CHUNK_ROWS + rowInChunk;
    if (!row.up || slab.ids[local * 2 + PID] === -1) {
      this.write(chunk, rowInChunk, row); // a down marker, or the chunk's first up row, which sets its bases
    } else {
      // The fit check computes the very offsets the columns take, so the append computes each of them once.
      if (slab.ids[local * 2 + PID] !== row.pid || slab.bases[b + START_TIME] !== row.startTimeMs ||
        slab.ids[local * 2 + MISSING_ID] !== row.internId) return false;
      const cpuUserUs = Math.round((row.cpuUserSeconds - slab.bases[b + USER_BASE]!) * 1e6);
      const cpuSystemUs = Math.round((row.cpuSystemSeconds - slab.bases[b + SYSTEM_BASE]!) * 1e6);
      const ioReadOffset = counterOffset(row.ioReadBytes, slab.bases[b + IO_READ_BASE]!);
      const ioWriteOffset = counterOffset(row.ioWriteBytes, slab.bases[b + IO_WRITE_BASE]!);
      if (!fitsU32(cpuUserUs) || !fitsU32(cpuSystemUs) || ioReadOffset < 0 || ioWriteOffset < 0) return false;
      slab.tsOffsetMs[i] = tsOffsetMs;
      writeValues(slab, i, row, cpuUserUs, cpuSystemUs, ioReadOffset, ioWriteOffset);
    }
    this.endAbs++;
    this.newestTs = row.ts;
    return true;
  }

  /** Starts a new chunk with `row` as its first row, taking its bases from it. */
  appendToNewChunk(chunk: number, row: Row): void {
    const slab = this.pool.slabOf(chunk);
    const local = this.pool.localOf(chunk);
    slab.bases[local * 6 + TS_BASE] = row.ts;
    slab.ids[local * 2 + PID] = -1;
    let end = this.head + this.pairs * 2;
    if (end === this.spans.length) {
      if (this.head > 0) this.spans.copyWithin(0, this.head, end); // room at the front: move down
      else this.spans = this.spans.concat(this.spans); // full: double (the copied half is overwritten as it fills)
      end -= this.head;
      this.head = 0;
    }
    this.spans[end] = chunk;
    this.spans[end + 1] = this.endAbs;
    this.pairs++;
    this.write(chunk, 0, row);
    this.endAbs++;
    this.newestTs = row.ts;
  }

  /** Rows in the oldest chunk, which a budget eviction removes together. */
  headChunkRows(): number {
    return this.startOf(1) - this.firstAbs;
  }

  /** Removes the oldest row; returns the chunk id that became empty and must be released, or -1. */
  dropHead(): number {
    this.firstAbs++;
    if (this.firstAbs < this.startOf(1)) return -1;
    const chunk = this.spans[this.head]!;
    this.pairs--;
    this.head = this.pairs === 0 ? 0 : this.head + 2;
    this.hint = 0;
    return chunk;
  }

  /** Removes every row, handing each chunk id to `release`, oldest first (a fold took them all). */
  clear(release: (chunk: number) => void): void {
    for (let c = 0; c < this.pairs; c++) release(this.spans[this.head + c * 2]!);
    this.firstAbs = this.endAbs;
    this.head = 0;
    this.pairs = 0;
    this.hint = 0;
  }

  /** Timestamp of the k-th row (0 = oldest) without decoding the rest. */
  tsAt(k: number): number {
    const abs = this.firstAbs + k;
    const i = this.chunkIndexOfAbs(abs);
    const chunk = this.spans[this.head + i * 2]!;
    const slab = this.pool.slabOf(chunk);
    const local = this.pool.localOf(chunk);
    return slab.bases[local * 6 + TS_BASE]! + slab.tsOffsetMs[local * CHUNK_ROWS + (abs - this.spans[this.head + i * 2 + 1]!)]!;
  }

  /** Index of the first row with ts >= `fromTs` (rows are in time order); `length` when there is none. */
  firstIndexFrom(fromTs: number): number {
    // Summaries usually cover the whole window, so the head row answers without a search.
    if (this.length === 0 || this.tsAt(0) >= fromTs) return 0;
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.tsAt(mid) < fromTs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index (for `chunkAt`) of the chunk holding the k-th row (0 = oldest). */
  chunkIndexOf(k: number): number {
    return this.chunkIndexOfAbs(this.firstAbs + k);
  }

  /** Row number (0 = oldest) that slot 0 of chunk c holds; negative when the head chunk's first rows have left. */
  slotZeroOf(c: number): number {
    return this.spans[this.head + c * 2 + 1]! - this.firstAbs;
  }

  /** Row number (0 = oldest) one past the last row of chunk c. */
  endOf(c: number): number {
    return this.startOf(c + 1) - this.firstAbs;
  }

  /** Decodes the k-th row (0 = oldest), into `into` when given (hot paths reuse one scratch row). */
  rowAt(k: number, into: Row = emptyRow()): Row {
    const abs = this.firstAbs + k;
    const c = this.chunkIndexOfAbs(abs);
    const chunk = this.spans[this.head + c * 2]!;
    const slab = this.pool.slabOf(chunk);
    const local = this.pool.localOf(chunk);
    const index = local * CHUNK_ROWS + (abs - this.spans[this.head + c * 2 + 1]!);
    const b = local * 6;
    into.ts = slab.bases[b + TS_BASE]! + slab.tsOffsetMs[index]!;
    const rssKiB = slab.rssKiB[index]!;
    if (rssKiB === DOWN_ROW) {
      into.up = false;
      into.pid = 0;
      into.startTimeMs = 0;
      into.cpuPercent = null;
      into.cpuUserSeconds = 0;
      into.cpuSystemSeconds = 0;
      into.rssBytes = 0;
      into.ioReadBytes = null;
      into.ioWriteBytes = null;
      into.internId = slab.cpuUserUs[index]!;
      return into;
    }
    const cpu = slab.cpuPercent[index]!;
    const ioRead = slab.ioReadOffset[index]!;
    const ioWrite = slab.ioWriteOffset[index]!;
    into.up = true;
    into.pid = slab.ids[local * 2 + PID]!;
    into.startTimeMs = slab.bases[b + START_TIME]!;
    into.cpuPercent = Number.isNaN(cpu) ? null : roundCpu(cpu);
    into.cpuUserSeconds = roundMicros(slab.bases[b + USER_BASE]! + slab.cpuUserUs[index]! / 1e6);
    into.cpuSystemSeconds = roundMicros(slab.bases[b + SYSTEM_BASE]! + slab.cpuSystemUs[index]! / 1e6);
    into.rssBytes = rssKiB * 1024;
    into.ioReadBytes = ioRead === NULL_U32 ? null : slab.bases[b + IO_READ_BASE]! + ioRead;
    into.ioWriteBytes = ioWrite === NULL_U32 ? null : slab.bases[b + IO_WRITE_BASE]! + ioWrite;
    into.internId = slab.ids[local * 2 + MISSING_ID]!;
    return into;
  }

  private chunkIndexOfAbs(abs: number): number {
    const i = this.hint;
    if (this.startOf(i) <= abs && abs < this.startOf(i + 1)) return i;
    let lo = 0;
    let hi = this.pairs - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.startOf(mid) <= abs) lo = mid;
      else hi = mid - 1;
    }
    this.hint = lo;
    return lo;
  }

  private write(chunk: number, rowInChunk: number, row: Row): void {
    const slab = this.pool.slabOf(chunk);
    const local = this.pool.localOf(chunk);
    const b = local * 6;
    const i = local * CHUNK_ROWS + rowInChunk;
    slab.tsOffsetMs[i] = row.ts - slab.bases[b + TS_BASE]!;
    if (!row.up) {
      slab.rssKiB[i] = DOWN_ROW;
      slab.cpuUserUs[i] = row.internId;
      return;
    }
    if (slab.ids[local * 2 + PID] === -1) {
      slab.ids[local * 2 + PID] = row.pid;
      slab.ids[local * 2 + MISSING_ID] = row.internId;
      slab.bases[b + START_TIME] = row.startTimeMs;
      slab.bases[b + USER_BASE] = row.cpuUserSeconds;
      slab.bases[b + SYSTEM_BASE] = row.cpuSystemSeconds;
      slab.bases[b + IO_READ_BASE] = row.ioReadBytes ?? Number.NaN;
      slab.bases[b + IO_WRITE_BASE] = row.ioWriteBytes ?? Number.NaN;
    }
    writeValues(slab, i, row, Math.round((row.cpuUserSeconds - slab.bases[b + USER_BASE]!) * 1e6),
      Math.round((row.cpuSystemSeconds - slab.bases[b + SYSTEM_BASE]!) * 1e6),
      row.ioReadBytes === null ? NULL_U32 : Math.round(row.ioReadBytes - slab.bases[b + IO_READ_BASE]!),
      row.ioWriteBytes === null ? NULL_U32 : Math.round(row.ioWriteBytes - slab.bases[b + IO_WRITE_BASE]!));
  }
}

/** Writes an up row's columns at `i`, its counters already turned into offsets from the chunk's bases. */
function writeValues(slab: Slab, i: number, row: Row, cpuUserUs: number, cpuSystemUs: number, ioReadOffset: number,
  ioWriteOffset: number): void {
  // clamped to the f32 range: beyond it a Float32Array stores ±Infinity, and every statistic of the unit with it
  slab.cpuPercent[i] = row.cpuPercent === null ? Number.NaN : Math.max(-F32_MAX, Math.min(F32_MAX, row.cpuPercent));
  slab.rssKiB[i] = Math.min(DOWN_ROW - 1, Math.max(0, Math.round(row.rssBytes / 1024)));
  slab.cpuUserUs[i] = cpuUserUs;
  slab.cpuSystemUs[i] = cpuSystemUs;
  slab.ioReadOffset[i] = ioReadOffset;
  slab.ioWriteOffset[i] = ioWriteOffset;
}

/** A counter's offset from its chunk base, NULL_U32 for null, or -1 when it does not fit: its nullness must match the
 * chunk's (a null base is NaN) and the offset must fit 32 bits. */
function counterOffset(value: number | null, base: number): number {
  if (value === null) return Number.isNaN(base) ? NULL_U32 : -1;
  if (Number.isNaN(base)) return -1;
  const offset = Math.round(value - base);
  return fitsU32(offset) ? offset : -1;
}
