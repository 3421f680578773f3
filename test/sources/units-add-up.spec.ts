import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetricEvent, SampleEvent } from '../../src/events.js';
import { prometheusRegistry } from '../../src/sinks/prometheus-registry.js';
import { MetricsState } from '../../src/sinks/unit-metrics.js';
import { procSampler, type ProcSampler } from '../../src/sources/proc-sampler.js';
import { listCommands } from '../../src/sources/process-groups.js';
import { isKernelThread, readProcTable } from '../../src/sources/proc-table.js';
import { procFiles } from '../../src/sources/proc-files.js';
import { assignMembers } from '../../src/sources/unit-members.js';
import * as fs from 'node:fs';
import { parseProcStat } from '../../src/formats/parse-proc-stat.js';
import { childPids, killAll, sleep, startChild } from '../helpers/children.js';

const sampleOf = (events: readonly MetricEvent[], unit: string) =>
  events.find((e): e is SampleEvent => e.type === 'sample' && e.unit === unit);

/** utime, stime, cutime, cstime of a process in clock ticks, read straight from the kernel's stat line. */
function cpuTicks(pid: number): { own: number; reaped: number } | null {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return { own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) };
  } catch {
    return null;
  }
}

/** The CPU seconds of the unit's counter in the Prometheus text that prom-client renders, user plus system. */
async function counterSeconds(state: MetricsState, unit: string): Promise<number> {
  const text = await prometheusRegistry(state, 'prometheus').registry.metrics();
  const line = (mode: string) => new RegExp(`^procstream_unit_cpu_seconds_total\\{unit="${unit}",mode="${mode}"\\} (\\S+)$`, 'm').exec(text)?.[1];
  return Number(line('user')) + Number(line('system'));
}

