/**
 * The cgroup sampler against the real kernel (CI runs as root): a busy process and a forker of short-lived busy
 * children in a fresh cgroup, compared with the cgroup's own counters and with /proc over the same seconds.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { SampleEvent } from '../../src/events.js';
import { parseCpuStatV2, parseKeyedCounters } from '../../src/formats/parse-cgroup.js';
import { cgroupSampler } from '../../src/sources/cgroup-sampler.js';
import { cgroupSupport, makeCgroup, type TestCgroup } from '../helpers/cgroups.js';
import { sleep, waitFor } from '../helpers/children.js';

const support = cgroupSupport();
for (const [kind, why] of Object.entries(support)) {
  if (why !== true) console.warn(`cgroup-sampler.real.spec: ${kind} tests skipped: ${why}`);
}
const CLK_TCK = 100;
// A dash loop of ~20,000 iterations: tens of ms of CPU, then the child exits and the forker reaps it.
const FORKER = 'while :; do sh -c \'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done\'; done';

const started: ChildProcess[] = [];
const cgroups: TestCgroup[] = [];
afterEach(async () => {
  for (const child of started.splice(0)) {
    try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
  }
  await sleep(200);
  for (const cgroup of cgroups.splice(0)) cgroup.remove();
});

async function populate(cgroup: TestCgroup): Promise<{ busy: number; forker: number }> {
  const busy = cgroup.spawnInside(process.execPath, ['-e', 'process.stdout.write("ready"); for (;;) {}']);
  const forker = cgroup.spawnInside('sh', ['-c', `echo ready; ${FORKER}`]);
  started.push(busy, forker);
  await Promise.all([waitFor(busy, 'ready'), waitFor(forker, 'ready')]);
  return { busy: busy.pid!, forker: forker.pid! };
}

/** utime + stime (+ cutime + cstime: its reaped children) of a process, in seconds. */
function procCpuSeconds(pid: number, withReaped: boolean): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
  return (f[11]! + f[12]! + (withReaped ? f[13]! + f[14]! : 0)) / CLK_TCK;
}

function sampleOf(events: readonly { type: string }[]): SampleEvent {
  const sample = events.find((e): e is SampleEvent => e.type === 'sample');
  if (!sample) throw new Error(`no sample in ${JSON.stringify(events)}`);
  return sample;
}

const cpuOf = (s: SampleEvent) => s.cpuUserSeconds + s.cpuSystemSeconds;

