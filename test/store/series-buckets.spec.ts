import { describe, expect, it } from 'vitest';
import { seriesBuckets } from '../../src/store/series-buckets.js';
import { down, sample } from '../../src/testing/index.js';

const s = (ts: number, cpuPercent: number | null, rssBytes: number, pid = 100) => sample('u', ts, { cpuPercent, rssBytes, pid });

describe('seriesBuckets', () => {
  it('gives the min, mean and max of CPU and RSS per bucket, from bucket starts', () => {
    const out = seriesBuckets([s(0, 10, 100), s(400, 30, 300), s(1_000, 5, 50), s(1_999, 7, 70)], { fromMs: 0, toMs: 2_000, points: 2 });
    expect(out.ts).toEqual([0, 1_000]);
    expect(out.bucketMs).toBe(1_000);
    expect(out.cpuMin).toEqual([10, 5]);
    expect(out.cpuMean).toEqual([20, 6]);
    expect(out.cpuMax).toEqual([30, 7]);
    expect([out.rssMin, out.rssMean, out.rssMax]).toEqual([[100, 50], [200, 60], [300, 70]]);
    expect(out.samples).toEqual([2, 2]);
  });

  it('leaves a bucket without up samples null (a gap, never a zero), also where only a down marker fell', () => {
    const out = seriesBuckets([s(100, 1, 10), down('u', 1_100), s(2_100, 3, 30, 200)], { fromMs: 0, toMs: 3_000, points: 3 });
    expect(out.cpuMean).toEqual([1, null, 3]);
    expect(out.rssMax).toEqual([10, null, 30]);
    expect(out.downMs).toEqual([1_100]);
  });

  it('does not count a sample without a CPU baseline as 0 %, but still counts its RSS', () => {
    const out = seriesBuckets([s(0, null, 10), s(10, 4, 30)], { fromMs: 0, toMs: 100, points: 1 });
    expect([out.cpuMin, out.cpuMean]).toEqual([[4], [4]]);
    expect(out.rssMean).toEqual([20]);
  });

  it('marks a restart where the process identity changes, with the row before the range as the baseline', () => {
    const rows = [s(-500, 1, 1, 100), s(100, 1, 1, 200), s(200, 1, 1, 200), down('u', 300), s(400, 1, 1, 300)];
    const out = seriesBuckets(rows, { fromMs: 0, toMs: 1_000, points: 10 });
    expect(out.restartsMs).toEqual([100, 400]);
    expect(out.downMs).toEqual([300]);
    expect(out.samples.reduce((a, b) => a + b)).toBe(3); // the row before the range is not drawn
  });

  it('puts a row exactly at the end into the last bucket and skips rows after it', () => {
    const out = seriesBuckets([s(1_000, 2, 2), s(1_001, 9, 9)], { fromMs: 0, toMs: 1_000, points: 4 });
    expect(out.cpuMax).toEqual([null, null, null, 2]);
  });

  it('makes at least one bucket, and all null for no rows', () => {
    const out = seriesBuckets([], { fromMs: 0, toMs: 10, points: 0 });
    expect(out.ts).toEqual([0]);
    expect([out.cpuMean, out.rssMean, out.restartsMs]).toEqual([[null], [null], []]);
  });
});
