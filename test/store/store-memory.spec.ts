import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The real cost of a full store, measured in a child process with --expose-gc (full GCs before and after), so that
// the claim "bytesUsed is exact" is checked against what V8 reports, not against our own arithmetic.
describe('window store memory', () => {
  it.each([
    [100, 16 * 1024 * 1024],
    [1_000, 10 * 1024 * 1024],
  ])('with %i units filled to a %i-byte budget, heap + ArrayBuffer growth is within 10 %% of it', (units, budget) => {
    expect(existsSync('dist/index.js'), 'npm test builds dist/ first').toBe(true);
    type Figures = { bytesUsed: number; measuredGrowthBytes: number; bytesPerRetainedRow: number; budgetEvictions: number };
    const measure = (): Figures => JSON.parse(execFileSync(process.execPath,
      ['--expose-gc', 'bench/store-memory.mjs', String(units), String(budget)], { encoding: 'utf8' })) as Figures;
    // The smaller of two measurements: a loaded machine adds noise (GC timing) on top of what the store holds, never less.
    const figures = [measure(), measure()].sort((a, b) => a.measuredGrowthBytes - b.measuredGrowthBytes)[0]!;
    expect(figures.budgetEvictions).toBeGreaterThan(0); // it really was full
    expect(figures.bytesUsed).toBeLessThanOrEqual(budget);
    expect(figures.bytesUsed).toBeGreaterThan(budget * 0.99);
    expect(Math.abs(figures.measuredGrowthBytes - budget) / budget).toBeLessThanOrEqual(0.1);
    expect(figures.bytesPerRetainedRow).toBeLessThanOrEqual(40);
  });
});
