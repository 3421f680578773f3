import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetricEvent, SampleEvent } from '../../src/events.js';
import { procSampler, type ProcSamplerOptions } from '../../src/sources/proc-sampler.js';
import type { UnitTarget } from '../../src/sources/sampler.js';
import { ProcFixture } from '../helpers/proc-fixture.js';

const samples = (events: readonly MetricEvent[]) => events.filter((e): e is SampleEvent => e.type === 'sample');
const types = (events: readonly MetricEvent[]) => events.map((e) => e.type);

describe('procSampler on a fixture /proc tree', () => {
  let proc: ProcFixture;
  let now: number;
  const make = (over: ProcSamplerOptions = {}) => procSampler({
    procRoot: proc.root, pageSizeBytes: 4096, clockTicksPerSec: 100, cores: 2, scheduler: { now: () => now }, ...over,
  });
  beforeEach(() => { proc = new ProcFixture(); now = 2_000_000; });
  afterEach(() => { proc.cleanup(); });

  it('announces a unit, gives null CPU at first sight, then Δcpu/Δwall with 100 = one core', () => {
    proc.write({ pid: 42, utime: 100, stime: 50, rssPages: 1000, start: 700, readBytes: 10, writeBytes: 20 });
    const sampler = make();
    const targets: UnitTarget[] = [{ unit: 'api', pid: 42 }];
    const first = sampler.sample(targets);
    expect(types(first)).toEqual(['unit-added', 'sample']);
    expect(first[0]).toMatchObject({ unit: 'api', ts: now, target: { pid: 42 } });
    expect(samples(first)[0]).toMatchObject({
      pid: 42, startTimeMs: 1_000_000 + 7_000, cpuPercent: null, hostCpuPercent: null, cpuUserSeconds: 1,
      cpuSystemSeconds: 0.5, rssBytes: 1000 * 4096, ioReadBytes: 10, ioWriteBytes: 20, processes: 1, threads: 1,
      netRxBytes: null, missing: { net: expect.any(String) },
    });
    proc.write({ pid: 42, utime: 160, stime: 90, rssPages: 1000, start: 700, readBytes: 10, writeBytes: 4116 });
    now += 2000;
    const [second] = samples(sampler.sample(targets));
    expect(second).toMatchObject({ cpuPercent: 50, hostCpuPercent: 25, cpuUserSeconds: 1.6, ioWriteBytes: 4116 });
    sampler.close();
  });

  it('reports a vanished process as unit-down, never as a zero sample', () => {
    proc.write({ pid: 42 });
    // A kept fd of a deleted fixture file would still read it; only /proc answers ESRCH. So: open-read-close here.
    const sampler = make({ fdBudget: 0 });
    sampler.sample([{ unit: 'api', pid: 42 }]);
    proc.remove(42);
    now += 1000;
    expect(sampler.sample([{ unit: 'api', pid: 42 }])).toEqual([{ type: 'unit-down', v: 1, unit: 'api', ts: now, reason: 'exited' }]);
  });

  it('treats ESRCH on a kept fd as a vanished process and closes that fd', () => {
    proc.write({ pid: 42 });
    let exited = false;
    const closed: number[] = [];
    const readSync = ((fd: number, ...rest: unknown[]) => {
      if (exited) throw Object.assign(new Error('no such process'), { code: 'ESRCH' });
      return (fs.readSync as (...a: unknown[]) => number)(fd, ...rest);
    }) as typeof fs.readSync;
    const closeSync = (fd: number) => { closed.push(fd); fs.closeSync(fd); };
    const sampler = make({ fs: { ...fs, readSync, closeSync } });
    sampler.sample([{ unit: 'api', pid: 42 }]);
    expect(sampler.openFds()).toBe(3);
    exited = true;
    expect(sampler.sample([{ unit: 'api', pid: 42 }])).toEqual([expect.objectContaining({ type: 'unit-down', reason: 'exited' })]);
    expect(sampler.openFds()).toBe(0);
    expect(new Set(closed).size).toBe(3); // stat, statm and io, each closed

  });

  it('never attributes a recycled pid to a unit pinned to that pid', () => {
    proc.write({ pid: 42, start: 700, utime: 10 });
    const sampler = make();
    sampler.sample([{ unit: 'api', pid: 42 }]);
    proc.write({ pid: 42, start: 9_000, utime: 5, comm: 'other' });
    now += 1000;
    expect(sampler.sample([{ unit: 'api', pid: 42 }])).toEqual([{ type: 'unit-down', v: 1, unit: 'api', ts: now, reason: 'pid-reused' }]);
  });

  it('gives unit-restarted and a fresh CPU baseline when the pid file names a new process, its counters going on', () => {
    const pidFile = join(proc.root, 'api.pid');
    fs.writeFileSync(pidFile, '42\n');
    proc.write({ pid: 42, start: 700, utime: 500 });
    proc.uptime(7.5);
    const sampler = make();
    sampler.sample([{ unit: 'api', pidFile }]);
    proc.write({ pid: 42, start: 800, utime: 1 }); // same pid, new start time: a restart that reused the pid
    proc.uptime(8.5);
    now += 1000;
    const events = sampler.sample([{ unit: 'api', pidFile }]);
    expect(types(events)).toEqual(['unit-restarted', 'sample']);
    expect(events[0]).toMatchObject({ previous: { pid: 42, startTimeMs: 1_007_000 }, current: { pid: 42, startTimeMs: 1_008_000 }, restarts: 1 });
    // The new process started after the previous tick (8 s > 7.5 s of uptime), so all of its CPU is new to the unit.
    expect(samples(events)[0]).toMatchObject({ cpuPercent: null, cpuUserSeconds: 5.01, startTimeMs: 1_008_000 });
  });

  it('rejects a pid file left behind when its pid now belongs to a younger process', () => {
    const young = new ProcFixture(Math.floor(Date.now() / 1000) + 60); // booted "after" the pid file was written
    try {
      const pidFile = join(young.root, 'api.pid');
      fs.writeFileSync(pidFile, '42');
      young.write({ pid: 42, start: 700 });
      const sampler = make({ procRoot: young.root });
      expect(types(sampler.sample([{ unit: 'api', pidFile }]))).toEqual(['unit-added', 'unit-down']);
      expect(sampler.sample([{ unit: 'api', pidFile }])[0]).toMatchObject({ reason: 'pid-file-stale' });
    } finally { young.cleanup(); }
  });

  it('reports a missing pid file as unit-down', () => {
    const sampler = make();
    expect(sampler.sample([{ unit: 'api', pidFile: join(proc.root, 'nope.pid') }])[1]).toMatchObject({ type: 'unit-down', reason: 'pid-file-missing' });
  });

  it('gives null IO with missing.io when io is unreadable (EACCES), keeping the other fields', () => {
    proc.write({ pid: 42, rssPages: 3 });
    const eacces: typeof fs.openSync = (path, ...rest) => {
      if (String(path).endsWith('/io')) throw Object.assign(new Error('denied'), { code: 'EACCES' });
      return fs.openSync(path, ...rest);
    };
    const sampler = make({ fs: { ...fs, openSync: eacces } });
    const [s] = samples(sampler.sample([{ unit: 'api', pid: 42 }]));
    expect(s).toMatchObject({ ioReadBytes: null, ioWriteBytes: null, rssBytes: 3 * 4096, missing: { io: 'EACCES' } });
  });

  it('finds a process whose comm is `a) (b` by match, and parses it', () => {
    proc.write({ pid: 42, comm: 'a) (b', utime: 300 });
    proc.write({ pid: 43, comm: 'bystander' });
    const sampler = make();
    const [s] = samples(sampler.sample([{ unit: 'odd', match: '^a\\) \\(b$' }]));
    expect(s).toMatchObject({ pid: 42, cpuUserSeconds: 3 });
  });

  it('matches the command line and picks the oldest matching process', () => {
    proc.write({ pid: 50, comm: 'node', start: 900, cmdline: ['node', 'worker.js'] });
    proc.write({ pid: 51, comm: 'node', start: 800, cmdline: ['node', 'worker.js'] });
    proc.write({ pid: 52, comm: 'node', start: 100, cmdline: ['node', 'web.js'] });
    const sampler = make();
    expect(samples(sampler.sample([{ unit: 'w', match: 'worker\\.js' }]))[0]?.pid).toBe(51);
    expect(sampler.sample([{ unit: 'x', match: 'nothing-like-this' }])).toContainEqual(expect.objectContaining({ type: 'unit-down', reason: 'not-matched' }));
  });

  it('reports a truncated stat as an error event and emits no sample for it', () => {
    proc.write({ pid: 42 });
    proc.writeRaw(42, 'stat', '42 (node) S 1 42 42 0 -1 4194560 0 0 0 0 10 20');
    const events = make().sample([{ unit: 'api', pid: 42 }]);
    expect(types(events)).toEqual(['unit-added', 'error']);
    expect(events[1]).toMatchObject({ source: 'sampler', code: 'E_PARSE', count: 1 });
  });

  it('sums the live descendants of a shell and counts a reaped child once', () => {
    proc.write({ pid: 10, comm: 'bash', utime: 1, rssPages: 100 });
    proc.write({ pid: 11, ppid: 10, utime: 100, rssPages: 1000, writeBytes: 500 });
    proc.write({ pid: 12, ppid: 11, utime: 100, rssPages: 1000, threads: 3 });
    proc.write({ pid: 13, ppid: 1, utime: 999, rssPages: 7 }); // not in the tree
    const sampler = make();
    const targets: UnitTarget[] = [{ unit: 'job', pid: 10 }];
    expect(samples(sampler.sample(targets))[0]).toMatchObject({ processes: 3, threads: 5, rssBytes: 2100 * 4096, cpuUserSeconds: 2.01, ioWriteBytes: 500 });
    // 12 exits and 11 reaps it: its 100 ticks (+10 more) move into 11's cutime; 11 ran 20 ticks itself.
    proc.remove(12);
    proc.write({ pid: 11, ppid: 10, utime: 120, cutime: 110, rssPages: 1000, writeBytes: 700 });
    now += 1000;
    const [s] = samples(sampler.sample(targets));
    expect(s).toMatchObject({ processes: 2, cpuUserSeconds: 2.31, ioWriteBytes: 700 });
    expect(s?.cpuPercent).toBeCloseTo(30, 6);
  });

  it('sums the tree of any root by default; children: false measures the root alone, and a target overrides it', () => {
    proc.write({ pid: 10, comm: 'node', rssPages: 100, utime: 5, cutime: 50 });
    proc.write({ pid: 11, ppid: 10, rssPages: 1000 });
    expect(samples(make().sample([{ unit: 'a', pid: 10 }]))[0]).toMatchObject({ processes: 2, cpuUserSeconds: 0.55 });
    expect(samples(make({ children: false }).sample([{ unit: 'a', pid: 10 }]))[0]).toMatchObject({ processes: 1, rssBytes: 100 * 4096, cpuUserSeconds: 0.05 });
    expect(samples(make().sample([{ unit: 'a', pid: 10, children: false }]))[0]).toMatchObject({ processes: 1 });
    expect(samples(make({ children: false }).sample([{ unit: 'a', pid: 10, children: true }]))[0]).toMatchObject({ processes: 2 });
  });

  it('emits unit-removed when a target goes away, and stopped for pid 0', () => {
    proc.write({ pid: 42 });
    const sampler = make();
    sampler.sample([{ unit: 'a', pid: 42 }, { unit: 'b', pid: 0 }]);
    expect(sampler.sample([{ unit: 'b', pid: 0 }])).toEqual([
      { type: 'unit-down', v: 1, unit: 'b', ts: now, reason: 'stopped' },
      { type: 'unit-removed', v: 1, unit: 'a', ts: now, reason: 'target-removed' },
    ]);
  });

  it('keeps no more fds open than its budget and still reads beyond it', () => {
    for (let pid = 100; pid < 110; pid++) proc.write({ pid, rssPages: pid });
    const sampler = make({ fdBudget: 4 });
    const targets = Array.from({ length: 10 }, (_, i) => ({ unit: `u${i}`, pid: 100 + i }));
    const rss = samples(sampler.sample(targets)).map((s) => s.rssBytes / 4096);
    expect(rss).toEqual(targets.map((t) => t.pid));
    expect(sampler.openFds()).toBe(4);
    sampler.close();
    expect(sampler.openFds()).toBe(0);
  });
});
