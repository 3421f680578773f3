import type { Stats } from '../events.js';

/**
 * latest, mean, min, max and p95 (nearest rank) of `values` in arrival order; all null when there are none.
 * Small on purpose: the store's summary computes the same, and the two will be merged.
 */
export function computeStats(values: readonly number[]): Stats {
  if (values.length === 0) return { latest: null, mean: null, min: null, max: null, p95: null };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(0.95 * sorted.length));
  return {
    latest: values[values.length - 1] ?? null,
    mean: values.reduce((sum, v) => sum + v, 0) / values.length,
    min: sorted[0] ?? null,
    max: sorted[sorted.length - 1] ?? null,
    p95: sorted[rank - 1] ?? null,
  };
}
