import { execFileSync } from 'node:child_process';
import * as nodeFs from 'node:fs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetricEvent } from '../../src/events.js';
import { procSampler, type ProcSampler } from '../../src/sources/proc-sampler.js';
import type { ProcFs } from '../../src/sources/proc-files.js';
import { killAll, sleep, startChild } from '../helpers/children.js';

/** The real fs, counting every open of a `/proc/<pid>/cmdline` by pid. */
function countingFs() {
  const cmdlineOpens = new Map<number, number>();
  const fs: ProcFs = {
    openSync: ((path: nodeFs.PathLike, ...rest: unknown[]) => {
      const m = /^\/proc\/(\d+)\/cmdline$/.exec(String(path));
      if (m) cmdlineOpens.set(Number(m[1]), (cmdlineOpens.get(Number(m[1])) ?? 0) + 1);
      return (nodeFs.openSync as (...a: unknown[]) => number)(path, ...rest);
    }) as typeof nodeFs.openSync,
    readSync: nodeFs.readSync,
    closeSync: nodeFs.closeSync,
    readdirSync: nodeFs.readdirSync,
  };
  return { fs, opens: (pid: number) => cmdlineOpens.get(pid) ?? 0 };
}

const comm = (pid: number) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
const startTicks = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]);
const rootOf = (events: readonly MetricEvent[]) => {
  const s = events.find((e) => e.type === 'sample' && e.unit === 'm');
  return s?.type === 'sample' ? s.pid : undefined;
};

// prettier-ignore
describe('--match reads a command line once per process identity (pid, start time, comm), on real processes', () => {
  let sampler: ProcSampler;
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(process.cwd(), '.tmp-cmdline-')); });
  afterEach(async () => { sampler?.close(); await killAll(); rmSync(dir, { recursive: true, force: true }); });

  it('reads a bystander once over many ticks, and an exec (same pid and start time, new comm) once more', async () => {
    const fifo = join(dir, 'go');
    execFileSync('mkfifo', [fifo]);
    // Until it reads the FIFO the shell is `sh -c …` (comm sh); then it execs into `sleep 987654`, keeping its pid.
    const execer = await startChild('sh', ['-c', `read x < ${fifo}; exec sleep 987654`]);
    const bystander = await startChild('sleep', ['987653']);
    const { fs, opens } = countingFs();
    sampler = procSampler({ fs });
    const targets = [{ unit: 'm', match: '^sleep 987654$' }];
    while (comm(execer.pid!) !== 'sh') await sleep(20); // spawned, not yet exec'd into sh: wait for the shell

    const before = startTicks(execer.pid!);
    for (let tick = 0; tick < 3; tick++) {
      const events = sampler.sample(targets);
      expect(events).toContainEqual(expect.objectContaining({ type: 'unit-down', unit: 'm', reason: 'not-matched' }));
    }
    expect(opens(execer.pid!)).toBe(1);
    expect(opens(bystander.pid!)).toBe(1);

    writeFileSync(fifo, 'go\n');
    while (comm(execer.pid!) !== 'sleep') await sleep(20);
    expect(startTicks(execer.pid!)).toBe(before); // exec keeps the start time: only the comm tells
    for (let tick = 0; tick < 3; tick++) expect(rootOf(sampler.sample(targets))).toBe(execer.pid);
    expect(opens(execer.pid!)).toBe(2);
    expect(opens(bystander.pid!)).toBe(1);
  });
});
