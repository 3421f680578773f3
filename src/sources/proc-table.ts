import { isThreadStat, parseProcStat, type ProcStat } from '../formats/parse-proc-stat.js';
import type { PidListing } from './pid-listing.js';
import type { ProcFiles, ProcFs } from './proc-files.js';

/** Every process of a tick, read once per tick however many units need it: stats and the parent → children map. */
export interface ProcTable {
  stats: Map<number, ProcStat>;
  children: Map<number, number[]>;
  /** Command line (NUL separators as spaces), for `match` targets; read once per process identity (see below). */
  cmdline(pid: number): string;
  /** Whether this is a full listing of /proc, rather than the previous tick's pids plus the new ones. */
  full: boolean;
}

/**
 * Command lines kept across ticks, keyed by pid and checked against the start time and comm: a process's cmdline is
 * read once, not on every tick (`--match` over a busy machine read thousands per tick). An `exec` changes the comm,
 * which invalidates the entry; an `exec` of a program with the same comm, or a process rewriting its own argv, is
 * seen only if the pid is reused.
 */
export type CmdlineCache = Map<number, { startTicks: number; comm: string; line: string }>;

/**
 * Reads the stat of each process `listing` names: the `previous` tick's pids and the ones created since, or all of
 * `<procRoot>` (also without a listing). Processes that vanish meanwhile are left out, and so are threads, whose ids a
 * probe can open though /proc does not list them. When units are single roots, `previous` is the last tick's members
 * only: a process in no unit can join one only as a new descendant (a probe), so the others are not read at all (on a
 * machine of 1,700 processes, 700 fewer stats a tick for `watch` over 1,000 pids).
 */
export function readProcTable(procRoot: string, files: ProcFiles, fs: ProcFs, cmdlines: CmdlineCache = new Map(),
  listing?: PidListing, previous?: Iterable<number>): ProcTable {
  const stats = new Map<number, ProcStat>();
  const children = new Map<number, number[]>();
  const add = (pid: number, probe: boolean): void => {
    const length = files.readBytes(pid, 'stat', !probe);
    if (typeof length !== 'number' && !probe) files.forget(pid); // exited: its statm and io fds go too
    const stat = typeof length === 'number' ? parseProcStat(files.bytes(), length) : null;
    if (!stat || stats.has(pid) || (probe && isThreadStat(files.bytes(), length as number))) return;
    stats.set(pid, stat);
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(pid); else children.set(stat.ppid, [pid]);
  };
  let full = true;
  if (listing) {
    const { listed, probes, full: all } = listing.pids(previous);
    full = all;
    for (const pid of listed) add(pid, false);
    for (const pid of probes) add(pid, true);
  } else {
    for (const name of fs.readdirSync(procRoot)) {
      const pid = Number(name);
      if (Number.isInteger(pid) && pid > 0) add(pid, false);
    }
  }
  const cmdline = (pid: number): string => {
    const stat = stats.get(pid);
    const known = cmdlines.get(pid);
    if (known && stat && known.startTicks === stat.startTicks && known.comm === stat.comm) return known.line;
    const text = files.read(pid, 'cmdline', false);
    const line = typeof text === 'string' ? text.replace(/\0+$/, '').replaceAll('\0', ' ') : '';
    if (stat) cmdlines.set(pid, { startTicks: stat.startTicks, comm: stat.comm, line });
    return line;
  };
  return { stats, children, cmdline, full };
}

/** `pid` and its ancestors in the table: procstream and the wrappers that launched it (`npm`, `sh -c`). */
export function selfAndAncestors(table: ProcTable, pid: number): Set<number> {
  const out = new Set<number>();
  for (let at: number | undefined = pid; at !== undefined && at > 0 && !out.has(at); at = table.stats.get(at)?.ppid) out.add(at);
  return out;
}

/**
 * Every user-space process whose comm or command line matches, except `excluded` (procstream and its ancestors: the
 * `sh -c 'procstream --match worker'` wrapper holds the pattern in its own command line), oldest first.
 */
export function matchGroup(table: ProcTable, pattern: RegExp, excluded: ReadonlySet<number>): ProcStat[] {
  const out: ProcStat[] = [];
  for (const stat of table.stats.values()) {
    if (excluded.has(stat.pid) || isKernelThread(stat)) continue;
    if (pattern.test(stat.comm) || pattern.test(table.cmdline(stat.pid))) out.push(stat);
  }
  return out.sort(byAge);
}

/** A kernel thread (kthreadd, pid 2, and its children) has no user memory and no unit to belong to. */
export const isKernelThread = (stat: ProcStat): boolean => stat.pid === 2 || stat.ppid === 2;

/** Oldest first: by start time, then pid. */
const byAge = (a: ProcStat, b: ProcStat): number => a.startTicks - b.startTicks || a.pid - b.pid;

// Per tick, one pass groups the listing by comm: scanning it once per comm unit cost units × processes (a soak with
// 200 units over 2,500 processes spent ~14 % of its CPU there).
const commIndexes = new WeakMap<ProcTable, Map<string, ProcStat[]>>();

/**
 * The user-space processes whose comm is exactly `comm`, oldest first. Zombies are included: their final CPU is
 * still the group's until their parent reaps them (callers tell live members by `state`).
 */
export function commGroup(table: ProcTable, comm: string): ProcStat[] {
  let index = commIndexes.get(table);
  if (!index) {
    index = new Map();
    for (const stat of table.stats.values()) {
      if (isKernelThread(stat)) continue;
      const group = index.get(stat.comm);
      if (group) group.push(stat); else index.set(stat.comm, [stat]);
    }
    for (const group of index.values()) group.sort(byAge);
    commIndexes.set(table, index);
  }
  return index.get(comm) ?? [];
}
