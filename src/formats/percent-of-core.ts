/**
 * CPU use between two readings in percent of one core (100 = one core fully busy), from cumulative CPU seconds
 * and wall-clock milliseconds. Null when there is no usable interval; never negative.
 */
export function percentOfCore(prevCpuSeconds: number, cpuSeconds: number, wallMs: number): number | null {
  if (!(wallMs > 0)) return null;
  return Math.max(0, ((cpuSeconds - prevCpuSeconds) * 100_000) / wallMs);
}
