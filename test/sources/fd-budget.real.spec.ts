import * as nodeFs from 'node:fs';
import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcFs } from '../../src/sources/proc-files.js';
import { procSampler, type ProcSampler } from '../../src/sources/proc-sampler.js';
import { killAll, startChild } from '../helpers/children.js';

/** The real fs, counting opens of /proc/<pid>/<file> for the pids in `watched`. */
function countingFs(watched: ReadonlySet<number>) {
  let opens = 0;
  const fs: ProcFs = {
    openSync: ((path: nodeFs.PathLike, ...rest: unknown[]) => {
      const m = /^\/proc\/(\d+)\/(stat|statm|io)$/.exec(String(path));
      if (m && watched.has(Number(m[1]))) opens += 1;
      return (nodeFs.openSync as (...a: unknown[]) => number)(path, ...rest);
    }) as typeof nodeFs.openSync,
    readSync: nodeFs.readSync,
    closeSync: nodeFs.closeSync,
    readdirSync: nodeFs.readdirSync,
  };
  return { fs, opens: () => opens };
}

describe('the fd budget goes to the members of single-root units, on the real /proc', () => {
  let sampler: ProcSampler | undefined;
  afterEach(async () => { sampler?.close(); await killAll(); });

  it("keeps every member's three files open once the first full listing's other processes are let go", async () => {
    const MEMBERS = 40;
    // Room for the members' 120 files and a little more, less than the other processes: the first (full) listing
    // reads the stat of every process in pid order, and would fill the budget with strangers'. A quiet machine (a CI
    // container) gets strangers started first, so they have the lower pids.
    const fdBudget = 3 * MEMBERS + 10;
    const processes = () => readdirSync('/proc').filter((x) => /^\d+$/.test(x)).length;
    await Promise.all(Array.from({ length: Math.max(0, fdBudget + 20 - processes()) }, () => startChild('sleep', ['600'])));
    const children = await Promise.all(Array.from({ length: MEMBERS }, () => startChild('sleep', ['600'])));
    const pids = new Set(children.map((c) => c.pid!));
    expect(processes() - pids.size).toBeGreaterThan(fdBudget);
    const { fs, opens } = countingFs(pids);
    sampler = procSampler({ fs, fdBudget }); // trees by default: the table is listed, in full on the first tick
    const targets = [...pids].map((pid) => ({ unit: `p${pid}`, pid }));
    sampler.sample(targets);
    sampler.sample(targets);
    const before = opens();
    for (let tick = 0; tick < 3; tick++) {
      const samples = sampler.sample(targets).filter((e) => e.type === 'sample');
      expect(samples).toHaveLength(pids.size);
    }
    expect(opens() - before).toBe(0); // no member file reopened on a tick
    expect(sampler.openFds()).toBe(3 * pids.size);
  });
});
