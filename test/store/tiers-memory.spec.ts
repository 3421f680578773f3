import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// 1,000 units × 12 h at 1 Hz (43.2 M synthetic samples) into the default 10 MiB budget, measured in a child process with
// --expose-gc, as store-memory.spec.ts measures the raw store: every unit must stay summarizable over its full 12 h.
describe('tiered store memory', () => {
  it('holds 1,000 units × 12 h at 1 Hz within 10 MiB, every unit summarizable over all 12 h', () => {
    expect(existsSync('dist/index.js'), 'npm test builds dist/ first').toBe(true);
    const budget = 10 * 1024 * 1024;
    const f = JSON.parse(execFileSync(process.execPath,
      ['--expose-gc', 'bench/store-tiers-memory.mjs', '1000', '12', String(budget)], { encoding: 'utf8' })) as {
      bytesUsed: number; measuredGrowthBytes: number; unitsKept: number; minSamplesPerUnit: number;
      maxFirstTsAgeMs: number; spanMs: number; left: Record<string, number>; retainedBytes: number;
    };
    expect(f.bytesUsed).toBeLessThanOrEqual(budget);
    expect(f.unitsKept).toBe(1_000);
    expect(f.minSamplesPerUnit).toBe(12 * 3_600); // no observation of any unit left memory
    expect(f.maxFirstTsAgeMs).toBe(f.spanMs); // and every summary starts at the first sample, 12 h back
    expect(f.left).toEqual({ evicted: 0, bucket: 0, bucketBudget: 0 });
    // The target is heap + ArrayBuffer growth within 10 % of the budget: measured 1.066–1.102 over 15 runs on a loaded
    // machine (BENCHMARKS.md), the pool plus ~0.7 KB a unit of bookkeeping and V8's own run-to-run spread of ~±1.5 %.
    // The bound is that spread above the target, so it guards against growth without failing on noise. After one
    // summary of every unit each also holds its running totals (~0.3 KB, tier-totals.ts); what dropping the store then
    // frees measured 1.069–1.113 × the budget (a noisy figure): the second bound is a guard too.
    expect(f.measuredGrowthBytes / budget).toBeLessThanOrEqual(1.12);
    expect(f.retainedBytes / budget).toBeLessThanOrEqual(1.15);
    expect(f.retainedBytes).toBeGreaterThan(f.bytesUsed); // the measurement sees the store at all
  }, 600_000);
});
