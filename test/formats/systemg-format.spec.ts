import { describe, expect, it } from 'vitest';
import { systemgDecoder, SYSTEMG_FILE_PATTERN } from '../../src/formats/systemg-format.js';

const zero = { cpu_percent: 0.0, rss_bytes: 0, io_read_bytes: 0, io_write_bytes: 0, net_rx_bytes: 0, net_tx_bytes: 0 };
const line = (sample: Record<string, unknown>, unit_hash = 'abc') =>
  ({ unit_hash, sample: { timestamp: '2026-11-20T09:00:01.234083063Z', ...zero, ...sample } });
const decode = systemgDecoder({ abc: 'web' });

describe('systemgDecoder', () => {
  it('maps an all-zero sample to unit-down "stopped"', () => {
    expect(decode(line({}))).toEqual({ type: 'unit-down', v: 1, unit: 'web', ts: Date.UTC(2026, 10, 20, 9, 0, 1, 234), reason: 'stopped' });
  });

  it('keeps a sample with 0 % CPU but resident memory as a sample', () => {
    expect(decode(line({ rss_bytes: 5 }))).toMatchObject({ type: 'sample', unit: 'web', cpuPercent: 0, rssBytes: 5 });
  });

  it('keeps an unmapped hash as the unit name', () => {
    expect(decode(line({ rss_bytes: 5 }, 'ffee'))).toMatchObject({ unit: 'ffee' });
  });

  it('keeps only aggregate extras of a single observation, never letting a field overwrite ours', () => {
    const e = decode(line({ rss_bytes: 5, sample_count: 1, span_secs: 1.5, max_rss_bytes: 9, unit: 7, pid: 99 }));
    expect(e).toMatchObject({ unit: 'web', pid: 0, sampleCount: 1, spanMs: 1500, maxRssBytes: 9 });
  });

  it('reads a v0.66 bucket (sample_count > 1) as a bucket event: cpu_percent the weighted mean, rss_bytes the last', () => {
    const e = decode(line({ cpu_percent: 12.5, rss_bytes: 4096, sample_count: 900, span_secs: 899, cpu_min: 1, cpu_max: 97.25,
      rss_min: 1024, rss_max: 8192, rss_mean: 3000 }));
    const ts = Date.UTC(2026, 10, 20, 9, 0, 1, 234);
    expect(e).toEqual({
      type: 'bucket', v: 1, unit: 'web', ts, reason: 'retention', widthMs: 899_000, firstTs: ts - 899_000, lastTs: ts,
      samples: 900, upSamples: 900, up: true,
      cpuPercent: { count: 900, sum: 12.5 * 900, min: 1, max: 97.25, last: null, p90: null, p95: null },
      rssBytes: { count: 900, sum: 3000 * 900, min: 1024, max: 8192, last: 4096, p90: null, p95: null },
      ioReadBytes: 0, ioReadMs: 0, ioWriteBytes: 0, ioWriteMs: 0,
    });
  });

  it('reads a bucket without extrema or rss_mean from its mean and last reading', () => {
    expect(decode(line({ cpu_percent: 3, rss_bytes: 2048, sample_count: 2 }))).toMatchObject({
      type: 'bucket', widthMs: 0, samples: 2,
      cpuPercent: { count: 2, sum: 6, min: 3, max: 3 }, rssBytes: { count: 2, sum: 4096, min: 2048, max: 2048, last: 2048 },
    });
  });

  it('rejects lines without a valid RFC 3339 timestamp or counters, with a reason', () => {
    expect(decode(line({ timestamp: 'yesterday', rss_bytes: 5 }))).toMatch(/RFC 3339/);
    expect(decode({ unit_hash: 'abc', sample: { timestamp: '2026-11-20T09:00:00Z' } })).toMatch(/cpu_percent/);
    expect(decode({ sample: {} })).toBe('not a systemg line');
    expect(decode(null)).toBe('not a systemg line');
  });

  it('recognises systemg file names only', () => {
    expect(SYSTEMG_FILE_PATTERN.exec('metrics-1795165200.jsonl')?.[1]).toBe('1795165200');
    expect(SYSTEMG_FILE_PATTERN.test('metrics-1795165200.jsonl.tmp')).toBe(false);
  });
});
