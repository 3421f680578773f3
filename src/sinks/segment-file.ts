import { constants as fsc } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { constants as zc, createGzip, type Gzip } from 'node:zlib';
import { effectiveUid } from './spill-dir-guard.js';

// Never an existing name (O_EXCL), never through a symlink (O_NOFOLLOW), only ever at the end (O_APPEND).
const CREATE = fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW | fsc.O_APPEND;

/**
 * One segment created by this process: a single gzip stream, sync-flushed after every batch, so that every batch
 * on disk decodes (zcat reads a segment while it is written) and a crash tears at most the batch being written.
 * One stream rather than a gzip member per batch: the 32 KiB window spans batches, so the few lines of a small
 * recording's batch still compress against the lines before them. A failed write is cut back to the last batch;
 * the stream's state has moved past it, so the segment is then closed without a trailer and never written again.
 */
export class SegmentFile {
  /** Bytes on disk. */
  bytes = 0;
  /** Lines in it, written by this process. */
  lines = 0;
  private broken = false;
  private readonly out: Buffer[] = [];
  private readonly gzip: Gzip;

  private constructor(readonly path: string, private readonly fh: FileHandle) {
    this.gzip = createGzip({ level: 6 });
    this.gzip.on('data', (chunk: Buffer) => this.out.push(chunk));
  }

  /** Creates `path` (mode 0600), failing with EEXIST when any file or link has that name. */
  static async create(path: string): Promise<SegmentFile> {
    const fh = await open(path, CREATE, 0o600);
    try {
      // Paranoia after O_EXCL: a file we just created is ours, regular and singly linked, or something raced us.
      const st = await fh.stat();
      const uid = effectiveUid();
      if (!st.isFile() || st.nlink !== 1 || (uid !== undefined && st.uid !== uid)) {
        throw Object.assign(new Error(`${path} is not a file we created`), { code: 'EEXIST' });
      }
    } catch (error) {
      await fh.close().catch(() => undefined);
      throw error;
    }
    return new SegmentFile(path, fh);
  }

  /** Compresses `data` into the stream and returns the bytes to append with `write` (a whole flushed batch). */
  compress(data: Buffer): Promise<Buffer> {
    return this.drain((done) => { this.gzip.write(data); this.gzip.flush(zc.Z_SYNC_FLUSH, done); });
  }

  /** Appends a batch from `compress`; on failure cuts the file back and marks the segment broken. */
  async write(batch: Buffer, lines: number, datasync: boolean): Promise<void> {
    if (this.broken) throw Object.assign(new Error(`${this.path} was abandoned after a failed write`), { code: 'EIO' });
    try {
      const { bytesWritten } = await this.fh.write(batch, 0, batch.length, null);
      if (bytesWritten !== batch.length) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
      if (datasync) await this.fh.datasync();
    } catch (error) {
      this.broken = true;
      await this.fh.truncate(this.bytes).catch(() => undefined); // a torn batch left behind is skipped on read
      throw error;
    }
    this.bytes += batch.length;
    this.lines += lines;
  }

  /** Whether the file was unlinked while open (its lines are then gone): an fstat, no directory scan. */
  async unlinked(): Promise<boolean> {
    return (await this.fh.stat()).nlink === 0;
  }

  /** The gzip trailer that ends the stream (empty for a broken segment): append it with `write`, then `close`. */
  finish(): Promise<Buffer> {
    if (this.broken) return Promise.resolve(Buffer.alloc(0));
    // 'end', not end()'s callback: the trailer reaches 'data' only after 'finish'.
    return this.drain((done) => { this.gzip.once('end', done); this.gzip.end(); });
  }

  /** Closes the file, fsyncing it first when asked. */
  async close(fsync: boolean): Promise<void> {
    try {
      if (fsync) await this.fh.sync();
    } finally {
      this.gzip.destroy();
      await this.fh.close().catch(() => undefined);
    }
  }

  private drain(run: (done: () => void) => void): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const fail = (error: Error) => reject(error);
      this.gzip.once('error', fail);
      run(() => {
        this.gzip.off('error', fail);
        resolve(Buffer.concat(this.out.splice(0)));
      });
    });
  }
}
