import type { ProcIo } from '../formats/parse-proc-io.js';
import type { ProcStat } from '../formats/parse-proc-stat.js';

/** What one member added to its unit since the previous tick: CPU in clock ticks, storage IO in bytes. */
export interface MemberDelta {
  userTicks: number;
  systemTicks: number;
  readBytes: number;
  writeBytes: number;
}

/** A member's raw counters at its last reading; `cuser`/`csys` and the IO include its reaped children. */
interface Reading {
  startTicks: number;
  ppid: number;
  user: number;
  sys: number;
  cuser: number;
  csys: number;
  read: number | null;
  write: number | null;
}

/** Per-member accounting across ticks: see {@link memberLedger}. */
export interface MemberLedger {
  /**
   * Starts a tick. `current(pid)` gives a process's stat on this tick when it is listed (undefined: no listing);
   * `bornAfterTicks` is the boot-clock time of the previous tick, in clock ticks, when known.
   */
  begin(current: ((pid: number) => ProcStat | undefined) | undefined, bornAfterTicks: number | undefined): void;
  /** Reads one member into `out` (its growth since its last reading); `tree` counts its reaped children too. */
  account(stat: ProcStat, io: ProcIo | null, tree: boolean, out: MemberDelta): void;
  /** Ends the tick: members not accounted in it are forgotten. */
  end(): void;
}

const max0 = (x: number): number => (x > 0 ? x : 0);

/**
 * Members are tracked by identity (pid + start time), and a unit's growth is the sum of its members' growth. A member
 * that leaves counts up to its last reading; what it used after that reaches its parent's `cutime`/`cstime` (and
 * IO) when the parent reaps it, so a tree member gets its reaped children's totals *minus* what those children had at
 * their last reading, which was already counted: nothing twice, nothing lost, and no zero when a member leaves. A new
 * process born since the previous tick counts in full (it ran only in this interval); an older process that joins
 * (the first tick, a new target) is a baseline and adds nothing.
 */
export function memberLedger(): MemberLedger {
  // One reading per member, updated in place: a fresh object per member per tick was most of the sampler's garbage.
  const readings = new Map<number, Reading & { tick: number }>();
  // Per parent pid: the summed last readings of its children that are gone, which its cutime now holds.
  const reaped = new Map<number, { user: number; sys: number; read: number; write: number }>();
  let bornAfter: number | undefined;
  let tick = 0;
  const owe = (pid: number, r: Reading): void => {
    const sum = reaped.get(pid) ?? { user: 0, sys: 0, read: 0, write: 0 };
    sum.user += r.user + r.cuser;
    sum.sys += r.sys + r.csys;
    sum.read += r.read ?? 0;
    sum.write += r.write ?? 0;
    reaped.set(pid, sum);
  };
  /**
   * Who reaped an orphan: the nearest subreaper ancestor or the namespace's init, which /proc does not name. Up the
   * orphan's ancestry (the last readings for the ancestors that went, this tick's stats above), it is the first
   * tracked live one whose cutime grew by at least what the orphan had: the others did not reap it. Without this, a
   * tree killed at once (`kill -- -PGID`) counted its children twice: once in their units, once in init's cutime.
   */
  const reaperOf = (orphan: Reading, current: (pid: number) => ProcStat | undefined): number | undefined => {
    const debt = orphan.user + orphan.cuser + orphan.sys + orphan.csys;
    let at = orphan.ppid;
    for (let steps = 0; at > 0 && steps < 64; steps++) {
      const last = readings.get(at);
      const now = current(at);
      if (last && now && now.startTicks === last.startTicks) {
        const owed = reaped.get(at);
        const grown = now.cutimeTicks + now.cstimeTicks - last.cuser - last.csys - (owed ? owed.user + owed.sys : 0);
        if (grown >= debt) return at;
      }
      const next = now && (!last || now.startTicks === last.startTicks) ? now.ppid : last?.ppid;
      if (next === undefined) return undefined;
      at = next;
    }
    return undefined;
  };
  return {
    begin(current, bornAfterTicks) {
      bornAfter = bornAfterTicks;
      tick += 1;
      if (reaped.size > 0) reaped.clear();
      if (!current) return;
      const live = (pid: number, r: Reading | undefined): boolean => r !== undefined && current(pid)?.startTicks === r.startTicks;
      const orphans: Reading[] = [];
      // forEach, not for…of entries: an [pid, reading] pair per member per tick was garbage.
      readings.forEach((r, pid) => {
        if (live(pid, r)) return;
        if (live(r.ppid, readings.get(r.ppid))) owe(r.ppid, r);
        else orphans.push(r); // its parent went too: a subreaper or init reaped it (see below)
      });
      for (const r of orphans) {
        const reaper = reaperOf(r, current);
        if (reaper !== undefined) owe(reaper, r);
      }
    },
    account(stat, io, tree, out) {
      const prev = readings.get(stat.pid);
      const same = prev !== undefined && prev.startTicks === stat.startTicks;
      // No IO reading (a zombie, EACCES): keep the last one, so the reaping parent's subtraction stays whole.
      const read = io ? io.readBytes : same ? prev.read : null;
      const write = io ? io.writeBytes : same ? prev.write : null;
      if (same) {
        const gone = tree ? reaped.get(stat.pid) : undefined;
        out.userTicks = max0(stat.utimeTicks - prev.user) + (tree ? max0(stat.cutimeTicks - prev.cuser - (gone?.user ?? 0)) : 0);
        out.systemTicks = max0(stat.stimeTicks - prev.sys) + (tree ? max0(stat.cstimeTicks - prev.csys - (gone?.sys ?? 0)) : 0);
        out.readBytes = read === null || prev.read === null ? 0 : max0(read - prev.read - (gone?.read ?? 0));
        out.writeBytes = write === null || prev.write === null ? 0 : max0(write - prev.write - (gone?.write ?? 0));
      } else if (bornAfter !== undefined && stat.startTicks >= bornAfter) {
        out.userTicks = stat.utimeTicks + (tree ? stat.cutimeTicks : 0);
        out.systemTicks = stat.stimeTicks + (tree ? stat.cstimeTicks : 0);
        out.readBytes = read ?? 0;
        out.writeBytes = write ?? 0;
      } else {
        out.userTicks = out.systemTicks = out.readBytes = out.writeBytes = 0;
      }
      const r = prev ?? { tick, startTicks: 0, ppid: 0, user: 0, sys: 0, cuser: 0, csys: 0, read: null, write: null };
      r.tick = tick; r.startTicks = stat.startTicks; r.ppid = stat.ppid; r.user = stat.utimeTicks; r.sys = stat.stimeTicks;
      r.cuser = stat.cutimeTicks; r.csys = stat.cstimeTicks; r.read = read; r.write = write;
      if (!prev) readings.set(stat.pid, r);
    },
    end() {
      readings.forEach((r, pid) => { if (r.tick !== tick) readings.delete(pid); });
    },
  };
}
