import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, isMetricEvent, type MetricEvent } from '../src/events.js';
import { createWindowStore } from '../src/store/create-window-store.js';
import { ingestInto } from '../src/streams/ingest-into.js';
import {
  bucket, createTestScheduler, down, dropped, errorEvent, evicted, sample, summary, tick, unitAdded, unitRemoved, unitRestarted,
} from '../src/testing/index.js';

describe('procstream/testing', () => {
  const built: MetricEvent[] = [
    sample('api', 0), down('api', 1), evicted('budget', 2, sample('api', 0)), unitAdded('api', 3, { pid: 5 }),
    unitRemoved('api', 4), unitRestarted('api', 5, 200, 100, 2), summary('api', 6, { samples: 3 }),
    dropped('spill', 'queue-full', 7, 4, 10), errorEvent('spill', 'ENOSPC', 8, 'disk full'), tick(9_000, { lagMs: 3 }),
    bucket('api', 60_000, 119_000, { samples: 30 }),
  ];

  it('has a builder for every event type', () => {
    expect(new Set(built.map((e) => e.type))).toEqual(new Set(EVENT_TYPES));
  });

  it('builds valid events that keep the fields asked for', () => {
    for (const e of built) expect(isMetricEvent(e), JSON.stringify(e)).toBe(true);
    expect(built.map((e) => e.ts)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9_001, 119_000]);
    expect(built[5]).toMatchObject({ previous: { pid: 100 }, current: { pid: 200 }, restarts: 2 });
    expect(built[6]).toMatchObject({ samples: 3, up: false });
    expect(built[7]).toMatchObject({ unit: '*', count: 4, total: 10 });
    expect(built[8]).toMatchObject({ unit: '*', code: 'ENOSPC', message: 'disk full' });
    expect(built[9]).toMatchObject({ unit: '*', deadlineMs: 9_000, lagMs: 3, missed: 0 });
    expect(built[10]).toMatchObject({ samples: 30, upSamples: 30, cpuPercent: { count: 30, sum: 30 } });
  });

  it('gives a TestScheduler that passes a true marble assertion and fails a false one under any runner', () => {
    const a = sample('api', 0);
    const run = (expected: string) => createTestScheduler().run(({ cold, expectObservable }) => {
      const store = createWindowStore({ retentionMs: 500, sweepIntervalMs: 1_000 });
      expectObservable(cold('a 1500ms |', { a }).pipe(ingestInto(store)))
        .toBe(expected, { x: evicted('retention', 1_000, a), r: unitRemoved('api', 1_000, 'retention') });
    });
    expect(() => run('1000ms (xr) 497ms |')).not.toThrow();
    expect(() => run('1501ms |')).toThrow(/deep/i);
  });
});
