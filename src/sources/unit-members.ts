import type { ProcTable } from './proc-table.js';

/** How one unit claims processes on a tick: its root pids, and whether their descendants join it. */
export interface UnitClaim {
  roots: readonly number[];
  tree: boolean;
}

const NONE = -1;
const PENDING = -2;

/**
 * The unit (index into `claims`) of every process that belongs to one: the rule of docs/targets.md, in the manner of
 * netdata's apps groups. A root belongs to the first unit that claims it; any other process belongs to the unit of
 * its nearest ancestor that is a root, if that unit takes its tree. So each process is in at most one unit, and when
 * every comm is a unit (the whole-machine mode) in exactly one.
 */
export function assignMembers(table: ProcTable, claims: readonly UnitClaim[]): Map<number, number> {
  const rootOf = new Map<number, number>();
  claims.forEach((claim, i) => { for (const pid of claim.roots) if (!rootOf.has(pid)) rootOf.set(pid, i); });
  // nearest[pid]: the unit of the nearest root at or above pid, NONE when there is none; memoised, so the whole
  // table costs one walk up each ppid chain in total.
  const nearest = new Map<number, number>();
  const path: number[] = [];
  const known = (pid: number): number | undefined => rootOf.get(pid) ?? nearest.get(pid);
  for (const pid of table.stats.keys()) {
    let at = pid;
    let found = known(at);
    while (found === undefined) {
      nearest.set(at, PENDING); // a ppid cycle (pids reused while the listing was read) ends the walk
      path.push(at);
      const ppid = table.stats.get(at)?.ppid ?? 0;
      if (ppid <= 0) { found = NONE; break; }
      at = ppid;
      found = known(at);
    }
    if (found === PENDING) found = NONE;
    for (const p of path) nearest.set(p, found);
    path.length = 0;
  }
  const members = new Map<number, number>();
  for (const [pid, unit] of rootOf) if (table.stats.has(pid)) members.set(pid, unit);
  for (const [pid, unit] of nearest) if (unit >= 0 && claims[unit]!.tree && table.stats.has(pid)) members.set(pid, unit);
  return members;
}
