import * as nodeFs from 'node:fs';
import { asyncScheduler, type TimestampProvider } from 'rxjs';
import { EVENT_FORMAT_VERSION, type MetricEvent } from '../events.js';
import type { ProcStat } from '../formats/parse-proc-stat.js';
import { parseProcStat } from '../formats/parse-proc-stat.js';
import { readHostInfo } from './host-info.js';
import { memberLedger } from './member-ledger.js';
import { procFiles, type ProcFs } from './proc-files.js';
import { commGroup, matchGroup, readProcTable, selfAndAncestors, type CmdlineCache, type ProcTable } from './proc-table.js';
import type { Sampler, UnitTarget } from './sampler.js';
import { assignMembers } from './unit-members.js';
import { measureUnits, type UnitAccount } from './unit-account.js';
import { noteIdentity, syncUnits } from './unit-registry.js';
import { uptimeTicks } from './uptime.js';
import { pidListing } from './pid-listing.js';

/** Options of {@link procSampler}; host constants default to what {@link readHostInfo} finds. */
export interface ProcSamplerOptions {
  /** Where /proc is (default `/proc`); tests point it at a fixture tree. */
  procRoot?: string;
  /**
   * Count each unit's process tree (default `true`; `'auto'` is the same, kept for old callers): its roots' live and
   * reaped descendants, except those that are the root of another unit. `false` measures the roots alone. A target's
   * own `children` field wins.
   */
  children?: boolean | 'auto';
  pageSizeBytes?: number;
  clockTicksPerSec?: number;
  bootTimeMs?: number;
  /** Divisor of `hostCpuPercent` (default: available parallelism). */
  cores?: number;
  /** Most fds kept open across ticks (default: the soft RLIMIT_NOFILE less headroom, see docs/sampling.md). */
  fdBudget?: number;
  /** Clock of `ts` and of the CPU share's wall interval (default `asyncScheduler`). */
  scheduler?: TimestampProvider;
  fs?: ProcFs;
}

/** A /proc sampler; `openFds` tells how many descriptors it keeps. */
export interface ProcSampler extends Sampler {
  sample(targets: readonly UnitTarget[]): MetricEvent[];
  /** How many /proc file descriptors are kept open across ticks. */
  openFds(): number;
}

/** A unit's claim on this tick: its roots, or why it has none; `pre` holds its events that precede its sample. */
interface Claim {
  roots: number[];
  tree: boolean;
  down?: string;
  /** A root read outside the listing (no listing this tick, or it started after the listing was read). */
  extra?: ProcStat;
  pre?: MetricEvent[];
  restarted: boolean;
}

