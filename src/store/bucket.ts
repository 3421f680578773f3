/**
 * A bucket: the running aggregates of the observations of one unit over one time slot, as the coarser tiers keep them.
 * In flight a bucket is a `Float64Array` of BUCKET_FIELDS values (indices below); at rest it is 112 bytes inside a
 * pool chunk, eight buckets to a chunk, so buckets and raw rows share one budget and one fairness rule.
 */
import type { ChunkPool } from './chunk-pool.js';
import { roundCpu } from './unit-window.js';

/** Indices into a bucket value. RSS values are bytes; CPU values percent of one core. */
export const FIRST_TS = 0, LAST_TS = 1, COUNT = 2, UP = 3, CPU_COUNT = 4, CPU_SUM = 5, CPU_MIN = 6, CPU_MAX = 7,
  CPU_LAST = 8, CPU_Q90 = 9, CPU_Q95 = 10, RSS_SUM = 11, RSS_MIN = 12, RSS_MAX = 13, RSS_LAST = 14, RSS_Q90 = 15,
  RSS_Q95 = 16, READ_BYTES = 17, READ_MS = 18, WRITE_BYTES = 19, WRITE_MS = 20, LAST_UP = 21;
/** Length of a bucket value. */
export const BUCKET_FIELDS = 22;
/** Buckets per pool chunk: each of a chunk's seven 128-byte column segments holds 16 bytes of each bucket. */
export const BUCKETS_PER_CHUNK = 8;
/** Bytes a bucket occupies at rest. */
export const BUCKET_BYTES = 7 * 16;

/** A bucket value with nothing in it: NaN where a statistic has no observation yet. */
export function emptyBucket(into: Float64Array = new Float64Array(BUCKET_FIELDS)): Float64Array {
  into.fill(0);
  into[FIRST_TS] = Number.NaN; into[LAST_TS] = Number.NaN;
  into[CPU_MIN] = Number.NaN; into[CPU_MAX] = Number.NaN; into[CPU_LAST] = Number.NaN;
  into[CPU_Q90] = Number.NaN; into[CPU_Q95] = Number.NaN;
  into[RSS_MIN] = Number.NaN; into[RSS_MAX] = Number.NaN; into[RSS_LAST] = Number.NaN;
  into[RSS_Q90] = Number.NaN; into[RSS_Q95] = Number.NaN;
  return into;
}

// Where each field lives at rest: [column segment 0–6, slot, kind]. f64 fields take two 4-byte slots, so a segment
// holds two f64 or four 32-bit values. RSS is kept in KiB, like a row; counts and milliseconds as u32; CPU as f32.
const F64 = 0, U32 = 1, F32 = 2, KIB = 3;
const LAYOUT: readonly (readonly [number, number, number])[] = [
  [0, 0, F64], [0, 1, F64], [3, 0, U32], [3, 1, U32], [3, 2, U32], [1, 0, F64], [4, 0, F32], [4, 1, F32], [4, 2, F32],
  [6, 2, F32], [4, 3, F32], [1, 1, F64], [5, 0, KIB], [5, 1, KIB], [5, 2, KIB], [6, 3, KIB], [5, 3, KIB], [2, 0, F64],
  [3, 3, U32], [2, 1, F64], [6, 0, U32], [6, 1, U32],
];
const NO_KIB = 0xffffffff;

/** Byte offset of bucket `j`'s 16 bytes in column segment 0 of `chunk`; segment k is `k * stride` further. */
function place(pool: ChunkPool, chunk: number, j: number): { offset: number; stride: number } {
  const n = pool.slabOf(chunk).chunkCount;
  return { offset: n * 56 + pool.localOf(chunk) * 128 + j * 16, stride: n * 128 };
}

/** Writes bucket value `v` as bucket `j` of block `chunk`. */
export function storeBucket(pool: ChunkPool, chunk: number, j: number, v: Float64Array): void {
  const slab = pool.slabOf(chunk);
  const { offset, stride } = place(pool, chunk, j);
  for (let f = 0; f < BUCKET_FIELDS; f++) {
    const [column, slot, kind] = LAYOUT[f]!;
    const at = offset + column * stride;
    const x = v[f]!;
    if (kind === F64) slab.f64[at / 8 + slot] = x;
    else if (kind === F32) slab.f32[at / 4 + slot] = x;
    else if (kind === U32) slab.u32[at / 4 + slot] = x;
    else slab.u32[at / 4 + slot] = Number.isNaN(x) ? NO_KIB : Math.min(NO_KIB - 1, Math.max(0, Math.round(x / 1024)));
  }
}

