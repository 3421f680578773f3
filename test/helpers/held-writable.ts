import { Writable } from 'node:stream';

/**
 * A Writable whose reader takes nothing until `release()` is called: with a tiny highWaterMark every write() returns
 * false, so a sink must wait for 'drain'. `written` holds every chunk handed to it, in order.
 */
export function heldWritable(highWaterMark = 1) {
  const written: string[] = [];
  const pending: Array<() => void> = [];
  const out = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, callback) {
      written.push(chunk.toString());
      pending.push(callback);
    },
  });
  /** Lets the oldest held write finish; false when none was held. */
  const release = (): boolean => {
    const next = pending.shift();
    next?.();
    return next !== undefined;
  };
  return { out, written, release };
}
