import { asBytes, readUint, SPACE, uintEnd } from './proc-bytes.js';

/**
 * Resident pages from `/proc/<pid>/statm` (its second field), or null when malformed. Multiply by the page size:
 * this is what `ps` reports, while stat's rss field lags by the per-cpu counters the kernel has not folded in yet.
 * Takes the text, or a buffer and how many of its bytes were read.
 */
export function parseProcStatm(text: string | Buffer, length?: number): number | null {
  const bytes = asBytes(text);
  const n = length ?? bytes.length;
  const from = bytes.indexOf(SPACE) + 1;
  if (from <= 0 || from >= n) return null;
  const resident = readUint(bytes, from, n);
  return resident >= 0 && uintEnd.at < n && bytes[uintEnd.at] === SPACE && Number.isSafeInteger(resident) ? resident : null;
}
