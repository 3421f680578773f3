import { createReadStream } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { constants as zc, createGunzip } from 'node:zlib';

/** Options of `openSegment`. */
export interface OpenSegmentOptions {
  /** Gunzip the file (`.ndjson.gz`); else it is read as it is. */
  compressed: boolean;
  /** Read size, bytes. */
  highWaterMark: number;
  /** Called when the compressed data breaks off into something that does not decode; the text ends there. */
  onTorn: (error: Error) => void;
}

/**
 * The text of one spill segment as a stream. A compressed segment whose writer died mid-batch (or is still writing)
 * lacks its gzip trailer: decoding with `Z_SYNC_FLUSH` yields every batch before the tear instead of failing, and
 * the torn batch's partial last line is left for the line reader to reject. Data that does not decode at all ends
 * the text there and is reported through `onTorn`; the lines before it are kept.
 */
export function openSegment(path: string, { compressed, highWaterMark, onTorn }: OpenSegmentOptions): Readable {
  const file = createReadStream(path, { highWaterMark });
  if (!compressed) return file;
  const gunzip = createGunzip({ finishFlush: zc.Z_SYNC_FLUSH });
  const text = new PassThrough({ highWaterMark });
  file.on('error', (error) => text.destroy(error));
  gunzip.on('error', (error) => {
    file.destroy();
    onTorn(error);
    if (!text.destroyed) text.end();
  });
  text.on('close', () => { file.destroy(); gunzip.destroy(); });
  file.pipe(gunzip).pipe(text);
  return text;
}
