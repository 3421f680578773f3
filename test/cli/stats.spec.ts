import { describe, expect, it } from 'vitest';
import { computeStats } from '../../src/cli/stats.js';

describe('computeStats', () => {
  it('is all null for no values', () => {
    expect(computeStats([])).toEqual({ latest: null, mean: null, min: null, max: null, p95: null });
  });

  it('gives the nearest-rank p95 and keeps latest as the last value, not the largest', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
    expect(computeStats(values)).toEqual({ latest: 1, mean: 50.5, min: 1, max: 100, p95: 95 });
  });

  it('handles a single value', () => {
    expect(computeStats([7])).toEqual({ latest: 7, mean: 7, min: 7, max: 7, p95: 7 });
  });
});
