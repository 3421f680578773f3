import { from, lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { cpuHistory, unitRows } from '../../src/cli/unit-rows.js';
import { createWindowStore } from '../../src/store/create-window-store.js';
import { ingestInto } from '../../src/streams/ingest-into.js';
import type { MetricEvent } from '../../src/events.js';
import { down, sample } from '../../src/testing/index.js';

/** A store on event time holding `events`, with the default tiers. */
async function storeOf(events: MetricEvent[]) {
  const store = createWindowStore({ clock: 'events' });
  await lastValueFrom(from(events).pipe(ingestInto(store)), { defaultValue: undefined });
  return store;
}

describe('cpuHistory', () => {
  it('keeps CPU in order, with null for down markers and unmeasured CPU', async () => {
    const store = await storeOf([sample('a', 0, { cpuPercent: null }), sample('a', 1000, { cpuPercent: 5 }), down('a', 2000), sample('a', 3000, { cpuPercent: 7 })]);
    expect(cpuHistory(store, 'a', 3000, 1000)).toEqual([null, 5, null, 7]);
  });

  it('leaves one null per whole interval without any row, so sampling gaps show', async () => {
    const store = await storeOf([sample('a', 0, { cpuPercent: 1 }), sample('a', 4000, { cpuPercent: 2 })]);
    expect(cpuHistory(store, 'a', 4000, 1000)).toEqual([1, null, null, null, 2]);
    expect(cpuHistory(store, 'a', 60_000, 1000)).toEqual([1, null, null, null, 2]); // a stale unit: up to its newest row
  });

  it('keeps the newest 30 intervals', async () => {
    const store = await storeOf(Array.from({ length: 40 }, (_, i) => sample('a', i * 1000, { cpuPercent: i })));
    expect(cpuHistory(store, 'a', 39_000, 1000)).toEqual(Array.from({ length: 30 }, (_, i) => i + 10));
  });

  it('draws a minute that has folded into a bucket as that bucket\'s mean, across the intervals it covers', async () => {
    const T = 1_795_000_040_000; // a minute starts at T + 40 s
    const store = await storeOf(Array.from({ length: 55 }, (_, i) => sample('a', T + i * 1000, { cpuPercent: i })));
    expect(store.size('a')).toBe(15); // the older minute's 40 rows are one bucket now, no raw row
    const minuteMean = (0 + 39) / 2; // rows 0..39 fold into the bucket of the minute before T + 40 s
    expect(cpuHistory(store, 'a', T + 54_000, 1000)).toEqual([
      ...Array.from({ length: 15 }, () => minuteMean), ...Array.from({ length: 15 }, (_, i) => 40 + i),
    ]);
  });
});

describe('unitRows', () => {
  it('reads each unit from the store, busiest first, within the limit', async () => {
    const store = createWindowStore({ clock: 'events' });
    const events = [
      sample('idle', 0, { pid: 7, cpuPercent: 1, rssBytes: 1024 * 1024, ioReadBytes: 0 }),
      sample('busy', 0, { pid: 8, cpuPercent: 80, rssBytes: 2048 * 1024 }),
      sample('idle', 1000, { pid: 7, cpuPercent: 2, rssBytes: 1024 * 1024, ioReadBytes: 4096 }),
      sample('busy', 1000, { pid: 8, cpuPercent: 90, rssBytes: 2048 * 1024 }),
      sample('gone', 0, { pid: 9, cpuPercent: 99 }), down('gone', 1000),
    ];
    await lastValueFrom(from(events).pipe(ingestInto(store)), { defaultValue: undefined });
    const rows = unitRows(store, 1000, Infinity, new Map([['busy', 3], ['gone', 2]]), new Map([['busy', 4]]));
    expect(rows.map((r) => r.unit)).toEqual(['busy', 'idle', 'gone']);
    expect(rows[1]).toEqual({
      unit: 'idle', pid: 7, processes: 1, up: true, cpuPercent: 2, rssBytes: 1024 * 1024, ioReadBytesPerSec: 4096,
      ioWriteBytesPerSec: expect.anything(), samples: 2, cpuHistory: [1, 2], restarts: 0, uptimeMs: 0, downReason: null,
    });
    expect(rows[2]).toMatchObject({ unit: 'gone', pid: null, processes: 0, up: false, cpuPercent: null, rssBytes: null, cpuHistory: [99, null],
      uptimeMs: null, downReason: 'exited' });
    expect(rows[0]).toMatchObject({ unit: 'busy', pid: 8, processes: 3, restarts: 4 });
    expect(unitRows(store, 1000, 1).map((r) => r.unit)).toEqual(['busy']);
  });
});
