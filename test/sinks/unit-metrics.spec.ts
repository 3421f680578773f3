import { describe, expect, it } from 'vitest';
import { EVENT_FORMAT_VERSION, NO_UNIT, type MetricEvent } from '../../src/events.js';
import { MetricsState } from '../../src/sinks/unit-metrics.js';
import { down, sample } from '../../src/testing/index.js';

const base = { v: EVENT_FORMAT_VERSION, ts: 0 } as const;
const restarted = (unit: string, restarts: number): MetricEvent =>
  ({ ...base, type: 'unit-restarted', unit, previous: null, current: { pid: 2, startTimeMs: 2 }, restarts });
const stateOf = (events: MetricEvent[]) => {
  const state = new MetricsState();
  for (const e of events) state.apply(e);
  return state;
};

describe('MetricsState', () => {
  it('counts CPU and disk from the first sample in full, then by growth', () => {
    const u = stateOf([
      sample('a', 0, { cpuUserSeconds: 10, cpuSystemSeconds: 1, ioReadBytes: 100, ioWriteBytes: 5 }),
      sample('a', 1, { cpuUserSeconds: 10.5, cpuSystemSeconds: 1.25, ioReadBytes: 150, ioWriteBytes: 5 }),
    ]).units.get('a')!;
    expect(u).toMatchObject({ cpuUserSeconds: 10.5, cpuSystemSeconds: 1.25, diskReadBytes: 150, diskWriteBytes: 5, up: true });
  });

  it('keeps counters monotonic across a restart: the new process counts from zero on top of the old total', () => {
    const u = stateOf([
      sample('a', 0, { pid: 1, startTimeMs: 1, cpuUserSeconds: 30, ioWriteBytes: 1000 }),
      down('a', 1),
      restarted('a', 1),
      sample('a', 2, { pid: 2, startTimeMs: 2, cpuUserSeconds: 0.5, ioWriteBytes: 10 }),
      sample('a', 3, { pid: 2, startTimeMs: 2, cpuUserSeconds: 2, ioWriteBytes: 30 }),
    ]).units.get('a')!;
    expect(u.cpuUserSeconds).toBe(32);
    expect(u.diskWriteBytes).toBe(1030);
    expect(u.restarts).toBe(1);
  });

  it('treats a recycled pid with a new start time as a new process', () => {
    const u = stateOf([
      sample('a', 0, { pid: 7, startTimeMs: 1, cpuSystemSeconds: 4 }),
      sample('a', 1, { pid: 7, startTimeMs: 9, cpuSystemSeconds: 3 }),
    ]).units.get('a')!;
    expect(u.cpuSystemSeconds).toBe(7);
  });

  it('counts a counter that went down within one identity from zero rather than going backwards', () => {
    const u = stateOf([sample('a', 0, { cpuUserSeconds: 5 }), sample('a', 1, { cpuUserSeconds: 2 })]).units.get('a')!;
    expect(u.cpuUserSeconds).toBe(7);
  });

  it('skips unreadable IO and counts the growth it hid once readable again', () => {
    const u = stateOf([
      sample('a', 0, { ioReadBytes: 100 }),
      sample('a', 1, { ioReadBytes: null }),
      sample('a', 2, { ioReadBytes: 180 }),
    ]).units.get('a')!;
    expect(u.diskReadBytes).toBe(180);
  });

  it('marks a down unit: up false, no resident memory (never a fake 0), no processes; counters kept', () => {
    const u = stateOf([sample('a', 0, { cpuUserSeconds: 3, processes: 2, threads: 9 }), down('a', 1)]).units.get('a')!;
    expect(u).toMatchObject({ up: false, rssBytes: null, processes: 0, threads: 0, cpuUserSeconds: 3 });
  });

  it('knows a unit from unit-added before its first sample, and forgets it on unit-removed', () => {
    const added = stateOf([{ ...base, type: 'unit-added', unit: 'a' }]);
    expect(added.units.get('a')).toMatchObject({ up: false, restarts: 0 });
    added.apply({ ...base, type: 'unit-removed', unit: 'a', reason: 'target-removed' });
    expect(added.units.size).toBe(0);
  });

  it('counts skipped ticks apart from dropped events, and spill errors by code', () => {
    const { self } = stateOf([
      { ...base, unit: NO_UNIT, type: 'dropped', source: 'interval', reason: 'overlap', count: 3, total: 3 },
      { ...base, unit: NO_UNIT, type: 'dropped', source: 'spill', reason: 'queue-full', count: 12, total: 12 },
      { ...base, unit: NO_UNIT, type: 'dropped', source: 'spill', reason: 'ENOSPC', count: 2, total: 14 },
      { ...base, unit: NO_UNIT, type: 'error', source: 'spill', code: 'ENOSPC', message: 'full', count: 1 },
      { ...base, unit: NO_UNIT, type: 'error', source: 'sampler', code: 'E_PARSE', message: 'bad', count: 1 },
    ]);
    expect(self.ticksSkipped).toBe(3);
    expect([...self.dropped]).toEqual([['spill', 14]]);
    expect([...self.spillErrors]).toEqual([['ENOSPC', 1]]);
  });
});
