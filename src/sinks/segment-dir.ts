import { lstat, mkdir, open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { segmentName, segmentSeq } from '../formats/segment-names.js';

/** One of our segments as last seen on disk (plus what we appended since). */
interface Segment {
  name: string;
  seq: number;
  bytes: number;
}

/** When spill segments are fsynced: never, on closing a segment, or after every write. */
export type FsyncPolicy = 'never' | 'rotate' | 'always';

/** Budget, segment size, fsync policy, clock and loss callback of a `SegmentDir`. */
export interface SegmentDirOptions {
  maxBytes: number;
  segmentBytes: number;
  fsync: FsyncPolicy;
  now: () => number;
  /** Lines that were written but are gone: the open segment vanished from the directory. */
  onLost: (code: string, message: string, lines: number) => void;
}

const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/**
 * The spill directory as a list of our segments, oldest first. Only names matching our pattern and regular files
 * (lstat, so symlinks never) are counted or deleted. The list is re-read from disk before every deletion, on every
 * rotation and after every error, so an outside deletion is never mistaken for bytes we still hold.
 */
export class SegmentDir {
  private segments: Segment[] = [];
  private current: Segment | undefined;
  private fh: FileHandle | undefined;
  private linesInCurrent = 0;
  private nextSeq = 0;

  constructor(
    readonly dir: string,
    private readonly opts: SegmentDirOptions,
  ) {}

  /** Bytes of our segments on disk. */
  get totalBytes(): number {
    return this.segments.reduce((sum, s) => sum + s.bytes, 0);
  }

  /** Bytes that still fit in the open segment (0 when none is open). */
  get room(): number {
    return this.current ? this.opts.segmentBytes - this.current.bytes : 0;
  }

  /** Re-reads our segments from disk, creating the directory (0700) when it is missing. */
  async sync(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const found: Segment[] = [];
    for (const name of await readdir(this.dir)) {
      const seq = segmentSeq(name);
      if (seq === undefined) continue;
      const st = await lstat(join(this.dir, name)).catch(() => undefined);
      if (st?.isFile()) found.push({ name, seq, bytes: st.size });
    }
    found.sort((a, b) => a.seq - b.seq);
    this.segments = found;
    this.nextSeq = Math.max(this.nextSeq, (found.at(-1)?.seq ?? -1) + 1);
    if (this.current) {
      const still = found.find((s) => s.name === this.current?.name);
      if (still) this.current = still;
      else {
        const lost = this.linesInCurrent;
        await this.release();
        this.opts.onLost('ENOENT', `open segment vanished from ${this.dir}`, lost);
      }
    }
  }

  /** Reads the directory and holds the budget before anything is written. */
  async start(): Promise<void> {
    await this.sync();
    await this.makeRoom(0);
  }

  /** Deletes the oldest segments (never the open one) until `incoming` more bytes fit in `maxBytes`. */
  async makeRoom(incoming: number): Promise<void> {
    if (this.totalBytes + incoming <= this.opts.maxBytes) return;
    await this.sync();
    while (this.totalBytes + incoming > this.opts.maxBytes) {
      const oldest = this.segments[0];
      if (!oldest || oldest === this.current) return;
      await unlink(join(this.dir, oldest.name)).catch((e: unknown) => {
        if (errno(e) !== 'ENOENT') throw e;
      });
      this.segments.shift();
    }
  }

  /**
   * Makes sure a segment with room for `bytes` is open: the newest segment when it ends on a complete line and has
   * room (a restart continues there), else a new one. A torn tail is never appended to.
   */
  async ensureRoom(bytes: number): Promise<void> {
    if (this.current && this.room >= bytes) return;
    await this.sync(); // before release, so a vanished open segment is noticed and its lines reported
    await this.release();
    await this.makeRoom(0);
    const newest = this.segments.at(-1);
    if (newest && this.opts.segmentBytes - newest.bytes >= bytes && (await this.endsClean(newest))) {
      this.fh = await open(join(this.dir, newest.name), 'a', 0o600);
      this.current = newest;
    } else {
      const seq = this.nextSeq++;
      const seg = { name: segmentName(seq, this.opts.now()), seq, bytes: 0 };
      this.fh = await open(join(this.dir, seg.name), 'ax', 0o600);
      this.segments.push(seg);
      this.current = seg;
    }
    this.linesInCurrent = 0;
  }

  /** Appends whole lines with one write; on failure cuts the segment back so no partial line stays behind. */
  async append(data: Buffer, lines: number): Promise<void> {
    await this.ensureRoom(data.length);
    await this.makeRoom(data.length);
    const fh = this.fh as FileHandle;
    const seg = this.current as Segment;
    try {
      const { bytesWritten } = await fh.write(data, 0, data.length, null);
      if (bytesWritten !== data.length) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
      if (this.opts.fsync === 'always') await fh.datasync();
    } catch (error) {
      const ok = await fh.truncate(seg.bytes).then(() => true, () => false);
      if (!ok) await this.release(); // the tail may be torn: never append after it
      throw error;
    }
    seg.bytes += data.length;
    this.linesInCurrent += lines;
  }

  /** Closes the open segment, syncing it first unless the policy is `never`. */
  async release(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    this.current = undefined;
    if (!fh) return;
    try {
      if (this.opts.fsync !== 'never') await fh.sync();
    } finally {
      await fh.close().catch(() => undefined);
    }
  }

  private async endsClean(seg: Segment): Promise<boolean> {
    if (seg.bytes === 0) return true;
    const fh = await open(join(this.dir, seg.name), 'r');
    try {
      const { buffer, bytesRead } = await fh.read(Buffer.alloc(1), 0, 1, seg.bytes - 1);
      return bytesRead === 1 && buffer[0] === 0x0a;
    } finally {
      await fh.close();
    }
  }
}
