import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QuantileWindow, WINDOW_SLOTS, WINDOW_VALUES } from '../../src/store/quantile-window.js';
import { RAW_WEIGHT, WeightedPoints } from '../../src/store/sketch.js';

/** Sketch points as buckets give them (18·n, n: sketch.ts) and raw values (RAW_WEIGHT), on a grid with many repeats. */
const point = fc.record({
  value: fc.oneof(fc.integer({ min: 0, max: 12 }).map((x) => x / 2), fc.integer({ min: 0, max: 400 }).map((x) => x / 4)),
  weight: fc.oneof(fc.integer({ min: 1, max: 900 }).map((n) => 18 * n), fc.integer({ min: 1, max: 900 }),
    fc.constant(RAW_WEIGHT)),
});
const key = (v: number, scale: number): number => Math.round(v * scale);

/** What a window over `points` must hold, computed the plain way: sums in the order the points were added. */
function check(saved: number[], points: { value: number; weight: number }[], scale: number): void {
  const flags = saved[3]!;
  const count = flags & 7, lowOpen = (flags & 8) !== 0, highOpen = (flags & 16) !== 0;
  const keys = saved.slice(4, 4 + count);
  const weights = saved.slice(5 + WINDOW_VALUES, 5 + WINDOW_VALUES + count);
  const sumWhere = (keep: (k: number) => boolean): number =>
    points.reduce((sum, p) => (keep(key(p.value, scale)) ? sum + p.weight : sum), 0);
  const distinct = [...new Set(points.map((p) => key(p.value, scale)))].sort((a, b) => a - b);
  expect(saved[1]).toBe(sumWhere(() => true)); // the total, the same f64
  expect(count).toBeLessThanOrEqual(WINDOW_VALUES);
  expect(count).toBe(Math.min(distinct.length, WINDOW_VALUES));
  const at = distinct.indexOf(keys[0]!);
  expect(keys).toEqual(distinct.slice(at, at + count)); // consecutive distinct values: nothing hides between them
  expect(lowOpen).toBe(at > 0);
  expect(highOpen).toBe(at + count < distinct.length);
  if (lowOpen) expect(saved[2]).toBe(sumWhere((k) => k < keys[0]!));
  keys.forEach((k, j) => expect(weights[j]).toBe(sumWhere((x) => x <= k)));
}

describe('QuantileWindow: weights near the p95, kept between summaries', () => {
  it('holds, after any sequence of adds and recentrings, the weights a fresh sum in push order gives', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(point, fc.boolean()), { maxLength: 200 }), fc.integer({ min: 0, max: 100_000 }),
        fc.constantFrom(1, 1000), (steps, firstKey, scale) => {
          const w = new QuantileWindow();
          const saved = new Array<number>(WINDOW_SLOTS).fill(Number.NaN); // a unit's running totals
          w.bind(saved, 0);
          w.reset(firstKey, scale);
          const added: { value: number; weight: number }[] = [];
          for (const [p, recentre] of steps) {
            w.add(p.value, p.weight);
            added.push(p);
            if (recentre) w.rekey(key(p.value, scale), scale); // a summary whose p95 moved: the next centres there
          }
          if (added.length > 0) check(saved, added, scale);
        }),
      { numRuns: 500 },
    );
  });

  it('finds the weighted nearest rank a full selection finds, whenever it is inside the window', () => {
    let decided = 0, runs = 0;
    fc.assert(
      fc.property(fc.array(point, { minLength: 1, maxLength: 150 }), fc.array(point.map((p) => p.value), { maxLength: 60 }),
        fc.double({ min: 0, max: 100, noNaN: true }), fc.constantFrom(0.5, 0.9, 0.95), (points, raw, near, fraction) => {
          const scale = 1000;
          const w = new QuantileWindow();
          w.bind(new Array<number>(WINDOW_SLOTS).fill(0), 0);
          w.reset(key(near, scale), scale);
          const all = new WeightedPoints();
          for (const p of points) { w.add(p.value, p.weight); all.add(p.value, p.weight); }
          for (const v of raw) all.add(v, RAW_WEIGHT);
          const exact = key(all.quantile(fraction), scale);
          const found = w.resolve(fraction, Float64Array.from(raw), raw.length, new Float64Array(raw.length));
          runs++;
          if (Number.isNaN(found)) return; // outside the window: the summary selects from every point instead
          decided++;
          expect(found).toBe(exact);
        }),
      { numRuns: 1000 },
    );
    expect(decided).toBeGreaterThan(runs / 3); // the test really exercises the window
  });

  it('decides from the window a p95 that moves to a nearby value, without the points', () => {
    // Buckets whose p95 and max knots sit at 95 and 99; raw values push the p95 between them.
    const w = new QuantileWindow();
    w.bind(new Array<number>(WINDOW_SLOTS).fill(0), 0);
    w.reset(95_000, 1000);
    for (let b = 0; b < 48; b++) { w.add(90, 18 * 900); w.add(95, 900); w.add(99, 900); }
    const raw = Float64Array.from({ length: 60 }, (_, i) => (i < 50 ? 97 : 98));
    const all = new WeightedPoints();
    for (let b = 0; b < 48; b++) { all.add(90, 18 * 900); all.add(95, 900); all.add(99, 900); }
    for (const v of raw) all.add(v, RAW_WEIGHT);
    expect(w.resolve(0.95, raw, raw.length, new Float64Array(60))).toBe(all.quantile(0.95) * 1000);
    expect(all.quantile(0.95)).not.toBe(95); // it moved
  });
});
