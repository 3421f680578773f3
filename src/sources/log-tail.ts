import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { concatMap, defer, filter, type Observable } from 'rxjs';
import type { BucketEvent, MetricEvent, SampleEvent, UnitDownEvent } from '../events.js';
import { liveSegments, parseLogSegmentName, type LogSegmentName } from '../formats/log-segments.js';
import { replay } from './replay.js';

/** Options of `logTail`. */
export interface LogTailOptions {
  /** Only rows with `ts` ≥ sinceMs (ms since epoch): now minus the store's retention. */
  sinceMs: number;
  /** Read at most about this many bytes of segments on disk, newest first: what the store's memory budget can hold. */
  maxDiskBytes: number;
}

/** What a restart puts back into its store: rows, and the buckets of a compacted log (a tiered store keeps them). */
export type LogTailEvent = SampleEvent | UnitDownEvent | BucketEvent;

/**
 * The samples, unit-down markers and buckets of the newest end of a spill directory's log, oldest first: what a
 * restarted `watchUnits` puts back into its store before the first tick. Only the newest segments are read, back to
 * the first one opened before `sinceMs` or until `maxDiskBytes`; torn lines are skipped as `replay` skips them.
 */
export function logTail(dir: string, { sinceMs, maxDiskBytes }: LogTailOptions): Observable<LogTailEvent> {
  return defer(async () => {
    const ours = liveSegments((await readdir(dir)).map(parseLogSegmentName).filter((s): s is LogSegmentName => s !== undefined))
      .live.map((s) => ({ seq: s.fromSeq, openedMs: s.openedMs, name: s.name }));
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
    filter((e: MetricEvent): e is LogTailEvent => e.type === 'sample' || e.type === 'unit-down' || e.type === 'bucket'),
  );
}
