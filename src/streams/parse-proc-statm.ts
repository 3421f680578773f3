/**
 * Resident pages from `/proc/<pid>/statm` (its second field), or null when malformed. Multiply by the page size:
 * this is what `ps` reports, while stat's rss field lags by the per-cpu counters the kernel has not folded in yet.
 */
export function parseProcStatm(text: string): number | null {
  const from = text.indexOf(' ') + 1;
  const to = text.indexOf(' ', from);
  const resident = from > 0 && to > from ? Number(text.slice(from, to)) : NaN;
  return Number.isSafeInteger(resident) && resident >= 0 ? resident : null;
}
