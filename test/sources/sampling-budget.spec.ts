import * as fs from 'node:fs';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isThreadStat } from '../../src/formats/parse-proc-stat.js';
import { fdBudgetOf, readHostInfo } from '../../src/sources/host-info.js';
import { pidListing } from '../../src/sources/pid-listing.js';
import { startChild, killAll } from '../helpers/children.js';

describe('sampling budget pieces', () => {
  it('keeps all but an eighth of the soft fd limit (at least 512) for kept fds, read from this process', () => {
    expect(fdBudgetOf(20_000)).toBe(17_500);
    expect(fdBudgetOf(1_024)).toBe(512);
    expect(fdBudgetOf(300)).toBe(0);
    const soft = Number(/^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1]);
    expect(readHostInfo().fdBudget).toBe(fdBudgetOf(soft));
    expect(fdBudgetOf(soft)).toBeGreaterThanOrEqual(15_000 + 512); // 5,000 pids × 3 files, as on this machine
  });

  it('tells a thread from a process by exit_signal, though /proc/<tid>/stat opens for both', () => {
    const tids = fs.readdirSync(`/proc/${process.pid}/task`).map(Number);
    expect(tids.length).toBeGreaterThan(1); // node runs worker threads
    for (const tid of tids) expect(isThreadStat(readFileSync(`/proc/${tid}/stat`))).toBe(tid !== process.pid);
  });

  it('probes the pids handed out since the previous listing, and lists /proc in full at first', async () => {
    const listing = pidListing('/proc', fs);
    try {
      const first = listing.pids(undefined);
      expect(first.full).toBe(true);
      expect([...first.listed]).toContain(process.pid);
      const child = await startChild('sleep', ['30']);
      const next = listing.pids(first.listed);
      expect(next.full).toBe(false);
      expect(next.probes).toContain(child.pid);
    } finally { listing.close(); await killAll(); }
  });
});