/** Reads bucket `j` of block `chunk` into `into`. Unrolled (the layout above, field by field): summaries read every
 * bucket of a unit, and the table-driven loop `storeBucket` uses cost several times more per bucket. */
export function loadBucket(pool: ChunkPool, chunk: number, j: number, into: Float64Array): Float64Array {
  loadBucketAtRest(pool, chunk, j, into);
  into[CPU_MIN] = roundCpu(into[CPU_MIN]!); into[CPU_MAX] = roundCpu(into[CPU_MAX]!);
  into[CPU_LAST] = roundCpu(into[CPU_LAST]!); into[CPU_Q90] = roundCpu(into[CPU_Q90]!); into[CPU_Q95] = roundCpu(into[CPU_Q95]!);
  into[RSS_MIN] = into[RSS_MIN]! * 1024; into[RSS_MAX] = into[RSS_MAX]! * 1024; into[RSS_LAST] = into[RSS_LAST]! * 1024;
  into[RSS_Q90] = into[RSS_Q90]! * 1024; into[RSS_Q95] = into[RSS_Q95]! * 1024;
  return into;
}

/**
 * `loadBucket` without the last step: CPU min/max/last/p90/p95 as the f32 they are kept in (not rounded to 0.001)
 * and RSS min/max/last/p90/p95 in KiB, NaN where there is none. Both steps are monotonic, so minima, maxima and
 * ranks read here, and rounded once at the end, equal those of the rounded values; summaries save ten conversions a
 * bucket.
 */
export function loadBucketAtRest(pool: ChunkPool, chunk: number, j: number, into: Float64Array): Float64Array {
  const slab = pool.slabOf(chunk);
  const { f64, u32, f32 } = slab;
  // The offsets of `place` in 4-byte words, in small-integer arithmetic: dividing the byte offset gave a double
  // index, and each load through one cost several times more (measured ~170 ns a bucket).
  const ws = slab.chunkCount * 32; // segment stride
  const w = slab.chunkCount * 14 + pool.localOf(chunk) * 32 + j * 4; // segment 0
  const d = w >> 1, ds = ws >> 1; // the same in f64 elements
  into[FIRST_TS] = f64[d]!; into[LAST_TS] = f64[d + 1]!;
  into[CPU_SUM] = f64[d + ds]!; into[RSS_SUM] = f64[d + ds + 1]!;
  into[READ_BYTES] = f64[d + 2 * ds]!; into[WRITE_BYTES] = f64[d + 2 * ds + 1]!;
  const w3 = w + 3 * ws, w4 = w + 4 * ws, w5 = w + 5 * ws, w6 = w + 6 * ws;
  into[COUNT] = u32[w3]!; into[UP] = u32[w3 + 1]!; into[CPU_COUNT] = u32[w3 + 2]!; into[READ_MS] = u32[w3 + 3]!;
  into[CPU_MIN] = f32[w4]!; into[CPU_MAX] = f32[w4 + 1]!; into[CPU_LAST] = f32[w4 + 2]!; into[CPU_Q95] = f32[w4 + 3]!;
  into[RSS_MIN] = kib(u32[w5]!); into[RSS_MAX] = kib(u32[w5 + 1]!); into[RSS_LAST] = kib(u32[w5 + 2]!);
  into[RSS_Q95] = kib(u32[w5 + 3]!);
  into[WRITE_MS] = u32[w6]!; into[LAST_UP] = u32[w6 + 1]!; into[CPU_Q90] = f32[w6 + 2]!; into[RSS_Q90] = kib(u32[w6 + 3]!);
  return into;
}

const kib = (x: number): number => (x === NO_KIB ? Number.NaN : x);

/** Reads only a bucket's first timestamp (which slot it is in): one cache line, where a whole bucket is seven. */
export function bucketFirstTs(pool: ChunkPool, chunk: number, j: number): number {
  const { offset } = place(pool, chunk, j);
  return pool.slabOf(chunk).f64[offset / 8]!;
}

/** Reads only a bucket's last timestamp (retention needs nothing else). */
export function bucketLastTs(pool: ChunkPool, chunk: number, j: number): number {
  const { offset } = place(pool, chunk, j);
  return pool.slabOf(chunk).f64[offset / 8 + 1]!;
}
