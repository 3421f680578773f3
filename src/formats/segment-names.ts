/**
 * Names of spill segments: `procstream-<seq, at least 12 digits>-<ms since epoch>.ndjson[.gz]`. The sequence number
 * orders them and keeps them unique however often they rotate within one millisecond or however the clock steps; the
 * time is only for humans and for choosing the tail to rebuild from. Past 12 digits the sequence simply widens, so
 * names never overflow: order segments with `bySeq`, not by name. Shared by the spillover sink and the replay
 * source, so both agree on which files are ours. `.gz` segments are gzip-compressed; plain ones are from older runs.
 */

/** Matches our segment file names; group 1 is the sequence number, group 2 the ms, group 3 `.gz` when compressed. */
export const SEGMENT_PATTERN = /^procstream-(\d{12,})-(\d+)\.ndjson(\.gz)?$/;

/** The file name of segment `seq` opened at `ms`; compressed segments end in `.ndjson.gz`. */
export function segmentName(seq: number, ms: number, { compressed = false }: { compressed?: boolean } = {}): string {
  return `procstream-${String(seq).padStart(12, '0')}-${Math.max(0, Math.trunc(ms))}.ndjson${compressed ? '.gz' : ''}`;
}

/** The sequence number of one of our segment names, or undefined for any other file name. */
export function segmentSeq(name: string): number | undefined {
  const m = SEGMENT_PATTERN.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** The ms since epoch at which one of our segments was opened, or undefined for any other file name. */
export function segmentOpenedMs(name: string): number | undefined {
  const m = SEGMENT_PATTERN.exec(name);
  return m ? Number(m[2]) : undefined;
}

/** Whether one of our segment names is gzip-compressed. */
export const isCompressedSegment = (name: string): boolean => name.endsWith('.gz');

/** Orders our segment names by sequence number (name order breaks once the sequence widens past 12 digits). */
export const bySeq = (a: string, b: string): number => (segmentSeq(a) ?? 0) - (segmentSeq(b) ?? 0);