describe.skipIf(support.v2 !== true)('a v2 cgroup', () => {
  it('reads the CPU of a busy process and of a forker\'s reaped children, as the cgroup and /proc count them', async () => {
    const cgroup = makeCgroup('v2');
    cgroups.push(cgroup);
    const { busy, forker } = await populate(cgroup);
    const sampler = cgroupSampler();
    const targets = [{ unit: 'svc', cgroup: cgroup.path }];
    const usage = () => parseCpuStatV2(cgroup.read('v2', 'cpu.stat'))!.usageUsec / 1e6;
    const procTotal = () => procCpuSeconds(busy, false) + procCpuSeconds(forker, true);

    const first = sampleOf(sampler.sample(targets));
    const [usage0, proc0, t0] = [usage(), procTotal(), Date.now()];
    await sleep(3_000);
    const last = sampleOf(sampler.sample(targets));
    const [usage1, proc1, t1] = [usage(), procTotal(), Date.now()];
    sampler.close();

    const ours = cpuOf(last) - cpuOf(first);
    const kernel = usage1 - usage0;
    expect(first.cgroup).toBe(cgroup.path);
    expect(first.cpuPercent).toBeNull(); // no baseline yet
    expect(kernel).toBeGreaterThan(0.5); // the loops ran (the machine may be busy: no fixed share is expected)
    expect(ours / kernel).toBeGreaterThan(0.98);
    expect(ours / kernel).toBeLessThan(1.02);
    // The share over the interval agrees with the counters it comes from.
    expect((last.cpuPercent! / 100) * ((t1 - t0) / 1000) / kernel).toBeGreaterThan(0.9);
    expect((last.cpuPercent! / 100) * ((t1 - t0) / 1000) / kernel).toBeLessThan(1.1);
    // /proc sees the same work only through the forker's cutime/cstime once each child is reaped; a child alive at
    // either end is counted by the cgroup and not yet by /proc, so this bound is looser than the counter's.
    const proc = proc1 - proc0;
    expect(ours / proc).toBeGreaterThan(0.9);
    expect(ours / proc).toBeLessThan(1.1);
    expect(last.processes).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it('reports a missing cgroup and an empty one as down, and a cgroup created anew as a restart with a new baseline', async () => {
    const sampler = cgroupSampler();
    expect(sampler.sample([{ unit: 'gone', cgroup: 'procstream-test-does-not-exist' }])).toContainEqual(
      expect.objectContaining({ type: 'unit-down', unit: 'gone', reason: 'cgroup-missing' }));
    const cgroup = makeCgroup('v2');
    cgroups.push(cgroup);
    const targets = [{ unit: 'svc', cgroup: cgroup.path }];
    expect(sampler.sample(targets)).toContainEqual(expect.objectContaining({ type: 'unit-down', reason: 'empty-cgroup' }));
    const first = cgroup.spawnInside(process.execPath, ['-e', 'process.stdout.write("ready"); setInterval(() => {}, 1e6)']);
    started.push(first);
    await waitFor(first, 'ready');
    const before = sampleOf(sampler.sample(targets));
    expect(before.pid).toBe(first.pid);
    process.kill(-first.pid!, 'SIGKILL');
    await sleep(200);
    cgroup.remove();
    expect(sampler.sample(targets)).toContainEqual(expect.objectContaining({ type: 'unit-down', reason: 'cgroup-missing' }));
    const again = makeCgroup('v2');
    cgroups.push(again);
    const second = again.spawnInside(process.execPath, ['-e', 'process.stdout.write("ready"); setInterval(() => {}, 1e6)']);
    started.push(second);
    await waitFor(second, 'ready');
    const events = sampler.sample([{ unit: 'svc', cgroup: again.path }]);
    sampler.close();
    const after = sampleOf(events);
    expect(after.pid).toBe(second.pid);
    expect(after.cpuPercent).toBeNull(); // the new cgroup's counters are a new baseline, never a negative step
    expect(events).toContainEqual(expect.objectContaining({
      type: 'unit-restarted', unit: 'svc', previous: { pid: first.pid, startTimeMs: before.startTimeMs },
      current: { pid: second.pid, startTimeMs: after.startTimeMs }, restarts: 1,
    }));
  }, 30_000);
});

describe.skipIf(support.v1 !== true)('a v1 cgroup (cpuacct and memory hierarchies)', () => {
  it('reads cpuacct.usage within 2 % over the same seconds, reaped children included', async () => {
    const cgroup = makeCgroup('v1');
    cgroups.push(cgroup);
    await populate(cgroup);
    const sampler = cgroupSampler();
    const targets = [{ unit: 'svc', cgroup: cgroup.path }];
    const usage = () => Number(cgroup.read('cpuacct', 'cpuacct.usage')) / 1e9;
    const first = sampleOf(sampler.sample(targets));
    const usage0 = usage();
    await sleep(3_000);
    const last = sampleOf(sampler.sample(targets));
    const usage1 = usage();
    sampler.close();
    const ours = cpuOf(last) - cpuOf(first);
    expect(usage1 - usage0).toBeGreaterThan(0.5);
    expect(ours / (usage1 - usage0)).toBeGreaterThan(0.98);
    expect(ours / (usage1 - usage0)).toBeLessThan(1.02);
    expect(last.missing.cpu).toBeUndefined(); // usage_user and usage_sys give the split
  }, 30_000);

  it('names a memory hog\'s anonymous memory rssBytes and the cgroup\'s whole charge cgroupMemoryBytes', async () => {
    const cgroup = makeCgroup('v1');
    cgroups.push(cgroup);
    const hog = cgroup.spawnInside(process.execPath, ['-e',
      'const b = Buffer.alloc(150 * 1024 * 1024, 1); process.stdout.write("ready"); setInterval(() => b[0]++, 1e6);']);
    started.push(hog);
    await waitFor(hog, 'ready');
    const sampler = cgroupSampler();
    const sample = sampleOf(sampler.sample([{ unit: 'hog', cgroup: cgroup.path }]));
    const stat = parseKeyedCounters(cgroup.read('memory', 'memory.stat'));
    const usage = Number(cgroup.read('memory', 'memory.usage_in_bytes'));
    const rssAnonBytes = Number(/^RssAnon:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${hog.pid}/status`, 'utf8'))![1]) * 1024;
    sampler.close();
    const MiB = 1024 * 1024;
    expect(sample.rssBytes).toBeGreaterThan(150 * MiB);
    expect(Math.abs(sample.rssBytes - stat.get('total_rss')!)).toBeLessThan(2 * MiB);
    expect(Math.abs(sample.rssBytes - rssAnonBytes)).toBeLessThan(8 * MiB); // the kernel's two views of one process
    expect(Math.abs(sample.cgroupMemoryBytes! - usage)).toBeLessThan(4 * MiB);
    expect(sample.cgroupMemoryBytes!).toBeGreaterThanOrEqual(sample.rssBytes - 2 * MiB);
  }, 30_000);
});

describe.skipIf(support.v2 !== true)('procstream watch --cgroup and --systemd-unit', () => {
  it('samples a cgroup named by --cgroup, and a systemd unit found under system.slice', async () => {
    const { mkdirSync, rmdirSync, existsSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { readCgroupMounts } = await import('../../src/sources/cgroup-paths.js');
    const { run, ensureBuilt } = await import('../helpers/bin.js');
    ensureBuilt();
    const cgroup = makeCgroup('v2');
    cgroups.push(cgroup);
    const idle = cgroup.spawnInside(process.execPath, ['-e', 'process.stdout.write("ready"); setInterval(() => {}, 1e6)']);
    started.push(idle);
    await waitFor(idle, 'ready');
    const lines = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; unit: string; cgroup?: string; pid?: number });
    const byPath = run(['watch', '--cgroup', cgroup.path, '--count', '2', '--interval', '200ms', '--format', 'ndjson']);
    expect(byPath.code, byPath.stderr).toBe(0);
    const samples = lines(byPath.stdout).filter((e) => e.type === 'sample');
    expect(samples).toHaveLength(2);
    expect(samples[0]).toMatchObject({ unit: cgroup.path, cgroup: cgroup.path, pid: idle.pid });

    // systemd is not running here: make the directories it would make for a service, in each hierarchy it uses.
    const mounts = readCgroupMounts();
    const service = `procstream-test-${process.pid}.service`;
    const roots = [mounts.v2!, ...(mounts.v1.has('name=systemd') ? [mounts.v1.get('name=systemd')!] : [])];
    const made: string[] = [];
    for (const root of roots) {
      for (const dir of [join(root, 'system.slice'), join(root, 'system.slice', service)]) {
        if (!existsSync(dir)) { mkdirSync(dir); made.unshift(dir); }
      }
    }
    try {
      const svc = cgroup.spawnInside('sh', ['-c', `echo $$ > ${join(mounts.v2!, 'system.slice', service, 'cgroup.procs')} && echo ready && exec sleep 1000`]);
      started.push(svc);
      await waitFor(svc, 'ready');
      const bySystemd = run(['watch', '--systemd-unit', service.replace(/\.service$/, ''), '--count', '1', '--format', 'ndjson']);
      expect(bySystemd.code, bySystemd.stderr).toBe(0);
      expect(lines(bySystemd.stdout).find((e) => e.type === 'sample')).toMatchObject({ cgroup: `system.slice/${service}`, pid: svc.pid });
      process.kill(-svc.pid!, 'SIGKILL');
      await sleep(200);
    } finally {
      for (const dir of made) { try { rmdirSync(dir); } catch { /* still busy: left for the next run */ } }
    }
    const bad = run(['watch', '--cgroup', '../etc', '--count', '1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--cgroup: '../etc' is not valid");
  }, 30_000);
});