describe('units that add up, on real processes', () => {
  let sampler: ProcSampler;
  let dir: string;
  beforeEach(() => { sampler = procSampler(); dir = mkdtempSync(join(tmpdir(), 'procstream-units-')); });
  afterEach(async () => { sampler.close(); await killAll(); rmSync(dir, { recursive: true, force: true }); });

  it('puts every user-space process of the machine in exactly one comm unit', () => {
    const files = procFiles({ procRoot: '/proc', fdBudget: 0 });
    const table = readProcTable('/proc', files, fs);
    const comms = listCommands('/proc');
    const claims = comms.map((comm) => ({ roots: [...table.stats.values()].filter((s) => s.comm === comm && !isKernelThread(s)).map((s) => s.pid), tree: true }));
    const members = assignMembers(table, claims);
    const user = [...table.stats.values()].filter((s) => !isKernelThread(s));
    // Processes started between the comm listing and the table have a comm with no unit yet: they join their parent's.
    expect([...members.keys()].sort()).toEqual(user.map((s) => s.pid).sort());
    for (const stat of user) {
      const unit = comms[members.get(stat.pid)!];
      if (comms.includes(stat.comm)) expect(unit).toBe(stat.comm);
    }
  });

  it('keeps a group counting exactly while its middle and oldest members exit: no zero, no restart', async () => {
    const exe = join(dir, 'pst-churn');
    symlinkSync(process.execPath, exe); // exec through the link: comm is pst-churn, so no other process shares it
    const busy = 'process.stdout.write("ready"); for (;;) {}';
    const oldest = await startChild(exe, ['-e', busy], true);
    // A parent of the same name with two busy children; it reaps the one it is told to kill.
    const parent = await startChild(exe, ['-e', `
      const { spawn } = require('node:child_process');
      const kids = [0, 1].map(() => spawn(process.argv0, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
      process.on('SIGUSR1', () => kids[0].kill('SIGKILL'));
      setTimeout(() => process.stdout.write('ready'), 200);`], true);
    const [middle, youngest] = childPids(parent.pid!);
    const targets = [{ unit: 'churn', comm: 'pst-churn' }];
    const state = new MetricsState();
    const events: MetricEvent[] = [];
    let oldestLast = 0;
    // Ground truth from the kernel, read right after each tick: live members' own CPU, what the parent reaped, and
    // the oldest member's last reading once it is gone (its parent, this test, is outside the unit).
    const truth = (): number => {
      const live = [oldest.pid!, parent.pid!, middle!, youngest!].map(cpuTicks);
      if (live[0]) oldestLast = live[0].own;
      return (live[0] ? live[0].own : oldestLast) + (live[1] ? live[1].own + live[1].reaped : 0) + (live[2]?.own ?? 0) + (live[3]?.own ?? 0);
    };
    const ticks: { sample: SampleEvent; truth: number; t: number }[] = [];
    const tick = async (): Promise<void> => {
      const out = sampler.sample(targets);
      const t = Date.now();
      const kernel = truth();
      out.forEach((e) => state.apply(e));
      events.push(...out);
      ticks.push({ sample: sampleOf(out, 'churn')!, truth: kernel, t });
    };
    await tick();
    const counterStart = await counterSeconds(state, 'churn');
    for (let round = 1; round <= 6; round++) {
      await sleep(800);
      await tick();
      if (round === 2) process.kill(parent.pid!, 'SIGUSR1'); // the middle member exits; its parent, in the unit, reaps it
      if (round === 4) process.kill(-oldest.pid!, 'SIGKILL'); // the oldest exits, reaped outside the unit
    }
    expect(events.filter((e) => e.type === 'unit-restarted')).toEqual([]);
    expect(ticks[0]!.sample.pid).toBe(oldest.pid);
    expect(ticks.at(-1)!.sample.pid).toBe(parent.pid); // the next oldest gives the identity, silently
    for (let i = 1; i < ticks.length; i++) {
      const { sample, truth: now, t } = ticks[i]!;
      const kernelPercent = ((now - ticks[i - 1]!.truth) * 1000) / (t - ticks[i - 1]!.t); // ticks of 10 ms
      expect(sample.cpuPercent).not.toBeNull();
      expect(Math.abs(sample.cpuPercent! - kernelPercent)).toBeLessThan(Math.max(15, kernelPercent * 0.1));
    }
    const truthSeconds = (ticks.at(-1)!.truth - ticks[0]!.truth) / 100;
    const counted = (await counterSeconds(state, 'churn')) - counterStart;
    expect(truthSeconds).toBeGreaterThan(1);
    expect(Math.abs(counted - truthSeconds) / truthSeconds).toBeLessThan(0.02);
    const sampled = ticks.at(-1)!.sample.cpuUserSeconds + ticks.at(-1)!.sample.cpuSystemSeconds - ticks[0]!.sample.cpuUserSeconds - ticks[0]!.sample.cpuSystemSeconds;
    expect(sampled).toBeCloseTo(counted, 6);
  });

  it("counts a shebang script's short-lived children in its pid unit, whatever the script's name", async () => {
    const script = join(dir, 'forker.sh');
    writeFileSync(script, "#!/bin/sh\necho ready\nwhile :; do awk 'BEGIN { for (i = 0; i < 400000; i++) x += i }'; done\n");
    chmodSync(script, 0o755);
    const forker = await startChild(script, [], true);
    expect(readFileSync(`/proc/${forker.pid}/comm`, 'utf8').trim()).toBe('forker.sh');
    const alone = procSampler({ children: false });
    try {
      const targets = [{ unit: 'forker', pid: forker.pid! }];
      const read = () => { const c = cpuTicks(forker.pid!)!; return c.own + c.reaped + childPids(forker.pid!).reduce((s, p) => s + (cpuTicks(p)?.own ?? 0), 0); };
      sampler.sample(targets);
      alone.sample(targets);
      const t0 = Date.now();
      const before = read();
      await sleep(1500);
      const tree = sampleOf(sampler.sample(targets), 'forker')!;
      const root = sampleOf(alone.sample(targets), 'forker')!;
      const kernelPercent = ((read() - before) * 1000) / (Date.now() - t0);
      expect(kernelPercent).toBeGreaterThan(10); // the children really ran
      expect(Math.abs(tree.cpuPercent! - kernelPercent)).toBeLessThan(Math.max(10, kernelPercent * 0.1));
      expect(root.cpuPercent!).toBeLessThan(tree.cpuPercent! / 2); // the shell itself mostly forks and waits
    } finally { alone.close(); }
  });
});
