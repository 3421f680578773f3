import { randomBytes } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { promisify } from 'node:util';
import { constants as zc, gunzip, gzip } from 'node:zlib';
import type { MetricEvent } from '../events.js';
import { decodeMetricEvent } from '../formats/decode-event.js';
import { bucketSegmentName, compactionTempName, parseLogSegmentName } from '../formats/log-segments.js';
import { encodeLogLine } from '../formats/log-line.js';
import { parseJsonLine, UNSURE } from '../formats/parse-json-line.js';
import { LogCompactor } from '../store/compact-log.js';
import type { Segment } from './segment-inventory.js';
import { effectiveUid } from './spill-dir-guard.js';

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);
// Reading: never through a symlink. Writing: a new name only, never through a symlink (as segment-file.ts).
const READ = fsc.O_RDONLY | fsc.O_NOFOLLOW;
const CREATE = fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW;
/** Lines parsed or written between two yields to the event loop: ~5 ms of CPU, so sampling ticks are not held up. */
const LINES_PER_STEP = 1_000;

/** The outcome of one compaction: the new segment, and the lines of the inputs that could not be read (torn tails). */
export interface CompactionResult {
  segment: Segment;
  badLines: number;
}

/** The text of one of our segments, opened without following links and checked to be ours, regular, singly linked. */
async function readSegment(dir: string, name: string): Promise<Buffer> {
  const fh = await open(join(dir, name), READ);
  try {
    const st = await fh.stat();
    const uid = effectiveUid();
    if (!st.isFile() || st.nlink !== 1 || (uid !== undefined && st.uid !== uid)) {
      throw Object.assign(new Error(`${name} is not one of our segments`), { code: 'EPERM' });
    }
    const bytes = await fh.readFile();
    // Z_SYNC_FLUSH: a segment without its trailer (its writer was killed) yields every whole batch.
    return name.endsWith('.gz') ? await gunzipAsync(bytes, { finishFlush: zc.Z_SYNC_FLUSH }) : bytes;
  } finally {
    await fh.close();
  }
}

/** Writes `data` to a fresh temporary file in `dir`, fsynced, and renames it to `name` (which must not exist yet). */
async function writeAtomically(dir: string, name: string, data: Buffer): Promise<void> {
  const temp = join(dir, compactionTempName(randomBytes(8).toString('hex')));
  const fh = await open(temp, CREATE, 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  } finally {
    await fh.close().catch(() => undefined);
  }
  try {
    await rename(temp, join(dir, name));
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  const d = await open(dir, fsc.O_RDONLY | fsc.O_DIRECTORY);
  try {
    await d.sync(); // the rename is durable before any input is deleted
  } finally {
    await d.close();
  }
}

/** The event on bytes `start…end` of `text` (our own lines take the fast path), or why it is not one. */
function decodeLine(text: Buffer, start: number, end: number): MetricEvent | string {
  try {
    const fast = parseJsonLine(text, start, end);
    return decodeMetricEvent(fast === UNSURE ? JSON.parse(text.toString('utf8', start, end)) : fast);
  } catch {
    return 'not JSON';
  }
}

/**
 * Compacts the run of segments `inputs` (consecutive in the log, oldest first) into one bucket segment of `widthMs`
 * buckets named after their sequence range, written under a temporary name and renamed into place. Does not delete
 * the inputs: the caller does, after this resolves (a crash in between leaves both, and readers take the new one).
 */
export async function compactSegments(dir: string, inputs: readonly Segment[], widthMs: number): Promise<CompactionResult> {
  const compactor = new LogCompactor(widthMs);
  let badLines = 0;
  for (const input of inputs) {
    const text = await readSegment(dir, input.name).catch((error: unknown) => {
      throw Object.assign(error as Error, { segment: input }); // which input: the caller leaves that one alone
    });
    for (let start = 0, n = 0; start < text.length; n++) {
      if (n > 0 && n % LINES_PER_STEP === 0) await yieldToLoop();
      let end = text.indexOf(0x0a, start);
      if (end < 0) end = text.length;
      const event = end > start ? decodeLine(text, start, end) : undefined;
      start = end + 1;
      if (typeof event === 'string') badLines++; // a torn last line: replay would skip it too
      // As read, without decodeLogEvent: the constant `missing.net` text it would put back is not kept by a bucket,
      // and a sample kept raw is written without it again (encodeLogLine's form), so replay restores it either way.
      else if (event) compactor.add(event);
    }
  }
  await yieldToLoop();
  const events = compactor.finish();
  const lines: string[] = [];
  for (let i = 0; i < events.length; i += LINES_PER_STEP) { // encoding 100k events at once holds a tick ~0.25 s
    for (const e of events.slice(i, i + LINES_PER_STEP)) lines.push(encodeLogLine(e));
    await yieldToLoop();
  }
  const data = await gzipAsync(Buffer.from(lines.join('')), { level: 9 });
  const first = inputs[0] as Segment;
  const last = inputs.at(-1) as Segment;
  const openedMs = parseLogSegmentName(first.name)?.openedMs ?? 0;
  const toSeq = last.toSeq ?? last.seq;
  const name = bucketSegmentName(first.seq, toSeq, openedMs, widthMs);
  await writeAtomically(dir, name, data);
  return { segment: { name, seq: first.seq, toSeq, bytes: data.length }, badLines };
}
