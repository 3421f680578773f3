/** Samples carry their numbers at the store's resolution: CPU percent to 0.001, seconds to the microsecond. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetricEvent, SampleEvent } from '../../src/events.js';
import { roundMicros, roundPercent } from '../../src/formats/resolution.js';
import { procSampler } from '../../src/sources/proc-sampler.js';
import { siSampler, type SiProcess } from '../../src/sources/si-sampler.js';
import { ProcFixture } from '../helpers/proc-fixture.js';

const sampleOf = (events: readonly MetricEvent[]) => events.find((e): e is SampleEvent => e.type === 'sample') as SampleEvent;
/** Digits after the decimal point as JSON writes the number. */
const decimals = (x: number | null | undefined) => (String(x).split('.')[1] ?? '').length;

describe('sample resolution', () => {
  let proc: ProcFixture;
  beforeEach(() => { proc = new ProcFixture(); });
  afterEach(() => { proc.cleanup(); });

  it('rounds half away from zero at the last kept digit', () => {
    expect(roundPercent(2.0120724346076475)).toBe(2.012);
    expect(roundPercent(12.4995)).toBe(12.5);
    expect(roundMicros(41.070000000000004)).toBe(41.07);
    expect(roundMicros(0.0000015)).toBe(0.000002);
  });

  it('procSampler: a CPU share of 1/3 core is written as 33.333, not with 17 digits', () => {
    let now = 2_000_000;
    const sampler = procSampler({ procRoot: proc.root, pageSizeBytes: 4096, clockTicksPerSec: 3, cores: 7, scheduler: { now: () => now } });
    proc.write({ pid: 42, utime: 1, stime: 1, rssPages: 10, start: 7, readBytes: 0, writeBytes: 0 });
    sampler.sample([{ unit: 'api', pid: 42 }]);
    proc.write({ pid: 42, utime: 2, stime: 1, rssPages: 10, start: 7, readBytes: 0, writeBytes: 0 });
    now += 1000;
    const s = sampleOf(sampler.sample([{ unit: 'api', pid: 42 }]));
    expect(s.cpuPercent).toBe(33.333);
    expect(s.hostCpuPercent).toBe(4.762);
    expect(s.cpuUserSeconds).toBe(0.666667);
    expect(decimals(s.cpuSystemSeconds)).toBeLessThanOrEqual(6);
    sampler.close();
  });

  it('siSampler: percent and accumulated seconds at the same resolution', async () => {
    let now = 1_000_000;
    const proc1 = (): SiProcess => ({ pid: 42, parentPid: 1, name: 'node', command: 'node', params: '', cpuu: 1 / 3, cpus: 1 / 7,
      memRss: 1, started: '2026-11-26 10:00:00', state: 'sleeping' });
    const sampler = siSampler({ cores: 3, scheduler: { now: () => now }, listProcesses: async () => ({ list: [proc1()] }) });
    await sampler.sample([{ unit: 'api', pid: 42 }]);
    now += 1333;
    const s = sampleOf(await sampler.sample([{ unit: 'api', pid: 42 }]));
    expect(s.cpuPercent).toBe(roundPercent(1 + 3 / 7));
    for (const x of [s.cpuPercent, s.hostCpuPercent]) expect(decimals(x)).toBeLessThanOrEqual(3);
    for (const x of [s.cpuUserSeconds, s.cpuSystemSeconds]) expect(decimals(x)).toBeLessThanOrEqual(6);
    expect(s.cpuUserSeconds).toBe(roundMicros(0.01 * 1.333));
  });
});
