import { type BucketEvent, type BucketReason, type BucketStats, EVENT_FORMAT_VERSION } from '../events.js';
import {
  COUNT, CPU_COUNT, CPU_LAST, CPU_MAX, CPU_MIN, CPU_Q90, CPU_Q95, CPU_SUM, emptyBucket, FIRST_TS, LAST_TS, LAST_UP,
  READ_BYTES, READ_MS, RSS_LAST, RSS_MAX, RSS_MIN, RSS_Q90, RSS_Q95, RSS_SUM, UP, WRITE_BYTES, WRITE_MS,
} from './bucket.js';

const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x);
const orNaN = (x: number | null): number => (x === null ? Number.NaN : x);

/** The `bucket` event for bucket value `v` of `unit`, leaving the store at `ts` for `reason`. */
export function toBucketEvent(unit: string, ts: number, reason: BucketReason, widthMs: number, v: Float64Array): BucketEvent {
  const stats = (count: number, sum: number, min: number, max: number, last: number, p90: number, p95: number): BucketStats =>
    ({ count, sum, min: orNull(min), max: orNull(max), last: orNull(last), p90: orNull(p90), p95: orNull(p95) });
  return {
    type: 'bucket', v: EVENT_FORMAT_VERSION, unit, ts, reason, widthMs, firstTs: v[FIRST_TS]!, lastTs: v[LAST_TS]!,
    samples: v[COUNT]!, upSamples: v[UP]!, up: v[LAST_UP] === 1,
    cpuPercent: stats(v[CPU_COUNT]!, v[CPU_SUM]!, v[CPU_MIN]!, v[CPU_MAX]!, v[CPU_LAST]!, v[CPU_Q90]!, v[CPU_Q95]!),
    rssBytes: stats(v[UP]!, v[RSS_SUM]!, v[RSS_MIN]!, v[RSS_MAX]!, v[RSS_LAST]!, v[RSS_Q90]!, v[RSS_Q95]!),
    ioReadBytes: v[READ_BYTES]!, ioReadMs: v[READ_MS]!, ioWriteBytes: v[WRITE_BYTES]!, ioWriteMs: v[WRITE_MS]!,
  };
}

/** The bucket value a `bucket` event describes, into `into`. A sketch it lacks (p90/p95 null) becomes its max, which
 * keeps p95 estimates upper bounds (docs/store.md). */
export function bucketFromEvent(e: BucketEvent, into: Float64Array): Float64Array {
  emptyBucket(into);
  into[FIRST_TS] = e.firstTs; into[LAST_TS] = e.lastTs;
  into[COUNT] = e.samples; into[UP] = e.upSamples; into[LAST_UP] = e.up ? 1 : 0;
  const c = e.cpuPercent;
  into[CPU_COUNT] = c.count; into[CPU_SUM] = c.sum; into[CPU_MIN] = orNaN(c.min); into[CPU_MAX] = orNaN(c.max);
  into[CPU_LAST] = orNaN(c.last); into[CPU_Q90] = orNaN(c.p90 ?? c.max); into[CPU_Q95] = orNaN(c.p95 ?? c.max);
  const r = e.rssBytes;
  into[RSS_SUM] = r.sum; into[RSS_MIN] = orNaN(r.min); into[RSS_MAX] = orNaN(r.max); into[RSS_LAST] = orNaN(r.last);
  into[RSS_Q90] = orNaN(r.p90 ?? r.max); into[RSS_Q95] = orNaN(r.p95 ?? r.max);
  into[READ_BYTES] = e.ioReadBytes; into[READ_MS] = e.ioReadMs; into[WRITE_BYTES] = e.ioWriteBytes;
  into[WRITE_MS] = e.ioWriteMs;
  return into;
}
