/**
 * Names of spill segments: `procstream-<seq, 12 digits>-<ms since epoch>.ndjson`. The sequence number orders them
 * and keeps them unique however often they rotate within one millisecond or however the clock steps; the time is
 * only for humans. Shared by the spillover sink and the replay source, so both agree on which files are ours.
 */

/** Matches our segment file names; group 1 is the sequence number. */
export const SEGMENT_PATTERN = /^procstream-(\d{12})-(\d+)\.ndjson$/;

/** The file name of segment `seq` opened at `ms`. */
export function segmentName(seq: number, ms: number): string {
  return `procstream-${String(seq).padStart(12, '0')}-${Math.max(0, Math.trunc(ms))}.ndjson`;
}

/** The sequence number of one of our segment names, or undefined for any other file name. */
export function segmentSeq(name: string): number | undefined {
  const m = SEGMENT_PATTERN.exec(name);
  return m ? Number(m[1]) : undefined;
}
