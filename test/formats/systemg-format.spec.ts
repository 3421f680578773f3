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

  it('keeps only aggregate extras, never letting a field overwrite ours', () => {
    const e = decode(line({ rss_bytes: 5, sample_count: 3, span_secs: 1.5, max_rss_bytes: 9, unit: 7, pid: 99 }));
    expect(e).toMatchObject({ unit: 'web', pid: 0, sampleCount: 3, spanMs: 1500, maxRssBytes: 9 });
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
