/**
 * systemg's spillover lines, decoded into our events. Pure: no I/O. A line looks like
 * `{"unit_hash":"a1b2…","sample":{"timestamp":"2026-11-20T09:00:00.060816088Z","cpu_percent":8.5,"rss_bytes":…,
 * "io_read_bytes":…,"io_write_bytes":…,"net_rx_bytes":…,"net_tx_bytes":…}}`, sometimes with `sample_count`,
 * `span_secs` and `*_min`/`*_max` fields of a pre-aggregated bucket. See docs/spillover.md for the mapping.
 */
import { type BucketEvent, EVENT_FORMAT_VERSION, type SampleEvent, type UnitDownEvent } from '../events.js';
import type { LineDecoder } from './decode-event.js';

/** systemg's file names: `metrics-<unix seconds>.jsonl`. */
export const SYSTEMG_FILE_PATTERN = /^metrics-(\d+)\.jsonl$/;

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i;
const KNOWN = new Set(['timestamp', 'cpu_percent', 'rss_bytes', 'io_read_bytes', 'io_write_bytes', 'net_rx_bytes', 'net_tx_bytes']);
const COUNTERS = ['cpu_percent', 'rss_bytes', 'io_read_bytes', 'io_write_bytes', 'net_rx_bytes', 'net_tx_bytes'];

const AGGREGATE = /^(sample_count|span_secs|\w+_(min|max)|(min|max)_\w+)$/;
const camel = (snake: string): string => snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/**
 * A decoder of systemg lines for `readNdjson`. `unit_hash` becomes the unit, renamed through `unitNames` when it is
 * listed there. An all-zero sample (a stopped unit) becomes `unit-down` with reason `stopped`.
 */
export function systemgDecoder(unitNames: Readonly<Record<string, string>> = {}): LineDecoder {
  return (value) => {
    if (typeof value !== 'object' || value === null) return 'not a systemg line';
    const { unit_hash: hash, sample: s } = value as { unit_hash?: unknown; sample?: Record<string, unknown> };
    if (typeof hash !== 'string' || typeof s !== 'object' || s === null) return 'not a systemg line';
    const unit = Object.hasOwn(unitNames, hash) ? (unitNames[hash] as string) : hash;
    const stamp = s.timestamp;
    const ts = typeof stamp === 'string' && RFC3339.test(stamp) ? Date.parse(stamp) : NaN;
    if (!Number.isFinite(ts)) return 'systemg sample without an RFC 3339 timestamp';
    const cpuPercent = num(s.cpu_percent);
    const rssBytes = num(s.rss_bytes);
    if (cpuPercent === null || rssBytes === null) return 'systemg sample without cpu_percent and rss_bytes';
    if (COUNTERS.every((k) => s[k] === undefined || s[k] === 0)) {
      const downEvent: UnitDownEvent = { type: 'unit-down', v: EVENT_FORMAT_VERSION, unit, ts, reason: 'stopped' };
      return downEvent;
    }
    const count = num(s.sample_count);
    if (count !== null && count > 1 && Number.isInteger(count)) return bucketOf(unit, ts, count, cpuPercent, rssBytes, s);
    const event: SampleEvent & Record<string, unknown> = {
      type: 'sample', v: EVENT_FORMAT_VERSION, unit, ts,
      pid: 0, startTimeMs: 0, // systemg records no process identity
      cpuPercent, cpuUserSeconds: 0, cpuSystemSeconds: 0, rssBytes,
      ioReadBytes: num(s.io_read_bytes), ioWriteBytes: num(s.io_write_bytes),
      netRxBytes: num(s.net_rx_bytes), netTxBytes: num(s.net_tx_bytes), netScope: null,
      missing: { cpu: 'systemg records cpu_percent only', threads: 'unsupported' },
    };
    if (event.ioReadBytes === null || event.ioWriteBytes === null) event.missing.io = 'absent in systemg sample';
    for (const [key, v] of Object.entries(s)) {
      if (KNOWN.has(key) || typeof v !== 'number' || !AGGREGATE.test(key)) continue;
      if (key === 'span_secs') event.spanMs = v * 1000;
      else event[camel(key)] = v; // sample_count → sampleCount, cpu_percent_max → cpuPercentMax, …
    }
    return event;
  };
}

/**
 * A systemg v0.66 bucket (`sample_count` > 1) as a `bucket` event: `cpu_percent` is the count-weighted mean of its
 * observations, `rss_bytes` the last reading, `rss_mean` the mean RSS, `cpu_min`/`cpu_max`/`rss_min`/`rss_max` the
 * extrema, and `span_secs` the time from its first observation to its last, which `timestamp` marks. systemg records
 * no downtime inside a bucket, no CPU reading of the last observation, no IO deltas and no quantiles: every observation
 * counts as up, `cpuPercent.last` and the sketch are null (p95 then reads the max: an upper estimate, docs/store.md).
 */
function bucketOf(unit: string, ts: number, count: number, cpuMean: number, rssLast: number,
  s: Record<string, unknown>): BucketEvent {
  const spanMs = Math.max(0, (num(s.span_secs) ?? 0) * 1000);
  const rssMean = num(s.rss_mean) ?? rssLast;
  // v0.66 names first; `cpu_percent_min`-style names appear in older aggregate records
  const field = (name: string, older: string): number | null => num(s[name]) ?? num(s[older]);
  return {
    type: 'bucket', v: EVENT_FORMAT_VERSION, unit, ts, reason: 'retention', widthMs: spanMs,
    firstTs: ts - spanMs, lastTs: ts, samples: count, upSamples: count, up: true,
    cpuPercent: {
      count, sum: cpuMean * count, min: field('cpu_min', 'cpu_percent_min') ?? cpuMean,
      max: field('cpu_max', 'cpu_percent_max') ?? cpuMean, last: null,
      p90: null, p95: null,
    },
    rssBytes: {
      count, sum: rssMean * count, min: field('rss_min', 'rss_bytes_min') ?? rssLast,
      max: field('rss_max', 'rss_bytes_max') ?? rssLast, last: rssLast,
      p90: null, p95: null,
    },
    ioReadBytes: 0, ioReadMs: 0, ioWriteBytes: 0, ioWriteMs: 0,
  };
}
