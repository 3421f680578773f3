import { lstatSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants as zc, gunzipSync } from 'node:zlib';
import type { SchedulerLike } from 'rxjs';
import { asyncScheduler } from 'rxjs';
import { EVENT_FORMAT_VERSION, type EvictedEvent } from '../../src/events.js';
import { bySeq, SEGMENT_PATTERN } from '../../src/formats/segment-names.js';
import { sample } from '../../src/testing/index.js';

/** A fresh temporary directory. */
export const tempDir = (prefix = 'procstream-spill-'): string => mkdtempSync(join(tmpdir(), prefix));

/** An evicted sample numbered `i` (its `ts`), padded so every line has the same length for i < 10 000. */
export function evicted(i: number, unit = 'api'): EvictedEvent {
  return { type: 'evicted', v: EVENT_FORMAT_VERSION, unit, ts: 10_000 + i, reason: 'retention',
    event: sample(unit, 10_000 + i, { pid: 1000 + (i % 9000) }) };
}

/** Our segment names in `dir`, in sequence order, with their sizes. */
export function segmentsIn(dir: string): { name: string; bytes: number }[] {
  return readdirSync(dir).filter((n) => SEGMENT_PATTERN.test(n)).sort(bySeq).flatMap((name) => {
    const st = lstatSync(join(dir, name), { throwIfNoEntry: false }); // a running writer may delete it meanwhile
    return st ? [{ name, bytes: st.size }] : [];
  });
}

/** Bytes of our segments in `dir`. */
export const segmentBytesIn = (dir: string): number => segmentsIn(dir).reduce((s, x) => s + x.bytes, 0);

/** The text of one segment file, gunzipped when compressed (an unfinished gzip stream too, up to its last flush). */
export function segmentText(path: string): string {
  const bytes = readFileSync(path);
  return path.endsWith('.gz') ? gunzipSync(bytes, { finishFlush: zc.Z_SYNC_FLUSH }).toString('utf8') : bytes.toString('utf8');
}

/** The lines of our segments, in segment order. */
export function linesIn(dir: string): string[] {
  return segmentsIn(dir).flatMap(({ name }) => segmentText(join(dir, name)).split('\n').filter(Boolean));
}

/** A scheduler whose clock reads `clock.ms`, for steering segment names. */
export function fixedClock(clock: { ms: number }): SchedulerLike {
  return { now: () => clock.ms, schedule: asyncScheduler.schedule.bind(asyncScheduler) };
}

/** Resolves once `cond()` holds, polling each 5 ms for up to 10 s. */
export async function waitFor(cond: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}
