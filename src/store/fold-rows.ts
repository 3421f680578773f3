import * as B from './bucket.js';
import type { ChunkPool } from './chunk-pool.js';
import { nearestRank } from './nearest-rank.js';
import * as S from './summarize-window.js';
import { roundCpu, type UnitWindow } from './unit-window.js';

/**
 * The bucket of every row in `window`: the same scan a summary makes (so sums run in row order and IO deltas start
 * from `cursor`, the last row folded before), plus the exact nearest-rank p90 and p95 of the rows. Moves `cursor` to
 * the window's last up row. The bucket goes into `into`.
 */
export function foldRows(window: UnitWindow, pool: ChunkPool, scratch: S.SummaryScratch, cursor: S.IoCursor,
  into: Float64Array): Float64Array {
  S.scan(window, pool, 0, scratch, cursor, true); // values as kept: ranks are selected before rounding (monotonic)
  S.saveCursor(scratch, cursor);
  const { acc } = scratch;
  const cpuCount = acc[S.CPU_COUNT]!;
  const up = acc[S.UP_SAMPLES]!;
  const ifAny = (n: number, x: number): number => (n > 0 ? x : Number.NaN);
  B.emptyBucket(into);
  into[B.FIRST_TS] = acc[S.FIRST_TS]!; into[B.LAST_TS] = acc[S.LAST_TS]!;
  into[B.COUNT] = window.length; into[B.UP] = up; into[B.LAST_UP] = acc[S.LAST_UP]!;
  into[B.CPU_COUNT] = cpuCount; into[B.CPU_SUM] = acc[S.CPU_SUM]!;
  into[B.CPU_MIN] = ifAny(cpuCount, acc[S.CPU_MIN]!); into[B.CPU_MAX] = ifAny(cpuCount, acc[S.CPU_MAX]!);
  into[B.CPU_LAST] = ifAny(up, acc[S.CPU_LATEST]!);
  into[B.RSS_SUM] = acc[S.RSS_SUM]!;
  into[B.RSS_MIN] = ifAny(up, acc[S.RSS_MIN]!); into[B.RSS_MAX] = ifAny(up, acc[S.RSS_MAX]!);
  into[B.RSS_LAST] = ifAny(up, acc[S.RSS_LATEST]!);
  into[B.READ_BYTES] = acc[S.READ_BYTES]!; into[B.READ_MS] = acc[S.READ_MS]!;
  into[B.WRITE_BYTES] = acc[S.WRITE_BYTES]!; into[B.WRITE_MS] = acc[S.WRITE_MS]!;
  // p95 before p90: each selection only reorders the values, which the next one does not mind.
  if (cpuCount > 0) {
    into[B.CPU_Q95] = roundCpu(nearestRank(scratch.cpu, 0.95, cpuCount));
    into[B.CPU_Q90] = roundCpu(nearestRank(scratch.cpu, 0.9, cpuCount));
  }
  if (up > 0) {
    into[B.RSS_Q95] = nearestRank(scratch.rss, 0.95, up) * 1024;
    into[B.RSS_Q90] = nearestRank(scratch.rss, 0.9, up) * 1024;
  }
  return into;
}
