/**
 * Fixed-size chunks of columnar rows, carved from a few large ArrayBuffers ("slabs"). The windowed store keeps every
 * retained row here, so the bytes these slabs hold are exactly the store's memory for samples: no per-row objects.
 *
 * A chunk holds CHUNK_ROWS rows. Values are stored as 32-bit offsets from per-chunk f64 bases, which is how a row
 * fits in 28 bytes while counters stay exact: a row that does not fit its chunk's bases starts a new chunk.
 */

/** Rows per chunk: a power of two, so row → chunk is a shift. Budget eviction frees one chunk at a time. */
export const CHUNK_ROWS = 32;
/** Bytes of row columns per row: tsOffset, cpuPercent, rssKiB, cpuUserUs, cpuSystemUs, ioRead, ioWrite (4 each). */
export const ROW_BYTES = 28;
/** Bytes of chunk header: six f64 bases plus pid and an interned-id, as two i32 (see columns below). */
export const CHUNK_HEADER_BYTES = 6 * 8 + 2 * 4;
export const CHUNK_BYTES = CHUNK_ROWS * ROW_BYTES + CHUNK_HEADER_BYTES;
/** Chunks per slab; a slab is one ArrayBuffer, so views and bookkeeping cost little per row. A slab's twelve views
 * and its buffer take ~1.2 KB of heap: at 64 chunks a slab that was ~200 bytes a unit at 1,000 units in 10 MiB. */
const SLAB_CHUNKS = 256;

/** The columns of one slab. Row columns are indexed by `local * CHUNK_ROWS + row`, header columns by `local`. */
export interface Slab {
  readonly tsOffsetMs: Uint32Array;
  readonly cpuPercent: Float32Array;
  /** 0xFFFFFFFF marks a down row. */
  readonly rssKiB: Uint32Array;
  /** For a down row: the interned id of its reason. */
  readonly cpuUserUs: Uint32Array;
  readonly cpuSystemUs: Uint32Array;
  /** 0xFFFFFFFF when the value is null (the chunk's base is then NaN too). */
  readonly ioReadOffset: Uint32Array;
  readonly ioWriteOffset: Uint32Array;
  /** Header, 6 per chunk: tsBase, cpuUserBase, cpuSystemBase, ioReadBase, ioWriteBase, startTimeMs. */
  readonly bases: Float64Array;
  /** Header, 2 per chunk: pid (-1 until the chunk's first up row), interned id of the `missing` map. */
  readonly ids: Int32Array;
  /** Chunks in this slab, which sets where each column starts (a bucket block addresses the columns directly). */
  readonly chunkCount: number;
  /** The whole slab as f64, u32 and f32: a chunk that holds buckets instead of rows is read through these (bucket.ts). */
  readonly f64: Float64Array;
  readonly u32: Uint32Array;
  readonly f32: Float32Array;
}

export const DOWN_ROW = 0xffffffff;
export const NULL_U32 = 0xffffffff;
/** Header slots in `bases`. */
export const TS_BASE = 0, USER_BASE = 1, SYSTEM_BASE = 2, IO_READ_BASE = 3, IO_WRITE_BASE = 4, START_TIME = 5;
/** Header slots in `ids`. */
export const PID = 0, MISSING_ID = 1;

function createSlab(chunks: number): Slab {
  const rows = chunks * CHUNK_ROWS;
  const buffer = new ArrayBuffer(chunks * CHUNK_BYTES);
  let at = 0;
  const take = <T>(make: (b: ArrayBuffer, offset: number, length: number) => T, bytes: number, length: number): T => {
    const view = make(buffer, at, length);
    at += bytes * length;
    return view;
  };
  // f64 columns first so every view is aligned to its element size.
  const bases = take((b, o, l) => new Float64Array(b, o, l), 8, chunks * 6);
  return {
    chunkCount: chunks,
    f64: new Float64Array(buffer),
    u32: new Uint32Array(buffer),
    f32: new Float32Array(buffer),
    bases,
    ids: take((b, o, l) => new Int32Array(b, o, l), 4, chunks * 2),
    tsOffsetMs: take((b, o, l) => new Uint32Array(b, o, l), 4, rows),
    cpuPercent: take((b, o, l) => new Float32Array(b, o, l), 4, rows),
    rssKiB: take((b, o, l) => new Uint32Array(b, o, l), 4, rows),
    cpuUserUs: take((b, o, l) => new Uint32Array(b, o, l), 4, rows),
    cpuSystemUs: take((b, o, l) => new Uint32Array(b, o, l), 4, rows),
    ioReadOffset: take((b, o, l) => new Uint32Array(b, o, l), 4, rows),
    ioWriteOffset: take((b, o, l) => new Uint32Array(b, o, l), 4, rows),
  };
}

/** Hands out chunk ids up to a byte budget, reusing freed ones before growing. */
export class ChunkPool {
  private readonly slabs: Slab[] = [];
  private readonly free: number[] = [];
  private allocatedChunks = 0;
  private allocatedBytes = 0;
  readonly maxChunks: number;

  constructor(maxBytes: number) {
    this.maxChunks = Number.isFinite(maxBytes) ? Math.floor(maxBytes / CHUNK_BYTES) : Number.MAX_SAFE_INTEGER;
  }

  /** Bytes held by the slabs allocated so far; never more than the budget. */
  get bytes(): number {
    return this.allocatedBytes;
  }

  /** Chunks handed out and not yet released. */
  get chunksInUse(): number {
    return this.allocatedChunks - this.free.length;
  }

  /** A chunk id, or -1 when the budget is exhausted (the caller evicts and asks again). */
  allocate(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.allocatedChunks >= this.maxChunks) return -1;
    const inLastSlab = this.allocatedChunks % SLAB_CHUNKS;
    if (inLastSlab === 0) {
      const chunks = Math.min(SLAB_CHUNKS, this.maxChunks - this.allocatedChunks);
      this.slabs.push(createSlab(chunks));
      this.allocatedBytes += chunks * CHUNK_BYTES;
    }
    return this.allocatedChunks++;
  }

  release(chunk: number): void {
    this.free.push(chunk);
  }

  slabOf(chunk: number): Slab {
    return this.slabs[(chunk / SLAB_CHUNKS) | 0] as Slab;
  }

  /** Index of the chunk within its slab. */
  localOf(chunk: number): number {
    return chunk % SLAB_CHUNKS;
  }
}
