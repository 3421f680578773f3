import { describe, expect, it } from 'vitest';
import type { MetricEvent } from '../../src/events.js';
import { createWindowStore, type WindowStoreOptions } from '../../src/store/create-window-store.js';
import { gridColumns, seriesColumns } from '../../src/store/series-columns.js';
import { down, sample } from '../../src/testing/index.js';

/** A store on event time holding `events` (raw rows unless `options` says otherwise). */
function storeOf(events: MetricEvent[], options: WindowStoreOptions = { tiers: false }) {
  const store = createWindowStore({ clock: 'events', retentionMs: 1e12, ...options });
  for (const e of events) store.ingest(e, () => {});
  return store;
}
const cpuOf = (cells: ReturnType<typeof seriesColumns>) => cells.map((c) => c?.cpuPercent?.mean ?? null);

describe('seriesColumns', () => {
  it('averages the samples in each column, and keeps their min and max as its band', () => {
    const store = storeOf([10, 30, 50, 70].map((cpuPercent, i) => sample('a', [0, 3, 7, 10][i]!, { cpuPercent })));
    const { points } = store.series('a', { fromTs: 0, toTs: 10, maxPoints: 10, widen: false });
    const cells = seriesColumns(points, { fromTs: 0, toTs: 11, columns: 2 });
    expect(cpuOf(cells)).toEqual([20, 60]);
    expect(cells[1]?.cpuPercent).toEqual({ min: 50, mean: 60, max: 70 });
  });

  it('makes a gap after a down marker and when samples stop, never a zero', () => {
    const store = storeOf([sample('a', 0, { cpuPercent: 10 }), sample('a', 10, { cpuPercent: 10 }), down('a', 20), sample('a', 50, { cpuPercent: 10 })]);
    const { points } = store.series('a', { fromTs: 0, toTs: 59, maxPoints: 6, widen: false });
    expect(cpuOf(seriesColumns(points, { fromTs: 0, toTs: 60, columns: 6, carryMs: 20 }))).toEqual([10, 10, null, null, null, 10]);
    const stopped = storeOf([sample('a', 0, { cpuPercent: 5 }), sample('a', 10, { cpuPercent: 5 })]);
    const few = stopped.series('a', { fromTs: 0, toTs: 99, maxPoints: 10, widen: false }).points;
    // carried while the last point ended less than 20 ago: columns 20 and 30, not 40
    expect(cpuOf(seriesColumns(few, { fromTs: 0, toTs: 100, columns: 10, carryMs: 20 }))).toEqual([5, 5, 5, 5, null, null, null, null, null, null]);
    expect(cpuOf(seriesColumns(few, { fromTs: 0, toTs: 100, columns: 10 }))).toEqual([5, 5, null, null, null, null, null, null, null, null]);
  });

  it('carries a value across columns narrower than the sampling interval', () => {
    const store = storeOf([sample('a', 0, { cpuPercent: 7 }), sample('a', 10, { cpuPercent: 9 }), sample('a', 20, { cpuPercent: 9 })]);
    const { points } = store.series('a', { fromTs: 0, toTs: 20, maxPoints: 20, widen: false });
    expect(cpuOf(seriesColumns(points, { fromTs: 0, toTs: 21, columns: 7, carryMs: 20 }))).toEqual([7, 7, 7, 9, 9, 9, 9]);
  });

  it('fills every column a wider bucket spans with its band', () => {
    // 0..59 s fold into one 1-minute bucket when the row at 60 s arrives
    const events = Array.from({ length: 61 }, (_, i) => sample('a', 1_800_000_000_000 + i * 1_000, { cpuPercent: i === 30 ? 90 : 10 }));
    const store = storeOf(events, {});
    const grid = gridColumns(store, 'a', { fromTs: events[0]!.ts, toTs: events[60]!.ts, maxPoints: 6 });
    expect(grid.columnMs).toBe(10_000); // 60 s in 6 columns, on multiples of 10 s: 7 columns, as the range starts mid-slot
    const bucketColumns = grid.columns.filter((c) => c?.resolutionMs === 60_000);
    expect(bucketColumns.length).toBeGreaterThanOrEqual(5);
    for (const c of bucketColumns) expect(c?.cpuPercent).toEqual({ min: 10, max: 90, mean: expect.closeTo((59 * 10 + 90) / 60, 3) });
    expect(grid.columns.at(-1)).toMatchObject({ resolutionMs: 0, cpuPercent: { min: 10, mean: 10, max: 10 } });
  });
});
