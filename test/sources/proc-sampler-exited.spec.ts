import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetricEvent, SampleEvent } from '../../src/events.js';
import { procSampler } from '../../src/sources/proc-sampler.js';
import { ProcFixture } from '../helpers/proc-fixture.js';

const samples = (events: readonly MetricEvent[]) => events.filter((e): e is SampleEvent => e.type === 'sample');

// Found by the soak (bench/soak.mjs): processes that exit leave the /proc listing and are never read again, so
// only the listing can tell that their kept fds must go.
describe('procSampler with processes that come and go', () => {
  let proc: ProcFixture;
  let now: number;
  beforeEach(() => { proc = new ProcFixture(); now = 2_000_000; });
  afterEach(() => { proc.cleanup(); });
  const make = () => procSampler({ procRoot: proc.root, pageSizeBytes: 4096, clockTicksPerSec: 100, cores: 2, scheduler: { now: () => now } });

  it('closes the kept fds of a group member that left the listing', () => {
    for (const pid of [10, 11, 12]) proc.write({ pid, comm: 'worker', start: pid });
    const sampler = make();
    expect(samples(sampler.sample([{ unit: 'w', comm: 'worker' }]))[0]).toMatchObject({ processes: 3 });
    expect(sampler.openFds()).toBe(9); // stat, statm and io of each
    proc.remove(11); // a deleted fixture file still reads through a kept fd, like a reaped pid nobody asks about
    now += 100;
    expect(samples(sampler.sample([{ unit: 'w', comm: 'worker' }]))[0]).toMatchObject({ processes: 2 });
    expect(sampler.openFds()).toBe(6);
    sampler.close();
  });

  it('keeps the fds of bystanders listed alongside, so a churning machine does not reopen everything', () => {
    proc.write({ pid: 10, comm: 'worker' });
    proc.write({ pid: 20, comm: 'bystander' });
    const sampler = make();
    sampler.sample([{ unit: 'w', comm: 'worker' }]);
    expect(sampler.openFds()).toBe(4); // worker: stat, statm, io; bystander: stat from the listing
    now += 100;
    sampler.sample([{ unit: 'w', comm: 'worker' }]);
    expect(sampler.openFds()).toBe(4);
    sampler.close();
  });
});
