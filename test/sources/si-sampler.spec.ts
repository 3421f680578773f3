import { afterEach, describe, expect, it } from 'vitest';
import type { MetricEvent, SampleEvent } from '../../src/events.js';
import { siSampler, type SiProcess } from '../../src/sources/si-sampler.js';
import { killAll, startNode, statusField } from '../helpers/children.js';

const samples = (events: readonly MetricEvent[]) => events.filter((e): e is SampleEvent => e.type === 'sample');
const proc = (pid: number, over: Partial<SiProcess> = {}): SiProcess => ({
  pid, parentPid: 1, name: 'node', command: 'node', params: 'app.js', cpuu: 10, cpus: 5, memRss: 2048,
  started: '2026-11-26 10:00:00', state: 'sleeping', ...over,
});

describe('siSampler with a scripted listing', () => {
  let now = 1_000_000;
  const clock = { now: () => now };

  it('gives null CPU at first sight, then one-core percent from systeminformation’s share of the host', async () => {
    let list = [proc(42)];
    const sampler = siSampler({ cores: 4, scheduler: clock, listProcesses: async () => ({ list }) });
    const first = await sampler.sample([{ unit: 'api', pid: 42 }]);
    expect(first.map((e) => e.type)).toEqual(['unit-added', 'sample']);
    expect(samples(first)[0]).toMatchObject({ cpuPercent: null, rssBytes: 2048 * 1024, ioReadBytes: null, missing: { io: expect.any(String) } });
    list = [proc(42)];
    now += 2000;
    const [s] = samples(await sampler.sample([{ unit: 'api', pid: 42 }]));
    expect(s).toMatchObject({ cpuPercent: 60, hostCpuPercent: 15, cpuUserSeconds: 0.8, cpuSystemSeconds: 0.4 });
  });

  it('drops a listing served from systeminformation’s cache instead of reporting it as fresh', async () => {
    const cached = { list: [proc(42)] };
    const sampler = siSampler({ scheduler: clock, listProcesses: async () => ({ ...cached }) });
    await sampler.sample([{ unit: 'api', pid: 42 }]);
    expect(await sampler.sample([{ unit: 'api', pid: 42 }])).toEqual([
      { type: 'dropped', v: 1, unit: '*', ts: now, source: 'sampler', reason: 'cached', count: 1, total: 1 },
    ]);
  });

  it('drops a call made while the previous one still runs', async () => {
    let release = () => {};
    const sampler = siSampler({ scheduler: clock, listProcesses: () => new Promise((resolve) => { release = () => resolve({ list: [proc(42)] }); }) });
    const slow = sampler.sample([{ unit: 'api', pid: 42 }]);
    expect(await sampler.sample([{ unit: 'api', pid: 42 }])).toEqual([expect.objectContaining({ type: 'dropped', reason: 'busy' })]);
    release();
    expect(samples(await slow)).toHaveLength(1);
  });

  it('reports a restart on a new start time, down when the pid is gone, and sums a shell’s children', async () => {
    let list = [proc(10, { name: 'bash' }), proc(11, { parentPid: 10 }), proc(12, { parentPid: 11 })];
    const sampler = siSampler({ scheduler: clock, listProcesses: async () => ({ list }) });
    expect(samples(await sampler.sample([{ unit: 'job', pid: 10 }]))[0]).toMatchObject({ processes: 3, rssBytes: 3 * 2048 * 1024 });
    list = [proc(10, { name: 'bash', started: '2026-11-26 11:00:00' })];
    const events = await sampler.sample([{ unit: 'job', pid: 10 }]);
    expect(events.map((e) => e.type)).toEqual(['unit-restarted', 'sample']);
    expect(samples(events)[0]?.cpuPercent).toBeNull();
    list = [];
    expect(await sampler.sample([{ unit: 'job', pid: 10 }])).toEqual([expect.objectContaining({ type: 'unit-down', reason: 'exited' })]);
  });

  it('matches by command line without passing the pattern to systeminformation', async () => {
    const calls: unknown[][] = [];
    const sampler = siSampler({ scheduler: clock, listProcesses: async (...args: unknown[]) => { calls.push(args); return { list: [proc(5, { params: 'worker.js' })] }; } });
    expect(samples(await sampler.sample([{ unit: 'w', match: 'worker\\.js' }]))[0]?.pid).toBe(5);
    expect(calls).toEqual([[]]);
  });
});

describe('siSampler on a real process', () => {
  afterEach(killAll);

  it('finds a live child and reads its RSS within 5 % of VmRSS', async () => {
    const child = await startNode('const b = Buffer.alloc(64 * 1024 * 1024, 1); process.stdout.write("ready"); setInterval(() => b[0]++, 1e6);', true);
    const sampler = siSampler();
    const [s] = samples(await sampler.sample([{ unit: 'mem', pid: child.pid! }]));
    const vmRssBytes = statusField(child.pid!, 'VmRSS') * 1024;
    expect(s?.pid).toBe(child.pid);
    expect(Math.abs(s!.rssBytes - vmRssBytes) / vmRssBytes).toBeLessThan(0.05);
  });
});
