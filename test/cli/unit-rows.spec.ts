import { from, lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { cpuHistory, unitRows } from '../../src/cli/unit-rows.js';
import { createWindowStore } from '../../src/store/create-window-store.js';
import { ingestInto } from '../../src/streams/ingest-into.js';
import { down, sample } from '../../src/testing/index.js';

describe('cpuHistory', () => {
  it('keeps CPU in order, with null for down markers and unmeasured CPU', () => {
    const rows = [sample('a', 0, { cpuPercent: null }), sample('a', 1000, { cpuPercent: 5 }), down('a', 2000), sample('a', 3000, { cpuPercent: 7 })];
    expect(cpuHistory(rows, 1000)).toEqual([null, 5, null, 7]);
  });

  it('leaves one null per whole interval without any row, so sampling gaps show', () => {
    const rows = [sample('a', 0, { cpuPercent: 1 }), sample('a', 4000, { cpuPercent: 2 })];
    expect(cpuHistory(rows, 1000)).toEqual([1, null, null, null, 2]);
  });

  it('keeps the newest 30', () => {
    const rows = Array.from({ length: 40 }, (_, i) => sample('a', i * 1000, { cpuPercent: i }));
    expect(cpuHistory(rows, 1000)).toEqual(Array.from({ length: 30 }, (_, i) => i + 10));
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
