import { lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { COMPACTION_TEMP_PATTERN, liveSegments, type LogSegmentName, parseLogSegmentName } from '../formats/log-segments.js';
import { segmentName } from '../formats/segment-names.js';
import { SegmentFile } from './segment-file.js';
import { SegmentInventory, type Segment } from './segment-inventory.js';
import { effectiveUid, guardSpillDir } from './spill-dir-guard.js';

/** When spill segments are fsynced: never, on closing a segment, or after every batch. */
export type FsyncPolicy = 'never' | 'rotate' | 'always';

/** Budget, segment size, fsync policy, clock and loss callback of a `SegmentDir`. */
export interface SegmentDirOptions {
  maxBytes: number;
  segmentBytes: number;
  fsync: FsyncPolicy;
  now: () => number;
  /** Lines that were written but are gone: the open segment was unlinked while we wrote it. */
  onLost: (code: string, message: string, lines: number) => void;
  /**
   * Asked before the budget deletes a segment: makes room another way (compaction) and resolves true when our
   * segments now take fewer bytes, false when it could not. Absent: the budget deletes the oldest at once.
   */
  reclaim?: () => Promise<boolean>;
}

/** A segment found on disk, with what its name says (its range decides whether it is live). */
type LoggedSegment = LogSegmentName & { seg: Segment };

const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;
/** How many taken names (someone else's files, in a shared directory) we step over before giving up. */
const MAX_TAKEN_NAMES = 1000;

/**
 * The spill directory's inventory, oldest segment first, kept in memory: read from disk on start and after an
 * error, and otherwise updated only by our own creations and deletions, so a rotation costs the same with 10 or
 * 10,000 segments. Counted (and deleted under budget) are only regular, singly linked files with our names owned
 * by our uid; we write only into segments this process created.
 */
export class SegmentDir {
  private readonly inventory = new SegmentInventory();
  private current: { seg: Segment; file: SegmentFile } | undefined;
  private nextSeq = 0;

  constructor(
    readonly dir: string,
    private readonly opts: SegmentDirOptions,
  ) {}

  /** Bytes of our segments on disk. */
  get totalBytes(): number {
    return this.inventory.totalBytes;
  }

  /** The budget for all our segments together, bytes on disk. */
  get maxBytes(): number {
    return this.opts.maxBytes;
  }

  /** How many of our segments are on disk. */
  get count(): number {
    return this.inventory.count;
  }

  /**
   * Checks the directory (see `guardSpillDir`) and re-reads our segments from it: on start and after an error. A
   * segment that a bucket segment replaces (a compaction was interrupted between its rename and its deletes) is
   * deleted now, which finishes that compaction; with `temps`, so are compactions' temporary files (one that never
   * reached its rename: its inputs are all still there).
   */
  async sync({ temps = false }: { temps?: boolean } = {}): Promise<void> {
    await guardSpillDir(this.dir);
    const found: LoggedSegment[] = [];
    for (const name of await readdir(this.dir)) {
      const parsed = parseLogSegmentName(name);
      if (!parsed && !(temps && COMPACTION_TEMP_PATTERN.test(name))) continue;
      if (parsed && name === this.current?.seg.name) {
        found.push({ ...parsed, seg: this.current.seg });
        continue;
      }
      const st = await lstat(join(this.dir, name)).catch(() => undefined);
      if (!st?.isFile() || st.nlink !== 1 || !this.isOurs(st.uid)) continue;
      if (!parsed) await this.remove(name); // a temporary file of a compaction that never reached its rename
      else found.push({ ...parsed, seg: { name, seq: parsed.fromSeq, bytes: st.size, ...(parsed.widthMs > 0 ? { toSeq: parsed.toSeq } : {}) } });
    }
    const { live, shadowed } = liveSegments(found);
    for (const s of shadowed) if (s.seg !== this.current?.seg) await this.remove(s.name);
    this.inventory.replace(live.map((s) => s.seg));
    this.nextSeq = Math.max(this.nextSeq, this.inventory.newestSeq + 1);
  }

  /** Reads the directory and holds the budget before anything is written. */
  async start(): Promise<void> {
    await this.sync({ temps: true });
    await this.makeRoom(0);
  }

  /** Our segments, oldest first, but the open one. */
  closedSegments(): Segment[] {
    const open = this.current?.seg;
    return this.inventory.list().filter((s) => s !== open);
  }

  /** Takes `bucket`, a compaction's renamed output, into the inventory, then deletes the segments it replaces. */
  async replaced(bucket: Segment, inputs: readonly Segment[]): Promise<void> {
    // A re-read of the directory (after an error) may have found it already.
    if (!this.inventory.list().some((s) => s.name === bucket.name)) this.inventory.insert(bucket);
    const names = new Set(inputs.map((s) => s.name));
    const listed = this.inventory.list().filter((s) => names.has(s.name)); // by name: a re-read makes new objects
    for (const name of names) await this.remove(name);
    for (const s of listed) this.inventory.forget(s);
  }

  /** Compresses and appends whole lines as one batch; rotates once the segment reaches `segmentBytes`. */
  async append(data: Buffer, lines: number): Promise<void> {
    try {
      // One fstat per batch: a segment unlinked under us (its directory removed) would swallow every later batch.
      if (this.current && (await this.current.file.unlinked())) await this.release();
      const cur = this.current ?? (await this.open());
      const batch = await cur.file.compress(data);
      await this.makeRoom(batch.length);
      await cur.file.write(batch, lines, this.opts.fsync === 'always');
      this.inventory.grow(cur.seg, batch.length);
      if (cur.seg.bytes >= this.opts.segmentBytes) await this.release();
    } catch (error) {
      await this.release().catch(() => undefined);
      await this.sync().catch(() => undefined); // an error is the one time the disk may differ from our inventory
      throw error;
    }
  }

  /** Ends the open segment's gzip stream and closes it, syncing it first unless the policy is `never`. */
  async release(): Promise<void> {
    const cur = this.current;
    this.current = undefined;
    if (!cur) return;
    let fsync = this.opts.fsync !== 'never';
    try {
      if (await cur.file.unlinked()) {
        fsync = false;
        this.inventory.forget(cur.seg);
        this.opts.onLost('ENOENT', `open segment ${cur.seg.name} was removed from ${this.dir}`, cur.file.lines);
        return;
      }
      const trailer = await cur.file.finish();
      if (trailer.length === 0) return;
      await this.makeRoom(trailer.length);
      await cur.file.write(trailer, 0, false);
      this.inventory.grow(cur.seg, trailer.length);
    } finally {
      await cur.file.close(fsync);
    }
  }

  /**
   * Deletes the oldest segments (never the open one) until `incoming` more bytes fit in `maxBytes`, after `reclaim`
   * (compaction) could not make the room: old data is kept coarser before any is lost (docs/spillover.md#budget).
   * Waiting for `reclaim` holds up the writer, whose queue is bounded: a log written faster than compaction keeps
   * up with is slowed down to compaction's pace, rather than losing what compaction has not reached yet.
   */
  async makeRoom(incoming: number): Promise<void> {
    while (this.inventory.totalBytes + incoming > this.opts.maxBytes) {
      if (this.opts.reclaim && (await this.opts.reclaim())) continue;
      const oldest = this.inventory.oldest;
      if (!oldest || oldest === this.current?.seg) return;
      await this.remove(oldest.name);
      this.inventory.forget(oldest);
    }
  }

  private isOurs(uid: number): boolean {
    const me = effectiveUid();
    return me === undefined || uid === me;
  }

  private async remove(name: string): Promise<void> {
    await unlink(join(this.dir, name)).catch((e: unknown) => {
      if (errno(e) !== 'ENOENT') throw e;
    });
  }

  /** Creates the next segment, stepping over names someone else took; re-reads the directory if it vanished. */
  private async open(): Promise<{ seg: Segment; file: SegmentFile }> {
    for (let tries = 0; ; tries++) {
      const seq = this.nextSeq++;
      const name = segmentName(seq, this.opts.now(), { compressed: true });
      try {
        const file = await SegmentFile.create(join(this.dir, name));
        const seg = { name, seq, bytes: 0 };
        this.inventory.add(seg);
        this.current = { seg, file };
        return this.current;
      } catch (error) {
        if (errno(error) === 'ENOENT' && tries === 0) await this.sync(); // the directory was removed: re-create it
        else if (errno(error) !== 'EEXIST' || tries >= MAX_TAKEN_NAMES) throw error;
      }
    }
  }
}

