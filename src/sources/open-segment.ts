import { createReadStream } from 'node:fs';
import { type FileHandle, readFile } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { constants as zc, createGunzip, gunzipSync } from 'node:zlib';

/** Options of `openSegment`. */
export interface OpenSegmentOptions {
  /** Gunzip the file (`.ndjson.gz`); else it is read as it is. */
  compressed: boolean;
  /** Read size, bytes. */
  highWaterMark: number;
  /** Called when the compressed data breaks off into something that does not decode; the text ends there. */
  onTorn: (error: Error) => void;
  /** Called with the size of every chunk read from the file (compressed bytes for a `.gz`): a progress bar's feed. */
  onRead?: (bytes: number) => void;
  /** The file, already opened (and checked) by the caller: read from it rather than opening `path`; closed at the end. */
  handle?: FileHandle;
}

// A prefix of a gzip stream decodes without error (Z_SYNC_FLUSH: a missing end is no error), so this is monotone.
const decodes = (bytes: Buffer, n: number): boolean => {
  try {
    gunzipSync(bytes.subarray(0, n), { finishFlush: zc.Z_SYNC_FLUSH });
    return true;
  } catch {
    return false;
  }
};

/** The text of the longest prefix of a compressed file that decodes, from byte `from` of that text on. */
async function decodablePrefix(path: string, from: number): Promise<Buffer> {
  const bytes = await readFile(path);
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (decodes(bytes, mid)) lo = mid;
    else hi = mid - 1;
  }
  return gunzipSync(bytes.subarray(0, lo), { finishFlush: zc.Z_SYNC_FLUSH }).subarray(from);
}

/**
 * The text of one spill segment as a stream. A compressed segment whose writer died mid-batch (or is still writing)
 * lacks its gzip trailer: decoding with `Z_SYNC_FLUSH` yields every batch before the tear instead of failing, and
 * the torn batch's partial last line is left for the line reader to reject. Data that does not decode at all ends
 * the text there and is reported through `onTorn`. zlib drops the output of the chunk in which it fails, so the
 * text of that chunk up to the bad data is recovered by decoding the file's longest good prefix (rare, and bounded
 * by one segment): the lines before the bad data are all kept.
 */
export function openSegment(path: string, { compressed, highWaterMark, onTorn, onRead, handle }: OpenSegmentOptions): Readable {
  const file = createReadStream(path, { highWaterMark, ...(handle ? { fd: handle } : {}) });
  if (onRead) file.on('data', (chunk) => onRead(chunk.length));
  if (!compressed) return file;
  // Output in chunks of the read size, not zlib's 16 KiB: fewer, larger blocks for the line reader (its per-chunk cost).
  const gunzip = createGunzip({ finishFlush: zc.Z_SYNC_FLUSH, chunkSize: highWaterMark });
  const text = new PassThrough({ highWaterMark });
  let emitted = 0;
  gunzip.on('data', (chunk: Buffer) => { emitted += chunk.length; });
  file.on('error', (error) => text.destroy(error));
  gunzip.on('error', (error) => {
    file.destroy();
    gunzip.unpipe(text);
    decodablePrefix(path, emitted).then((rest) => {
      if (text.destroyed) return;
      onTorn(error);
      text.end(rest);
    }, (e: Error) => text.destroy(e));
  });
  text.on('close', () => { file.destroy(); gunzip.destroy(); });
  file.pipe(gunzip).pipe(text);
  return text;
}
