import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { concatMap, defer, filter, type Observable } from 'rxjs';
import type { MetricEvent, SampleEvent, UnitDownEvent } from '../events.js';
import { SEGMENT_PATTERN } from '../formats/segment-names.js';
import { replay } from './replay.js';

/** Options of `logTail`. */
export interface LogTailOptions {
  /** Only rows with `ts` ≥ sinceMs (ms since epoch): now minus the store's retention. */
  sinceMs: number;
  /** Read at most about this many bytes of segments on disk, newest first: what the store's memory budget can hold. */
  maxDiskBytes: number;
}

/**
 * The samples and unit-down markers of the newest end of a spill directory's log, oldest first: what a restarted
 * `watchUnits` puts back into its store before the first tick. Only the newest segments are read, back to the first
 * one opened before `sinceMs` or until `maxDiskBytes`; torn lines are skipped as `replay` skips them.
 */
export function logTail(dir: string, { sinceMs, maxDiskBytes }: LogTailOptions): Observable<SampleEvent | UnitDownEvent> {
  return defer(async () => {
    const ours: { seq: number; openedMs: number; name: string }[] = [];
    for (const name of await readdir(dir)) {
      const m = SEGMENT_PATTERN.exec(name);
      if (m) ours.push({ seq: Number(m[1]), openedMs: Number(m[2]), name });
    }
    ours.sort((a, b) => b.seq - a.seq);
    let fromSeq = Infinity;
    let bytes = 0;
    for (const seg of ours) {
      const st = await lstat(join(dir, seg.name)).catch(() => undefined);
      if (!st?.isFile()) continue;
      if (bytes > 0 && bytes + st.size > maxDiskBytes) break;
      bytes += st.size;
      fromSeq = seg.seq;
      if (seg.openedMs < sinceMs) break; // opened before the cutoff: older segments hold only older rows
    }
    return fromSeq;
  }).pipe(
    concatMap((fromSeq) => (fromSeq === Infinity ? [] : replay(dir, { fromSeq, sinceMs }))),
    filter((e: MetricEvent): e is SampleEvent | UnitDownEvent => e.type === 'sample' || e.type === 'unit-down'),
  );
}
