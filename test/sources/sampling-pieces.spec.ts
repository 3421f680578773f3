import { firstValueFrom, map, take, toArray, withLatestFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { SampleEvent } from '../../src/events.js';
import { intervalTicks } from '../../src/sources/interval-ticks.js';
import { procSampler } from '../../src/sources/proc-sampler.js';
import { unitTargets } from '../../src/sources/unit-targets.js';
import { sampleTicks } from '../../src/streams/sample-ticks.js';
import { killAll, startNode } from '../helpers/children.js';

describe('the sampling pieces wired together on the real clock', () => {
  afterEach(killAll);

  it('samples a live child on every tick: unit-added, then samples with CPU from the second one', async () => {
    const child = await startNode('process.stdout.write("ready"); setInterval(() => {}, 1e6);', true);
    const sampler = procSampler();
    const events = await firstValueFrom(intervalTicks({ intervalMs: 100 }).pipe(
      withLatestFrom(unitTargets([{ unit: 'svc', pid: child.pid! }])),
      map(([tick, targets]) => ({ ...tick, targets })),
      sampleTicks(({ targets }) => sampler.sample(targets)),
      take(4),
      toArray(),
    ));
    sampler.close();
    expect(events.map((e) => e.type)).toEqual(['unit-added', 'sample', 'sample', 'sample']);
    const samples = events.slice(1) as SampleEvent[];
    expect(samples.map((s) => s.pid)).toEqual([child.pid, child.pid, child.pid]);
    expect(samples[0]?.cpuPercent).toBeNull();
    expect(samples[1]?.cpuPercent).toEqual(expect.any(Number));
    // Ticks fire on absolute deadlines, never early: a gap is 100 ms minus however late the earlier tick was. Half an
    // interval tells "the next tick" from "the same tick twice" without timing the machine (a loaded one ran 12 ms late).
    expect(samples[2]!.ts - samples[1]!.ts).toBeGreaterThanOrEqual(50);
  });
});
