/**
 * The segments of a tiered log and which of them are live. Raw segments (`segment-names.ts`) hold one sequence number
 * each; a bucket segment, written by compaction, replaces the run of segments `fromSeq…toSeq` and records that run
 * in its name: `procstream-<from>-<to>-<ms>.<width s>s.ndjson.gz` (`ms`: when its first input was opened). Compaction
 * renames a bucket segment into place before it deletes its inputs, so after a crash both may be on disk; a reader
 * then takes the segment whose range covers the other's (the wider one, or the coarser one for the same range), so
 * nothing is read twice and nothing is lost.
 */
import { SEGMENT_PATTERN } from './segment-names.js';

/** Matches bucket segment names; groups: from seq, to seq, ms, bucket width in seconds. */
export const BUCKET_SEGMENT_PATTERN = /^procstream-(\d{12,})-(\d{12,})-(\d+)\.(\d+)s\.ndjson\.gz$/;
/** Matches the temporary name a compaction writes to before its rename: never read, removed on start. */
export const COMPACTION_TEMP_PATTERN = /^\.procstream-compacting-[0-9a-f]+\.tmp$/;

/** One of our segments as its name describes it; `widthMs` is 0 for a raw segment. */
export interface LogSegmentName {
  name: string;
  fromSeq: number;
  toSeq: number;
  openedMs: number;
  widthMs: number;
  compressed: boolean;
}

const pad = (seq: number): string => String(seq).padStart(12, '0');

/** The name of the bucket segment of `widthMs` buckets that replaces segments `fromSeq…toSeq`. */
export function bucketSegmentName(fromSeq: number, toSeq: number, ms: number, widthMs: number): string {
  return `procstream-${pad(fromSeq)}-${pad(toSeq)}-${Math.max(0, Math.trunc(ms))}.${Math.round(widthMs / 1000)}s.ndjson.gz`;
}

/** The temporary name of a compaction's output; `token` is random hex, so names are not guessable in advance. */
export const compactionTempName = (token: string): string => `.procstream-compacting-${token}.tmp`;

/** What one of our segment names (raw or bucket) says, or undefined for any other name. */
export function parseLogSegmentName(name: string): LogSegmentName | undefined {
  const raw = SEGMENT_PATTERN.exec(name);
  if (raw) {
    const seq = Number(raw[1]);
    return { name, fromSeq: seq, toSeq: seq, openedMs: Number(raw[2]), widthMs: 0, compressed: raw[3] !== undefined };
  }
  const b = BUCKET_SEGMENT_PATTERN.exec(name);
  if (!b) return undefined;
  const fromSeq = Number(b[1]);
  const toSeq = Number(b[2]);
  if (toSeq < fromSeq) return undefined;
  return { name, fromSeq, toSeq, openedMs: Number(b[3]), widthMs: Number(b[4]) * 1000, compressed: true };
}

/**
 * Splits segments into the live ones, in log order (by `fromSeq`), and the shadowed ones: those whose range lies
 * within another's that is wider, or as wide and coarser. O(n log n): after sorting by from ascending, then to
 * descending, then width descending, a segment is shadowed exactly when an earlier one reaches at least as far.
 */
export function liveSegments<S extends Pick<LogSegmentName, 'fromSeq' | 'toSeq' | 'widthMs'>>(segments: readonly S[]):
  { live: S[]; shadowed: S[] } {
  const sorted = [...segments].sort((a, b) => a.fromSeq - b.fromSeq || b.toSeq - a.toSeq || b.widthMs - a.widthMs);
  const live: S[] = [];
  const shadowed: S[] = [];
  let reach = Number.NEGATIVE_INFINITY;
  for (const s of sorted) {
    if (s.toSeq <= reach) shadowed.push(s);
    else {
      live.push(s);
      reach = s.toSeq;
    }
  }
  return { live, shadowed };
}
