import { lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { segmentName, segmentSeq } from '../formats/segment-names.js';
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
}

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

  /** How many of our segments are on disk. */
  get count(): number {
    return this.inventory.count;
  }

  /** Checks the directory (see `guardSpillDir`) and re-reads our segments from it: on start and after an error. */
  async sync(): Promise<void> {
    await guardSpillDir(this.dir);
    const uid = effectiveUid();
    const found: Segment[] = [];
    for (const name of await readdir(this.dir)) {
      const seq = segmentSeq(name);
      if (seq === undefined) continue;
      if (name === this.current?.seg.name) found.push(this.current.seg);
      else {
        const st = await lstat(join(this.dir, name)).catch(() => undefined);
        if (st?.isFile() && st.nlink === 1 && (uid === undefined || st.uid === uid)) found.push({ name, seq, bytes: st.size });
      }
    }
    this.inventory.replace(found);
    this.nextSeq = Math.max(this.nextSeq, this.inventory.newestSeq + 1);
  }

  /** Reads the directory and holds the budget before anything is written. */
  async start(): Promise<void> {
    await this.sync();
    await this.makeRoom(0);
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

  /** Deletes the oldest segments (never the open one) until `incoming` more bytes fit in `maxBytes`. */
  async makeRoom(incoming: number): Promise<void> {
    while (this.inventory.totalBytes + incoming > this.opts.maxBytes) {
      const oldest = this.inventory.oldest;
      if (!oldest || oldest === this.current?.seg) return;
      await unlink(join(this.dir, oldest.name)).catch((e: unknown) => {
        if (errno(e) !== 'ENOENT') throw e;
      });
      this.inventory.forget(oldest);
    }
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