/** Samples units from /proc: stat, statm and io per process, on kept-open fds, with no child process. */
export function procSampler(options: ProcSamplerOptions = {}): ProcSampler {
  const { procRoot = '/proc', children = true, scheduler = asyncScheduler, fs = nodeFs } = options;
  const host = { ...readHostInfo(procRoot), ...definedOnly(options) };
  const files = procFiles({ procRoot, fdBudget: host.fdBudget, fs });
  const units = new Map<string, UnitAccount>();
  const patterns = new Map<string, RegExp | null>();
  const ledger = memberLedger();
  const cmdlines: CmdlineCache = new Map();
  const uptime = uptimeTicks(procRoot, host.clockTicksPerSec, fs);
  const listing = pidListing(procRoot, fs);
  let previousUptime: number | undefined;
  // The previous tick's listing and members: the next listing starts from them (see readProcTable).
  let previous: { targets: readonly UnitTarget[]; table: ProcTable; members: ReadonlyMap<number, number> } | undefined;
  let errors = 0;
  let synced: readonly UnitTarget[] | undefined;

  const regexOf = (source: string): RegExp | null => {
    let pattern = patterns.get(source);
    if (pattern === undefined) {
      try { pattern = new RegExp(source); } catch { pattern = null; }
      patterns.set(source, pattern);
    }
    return pattern;
  };

  /** The root of a single-root unit (pid, pid file), with the identity checks that may turn it down or restart it. */
  function claimSingle(target: UnitTarget & ({ pid: number } | { pidFile: string }), state: UnitAccount, claim: Claim, now: number, table: ProcTable | undefined): void {
    const pid = 'pid' in target ? (target.pid > 0 ? target.pid : (target as { downReason?: string }).downReason ?? 'stopped') : pidFromFile(target.pidFile);
    if (typeof pid === 'string') { claim.down = pid; return; }
    let root = table?.stats.get(pid);
    if (!root) {
      const length = files.readBytes(pid, 'stat');
      if (typeof length !== 'number') { files.forget(pid); claim.down = 'exited'; return; }
      const parsed = parseProcStat(files.bytes(), length);
      if (!parsed) {
        claim.down = 'error';
        (claim.pre ??= []).push({ type: 'error', v: EVENT_FORMAT_VERSION, unit: target.unit, ts: now, source: 'sampler', code: 'E_PARSE', count: ++errors,
          message: `${procRoot}/${pid}/stat: malformed or truncated (${length} bytes)` });
        return;
      }
      root = claim.extra = parsed;
    }
    const startTimeMs = host.bootTimeMs + Math.round((root.startTicks * 1000) / host.clockTicksPerSec);
    if ('pid' in target) {
      if (state.pinnedPid !== pid) { state.pinnedPid = pid; state.startTicks = undefined; }
      else if (state.startTicks !== undefined && state.startTicks !== root.startTicks) { claim.down = 'pid-reused'; return; }
    }
    if ('pidFile' in target && isStalePidFile(target.pidFile, startTimeMs)) { claim.down = 'pid-file-stale'; return; }
    claim.roots = [pid]; // one element: a push onto [] would allocate room for 17
    if (root.state === 'Z' || root.state === 'X') { claim.down = 'exited'; return; } // its last CPU still counts
    if (state.startTicks !== root.startTicks || state.identity?.pid !== pid) {
      const restarted = noteIdentity(state, target.unit, now, { pid, startTimeMs });
      if (restarted) { (claim.pre ??= []).push(restarted); claim.restarted = true; }
      state.startTicks = root.startTicks;
    }
  }

  /** The roots of a group (comm, match): every matching process; the oldest live one gives the identity, never a restart. */
  function claimGroup(target: UnitTarget & ({ comm: string } | { match: string }), state: UnitAccount, claim: Claim, table: ProcTable): void {
    let group: ProcStat[];
    if ('comm' in target) group = commGroup(table, target.comm);
    else {
      const pattern = regexOf(target.match);
      if (!pattern) { claim.down = 'invalid-match'; return; }
      group = matchGroup(table, pattern, selfAndAncestors(table, process.pid));
    }
    claim.roots = group.map((stat) => stat.pid);
    const oldest = group.find((stat) => stat.state !== 'Z' && stat.state !== 'X');
    if (!oldest) { claim.down = 'not-matched'; return; }
    state.identity = { pid: oldest.pid, startTimeMs: host.bootTimeMs + Math.round((oldest.startTicks * 1000) / host.clockTicksPerSec) };
  }

  return {
    sample(targets) {
      const now = scheduler.now();
      const bornAfter = previousUptime;
      previousUptime = uptime();
      // The same list as last tick (the targets source re-emits only on change) adds and removes no unit; the checks
      // after the identity catch a caller that edits its array in place.
      const same = targets === synced && units.size === targets.length && targets.every((t) => units.has(t.unit));
      const changes = same ? [] : syncUnits(units, targets, now, () => ({ restarts: 0, total: { user: 0, sys: 0, read: 0, write: 0 } }));
      synced = targets;
      const treeOf = (t: UnitTarget): boolean => t.children ?? children !== false;
      // The listing is needed for groups and trees; a set of single roots measured alone reads only those roots.
      const singleRoots = targets.every((t) => 'pid' in t || 'pidFile' in t);
      // New targets get a full listing. A pid file naming an old process that was in no unit finds that process's
      // descendants at the next full listing (a restart's new process is a probe, and so are its children).
      const last = previous?.targets === targets ? (singleRoots ? previous.members.keys() : previous.table.stats.keys()) : undefined;
      const table = !singleRoots || targets.some(treeOf) ? readProcTable(procRoot, files, fs, cmdlines, listing, last) : undefined;
      const claims = targets.map((target): Claim => {
        const claim: Claim = { roots: [], tree: treeOf(target), restarted: false };
        const state = units.get(target.unit)!;
        if ('pid' in target || 'pidFile' in target) claimSingle(target, state, claim, now, table);
        else if ('cgroup' in target || 'systemdUnit' in target) claim.down = 'not-a-process-target'; // linuxSampler's cgroup sampler
        else if (table) claimGroup(target, state, claim, table);
        return claim;
      });
      const members = table ? assignMembers(table, claims) : new Map<number, number>();
      claims.forEach((claim, i) => { if (claim.extra || !table) for (const pid of claim.roots) if (!members.has(pid)) members.set(pid, i); });
      const stats = (pid: number): ProcStat | undefined => claims[members.get(pid)!]!.extra ?? table?.stats.get(pid);
      ledger.begin(table && ((pid) => table.stats.get(pid)), bornAfter);
      const out: MetricEvent[] = changes.filter((e) => e.type === 'unit-added');
      measureUnits({ targets, claims, members, stats, units, ledger, files, host, now, out });
      ledger.end();
      previous = table && { targets, table, members };
      for (const e of changes) if (e.type !== 'unit-added') out.push(e);
      if (table?.full) {
        // Exited processes leave the listing but kept their fds; between full listings, a failed read closes them.
        // Single roots read only their members until the next full listing, so the other processes' stat fds from
        // this one go too: they held the budget the members' statm and io needed, reopened on every tick.
        files.retain(singleRoots ? (pid) => members.has(pid) : (pid) => table.stats.has(pid));
        for (const pid of cmdlines.keys()) if (!table.stats.has(pid)) cmdlines.delete(pid);
      }
      return out;
    },
    openFds: () => files.openFds(),
    close() { files.close(); units.clear(); synced = undefined; cmdlines.clear(); uptime.close(); listing.close(); },
  };
}

