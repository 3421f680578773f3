import { describe, expect, it } from 'vitest';
import { isMetricEvent } from '../src/events.js';
import { windowedStore } from '../src/streams/windowed-store.js';
import { createTestScheduler, down, evicted, sample, unitAdded } from '../src/testing/index.js';

describe('procstream/testing', () => {
  it('builds valid events', () => {
    for (const e of [sample('api', 0), down('api', 1), evicted('budget', 2, sample('api', 0)), unitAdded('api', 3, { pid: 5 })]) {
      expect(isMetricEvent(e), JSON.stringify(e)).toBe(true);
    }
  });

  it('gives a TestScheduler that passes a true marble assertion and fails a false one under any runner', () => {
    const a = sample('api', 0);
    const run = (expected: string) => createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a 1500ms |', { a }).pipe(windowedStore({ retentionMs: 500, sweepIntervalMs: 1_000 })))
        .toBe(expected, {
          x: evicted('retention', 1_000, a),
          r: { type: 'unit-removed', v: 1, unit: 'api', ts: 1_000, reason: 'retention' },
        });
    });
    expect(() => run('1000ms (xr) 497ms |')).not.toThrow();
    expect(() => run('1501ms |')).toThrow(/deep/i);
  });
});
