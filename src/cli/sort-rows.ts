/** The orders of the `watch` table: `--sort KEY`, and `s` on a terminal cycles through them. */
import type { UnitRow } from './render-table.js';

/** Sort keys, in the order `s` cycles through them; `cpu` (busiest first, as `top`) is the default. */
export const SORT_KEYS = ['cpu', 'rss', 'restarts', 'uptime', 'name'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** Largest first for the measures, A–Z for names; a down unit's missing value sorts last; ties go by name. */
const ORDER: Record<SortKey, (r: UnitRow) => number> = {
  cpu: (r) => r.cpuPercent ?? -1,
  rss: (r) => r.rssBytes ?? -1,
  restarts: (r) => r.restarts,
  uptime: (r) => r.uptimeMs ?? -1,
  name: () => 0,
};

/** A sorted copy of `rows`. */
export function sortRows(rows: readonly UnitRow[], key: SortKey): UnitRow[] {
  const value = ORDER[key];
  return [...rows].sort((a, b) => value(b) - value(a) || a.unit.localeCompare(b.unit));
}

/** The key after `key`, wrapping around. */
export function nextSortKey(key: SortKey): SortKey {
  return SORT_KEYS[(SORT_KEYS.indexOf(key) + 1) % SORT_KEYS.length] as SortKey;
}