/** The pid a pid file names, or why it names none. */
function pidFromFile(path: string): number | string {
  try {
    const text = readPidFile(path);
    return /^\d{1,10}$/.test(text) && Number(text) > 0 ? Number(text) : 'pid-file-invalid';
  } catch {
    return 'pid-file-missing';
  }
}

/** The first 32 bytes of a pid file, trimmed, read without blocking: a FIFO or a device there must not stall a tick. */
function readPidFile(path: string): string {
  const fd = nodeFs.openSync(path, nodeFs.constants.O_RDONLY | nodeFs.constants.O_NONBLOCK);
  try {
    const buffer = Buffer.alloc(32);
    return buffer.toString('utf8', 0, nodeFs.readSync(fd, buffer, 0, 32, null)).trim();
  } finally {
    nodeFs.closeSync(fd);
  }
}

/** A pid file older than the process it names was left behind by a dead process whose pid was recycled. */
function isStalePidFile(path: string, startTimeMs: number): boolean {
  try {
    return startTimeMs > nodeFs.statSync(path).mtimeMs + 1000; // btime has whole seconds
  } catch {
    return false;
  }
}

function definedOnly(options: ProcSamplerOptions): Partial<Record<string, number>> {
  const keys = ['pageSizeBytes', 'clockTicksPerSec', 'bootTimeMs', 'cores', 'fdBudget'] as const;
  return Object.fromEntries(keys.flatMap((k) => (options[k] === undefined ? [] : [[k, options[k]]])));
}
