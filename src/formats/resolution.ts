/**
 * The resolution events carry their numbers at: the resolution the store keeps them at (cpuPercent as f32 read back to
 * 0.001 %, CPU seconds as integer microseconds). Rounding where samples are built keeps lines short (12.5, not
 * 12.499999999999998) and lets the byte reader take every number on its fast path (issue 17).
 */

/** A CPU percentage rounded to 0.001 %. */
export const roundPercent = (pct: number): number => Math.round(pct * 1000) / 1000;

/** A CPU percentage rounded to 0.001 %, or null. */
export const roundPercentOrNull = (pct: number | null): number | null => (pct === null ? null : roundPercent(pct));

/** Seconds rounded to the microsecond. */
export const roundMicros = (seconds: number): number => Math.round(seconds * 1e6) / 1e6;
