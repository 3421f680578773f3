/**
 * Resident pages from `/proc/<pid>/statm` (its second field), or null when malformed. Multiply by the page size:
 * this is what `ps` reports, while stat's rss field lags by the per-cpu counters the kernel has not folded in yet.
 */
export function parseProcStatm(text: string): number | null {
  const resident = Number(text.trim().split(' ')[1]);
  return Number.isSafeInteger(resident) && resident >= 0 ? resident : null;
}
