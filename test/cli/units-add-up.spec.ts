import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MetricEvent, SampleEvent } from '../../src/events.js';
import { ensureBuilt, env, procstream, root, start } from '../helpers/bin.js';
import { killAll, sleep, startChild } from '../helpers/children.js';

/** user + nice + system of the whole machine from /proc/stat, in clock ticks: the CPU that processes used. */
function machineProcessTicks(): number {
  const [user, nice, system] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 4).map(Number);
  return user! + nice! + system!;
}

/** Processes on the machine (kernel threads included), for the record. */
const processCount = (): number => readdirSync('/proc').filter((name) => /^\d+$/.test(name)).length;

describe('procstream watch: units that add up', () => {
  beforeAll(() => ensureBuilt());
  afterEach(async () => { await killAll(); });

  it('whole machine: the units sum to the machine\'s process CPU over 12 rounds, with churn and no restarts', async () => {
    const busy = `awk 'BEGIN { for (;;) x++ }'`;
    await startChild('sh', ['-c', `${busy} & ${busy} & echo ready; wait`], true);
    await startChild('sh', ['-c', `echo ready; while :; do awk 'BEGIN { for (i = 0; i < 300000; i++) x += i }'; done`], true);
    await sleep(300);
    const watch = start(['watch', '--format', 'ndjson', '--count', '12', '--interval', '1s']);
    // Per unit, the CPU of its previous sample; a unit removed (its command name gone at the 5 s poll) and added
    // again starts over, from its members' lifetimes, so only growth between two samples of one incarnation counts.
    const last = new Map<string, number>();
    const grown = new Map<string, number>();
    const restarts: MetricEvent[] = [];
    const roundTicks: number[] = [];
    let ts = -1;
    for await (const line of createInterface({ input: watch.stdout! })) {
      const e = JSON.parse(line) as MetricEvent;
      if (e.type === 'unit-restarted') restarts.push(e);
      if (e.type === 'unit-removed' || e.type === 'unit-added') last.delete(e.unit);
      if (e.type !== 'sample') continue;
      if (e.ts !== ts) { ts = e.ts; roundTicks.push(machineProcessTicks()); } // the round's first line: read the machine now
      const cpu = (e as SampleEvent).cpuUserSeconds + (e as SampleEvent).cpuSystemSeconds;
      const before = last.get(e.unit);
      if (before !== undefined) grown.set(e.unit, (grown.get(e.unit) ?? 0) + cpu - before);
      last.set(e.unit, cpu);
    }
    expect(roundTicks).toHaveLength(12);
    const unitsSeconds = [...grown.values()].reduce((sum, s) => sum + s, 0);
    const top = [...grown].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([u, s]) => `${u} ${s.toFixed(2)}`).join(', ');
    const machineSeconds = (roundTicks.at(-1)! - roundTicks[0]!) / 100;
    const ratio = unitsSeconds / machineSeconds;
    console.log(`units ${unitsSeconds.toFixed(2)} s / machine ${machineSeconds.toFixed(2)} s = ${ratio.toFixed(3)} over 11 intervals, ` +
      `${grown.size} units, ${processCount()} processes on the machine; most: ${top}`);
    expect(restarts).toEqual([]);
    expect(machineSeconds).toBeGreaterThan(5); // the workload really ran
    expect(ratio).toBeGreaterThanOrEqual(0.9);
    expect(ratio).toBeLessThanOrEqual(1.05);
  });

  it('--match behind an sh -c wrapper sums every matching process with its tree, never the wrapper', async () => {
    const tag = `pst-match-${process.pid}`;
    const workers = [];
    for (let i = 0; i < 3; i++) workers.push(await startChild('sh', ['-c', `echo ready; sleep 600; : ${tag}`], true));
    await sleep(200);
    const wrapper = spawn('sh', ['-c', `${procstream} watch --match ${tag} --format ndjson --count 2 --interval 500ms`], { cwd: root, env });
    const lines: string[] = [];
    for await (const line of createInterface({ input: wrapper.stdout })) lines.push(line);
    const samples = lines.map((l) => JSON.parse(l) as MetricEvent).filter((e): e is SampleEvent => e.type === 'sample');
    expect(samples).toHaveLength(2);
    const shells = workers.map((w) => w.pid!);
    for (const s of samples) {
      expect(s.unit).toBe(tag);
      expect(s.processes).toBe(6); // three shells and their sleeps
      expect(s.pid).toBe(shells[0]); // the oldest match gives the identity; the wrapper and procstream never match
      expect(s.pid).not.toBe(wrapper.pid);
    }
  });
});
