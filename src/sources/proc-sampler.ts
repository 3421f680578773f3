import * as nodeFs from 'node:fs';
import { asyncScheduler, type TimestampProvider } from 'rxjs';
import { EVENT_FORMAT_VERSION, type MetricEvent, type SampleEvent } from '../events.js';
import { parseProcIo } from '../formats/parse-proc-io.js';
import { parseProcStat, type ProcStat } from '../formats/parse-proc-stat.js';
import { parseProcStatm } from '../formats/parse-proc-statm.js';
import { percentOfCore } from '../formats/percent-of-core.js';
import { readHostInfo } from './host-info.js';
import { procFiles, type ProcFs } from './proc-files.js';
import { commGroup, descendantsOf, matchRoot, readProcTable, type ProcTable } from './proc-table.js';
import type { Sampler, UnitTarget } from './sampler.js';
import { noteIdentity, syncUnits, type UnitRecord } from './unit-registry.js';
import { roundMicros, roundPercent, roundPercentOrNull } from '../formats/resolution.js';

/** Options of {@link procSampler}; host constants default to what {@link readHostInfo} finds. */
export interface ProcSamplerOptions {
  /** Where /proc is (default `/proc`); tests point it at a fixture tree. */
  procRoot?: string;
  /** Sum live descendants: `'auto'` (default) does so for units whose root comm is sh, bash, dash or zsh. */
  children?: boolean | 'auto';
  pageSizeBytes?: number;
  clockTicksPerSec?: number;
  bootTimeMs?: number;
  /** Divisor of `hostCpuPercent` (default: available parallelism). */
  cores?: number;
  /** Most fds kept open across ticks (default: half the soft RLIMIT_NOFILE). */
  fdBudget?: number;
  /** Clock of `ts` and of the CPU share's wall interval (default `asyncScheduler`). */
  scheduler?: TimestampProvider;
  fs?: ProcFs;
}

/** A /proc sampler; `openFds` tells how many descriptors it keeps. */
export interface ProcSampler extends Sampler {
  sample(targets: readonly UnitTarget[]): MetricEvent[];
  /** Descriptors of /proc files kept open between ticks now (one per file per tracked pid, within the budget). */
  openFds(): number;
}

interface UnitState extends UnitRecord {
  startTicks?: number;
  /** For `pid` targets: the pid the identity was pinned for; a new start time behind it is a recycled pid. */
  pinnedPid?: number;
  /** Raw sums at the previous sample, and the reported CPU ticks then. */
  raw?: { user: number; sys: number; read: number | null; write: number | null; cpuTicks: number };
  total: { user: number; sys: number; read: number; write: number };
  lastTs?: number;
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh']);
const NET_MISSING = 'no per-process counters on Linux';

/** Samples units from /proc: stat, statm and io per process, on kept-open fds, with no child process. */
export function procSampler(options: ProcSamplerOptions = {}): ProcSampler {
  const { procRoot = '/proc', children = 'auto', scheduler = asyncScheduler, fs = nodeFs } = options;
  const host = { ...readHostInfo(procRoot), ...definedOnly(options) };
  const files = procFiles({ procRoot, fdBudget: host.fdBudget, fs });
  const units = new Map<string, UnitState>();
  const patterns = new Map<string, RegExp | null>();
  let errors = 0;
  const base = (unit: string, ts: number): { v: typeof EVENT_FORMAT_VERSION; unit: string; ts: number } => ({ v: EVENT_FORMAT_VERSION, unit, ts });

  function resolve(target: UnitTarget, table: () => ProcTable): number | string {
    if ('pid' in target) return target.pid > 0 ? target.pid : target.downReason ?? 'stopped';
    if ('pidFile' in target) {
      try {
        const text = readPidFile(target.pidFile);
        return /^\d{1,10}$/.test(text) && Number(text) > 0 ? Number(text) : 'pid-file-invalid';
      } catch {
        return 'pid-file-missing';
      }
    }
    if ('comm' in target) return commGroup(table(), target.comm)[0]?.pid ?? 'not-matched';
    if (!('match' in target)) return 'not-a-process-target'; // cgroup targets go to the cgroup sampler
    let pattern = patterns.get(target.match);
    if (pattern === undefined) {
      try { pattern = new RegExp(target.match); } catch { pattern = null; }
      patterns.set(target.match, pattern);
    }
    return pattern ? matchRoot(table(), pattern, process.pid)?.pid ?? 'not-matched' : 'invalid-match';
  }

  /** Appends the unit's events to `out` (pushing, not returning arrays: this runs for every unit on every tick). */
  function sampleUnit(target: UnitTarget, state: UnitState, now: number, table: () => ProcTable, out: MetricEvent[]): void {
    const unit = target.unit;
    const down = (reason: string): void => { out.push({ type: 'unit-down', v: EVENT_FORMAT_VERSION, unit, ts: now, reason }); };
    const pid = resolve(target, table);
    if (typeof pid === 'string') return down(pid);
    const length = files.readBytes(pid, 'stat');
    if (typeof length !== 'number') { files.forget(pid); return down('exited'); }
    const root = parseProcStat(files.bytes(), length);
    if (!root) {
      out.push({ type: 'error', ...base(unit, now), source: 'sampler', code: 'E_PARSE', count: ++errors,
        message: `${procRoot}/${pid}/stat: malformed or truncated (${length} bytes)` });
      return;
    }
    if (root.state === 'Z' || root.state === 'X') return down('exited');
    const startTimeMs = host.bootTimeMs + Math.round((root.startTicks * 1000) / host.clockTicksPerSec);
    if ('pid' in target) {
      if (state.pinnedPid !== pid) { state.pinnedPid = pid; state.startTicks = undefined; }
      else if (state.startTicks !== undefined && state.startTicks !== root.startTicks) return down('pid-reused');
    }
    if ('pidFile' in target && isStalePidFile(target.pidFile, startTimeMs)) return down('pid-file-stale');
    if (state.startTicks !== root.startTicks || state.identity?.pid !== pid) {
      const restarted = noteIdentity(state, unit, now, { pid, startTimeMs });
      if (restarted) out.push(restarted);
      state.startTicks = root.startTicks;
      state.raw = undefined;
    }
    const tree = target.children ?? (children === 'auto' ? SHELLS.has(root.comm) : children);
    // A comm group is every process with that name (the oldest is the root and gives the identity).
    const members = 'comm' in target ? commGroup(table(), target.comm) : [root];
    const stats = tree ? withDescendants(table(), members) : members;
    out.push(measure(unit, state, stats, tree, now));
  }

  function measure(unit: string, state: UnitState, stats: ProcStat[], tree: boolean, now: number): SampleEvent {
    let user = 0, sys = 0, rssPages = 0, threads = 0, processes = 0;
    let read: number | null = 0, write: number | null = 0;
    let ioMissing: string | undefined;
    for (const stat of stats) {
      const statm = files.readBytes(stat.pid, 'statm');
      const pages = typeof statm === 'number' ? parseProcStatm(files.bytes(), statm) : null;
      if (pages === null) { files.forget(stat.pid); continue; } // exited between the listing and now
      processes += 1;
      rssPages += pages;
      threads += stat.threads;
      user += stat.utimeTicks + (tree ? stat.cutimeTicks : 0);
      sys += stat.stimeTicks + (tree ? stat.cstimeTicks : 0);
      const ioLength = files.readBytes(stat.pid, 'io');
      const io = typeof ioLength === 'number' ? parseProcIo(files.bytes(), ioLength) : null;
      if (io && read !== null && write !== null) { read += io.readBytes; write += io.writeBytes; }
      else if (!io) { read = write = null; ioMissing ??= typeof ioLength === 'number' ? 'unparsable' : ioLength.code; }
    }
    const prev = state.raw;
    state.total = prev
      ? { user: grow(state.total.user, user, prev.user), sys: grow(state.total.sys, sys, prev.sys),
          read: grow(state.total.read, read ?? 0, read === null ? null : prev.read), write: grow(state.total.write, write ?? 0, write === null ? null : prev.write) }
      : { user, sys, read: read ?? 0, write: write ?? 0 };
    const hz = host.clockTicksPerSec;
    const cpuPercent = prev && state.lastTs !== undefined
      ? percentOfCore(prev.cpuTicks / hz, (state.total.user + state.total.sys) / hz, now - state.lastTs)
      : null;
    state.raw = { user, sys, read, write, cpuTicks: state.total.user + state.total.sys };
    state.lastTs = now;
    const identity = state.identity ?? { pid: 0, startTimeMs: 0 };
    return {
      type: 'sample', v: EVENT_FORMAT_VERSION, unit, ts: now, pid: identity.pid, startTimeMs: identity.startTimeMs,
      cpuPercent: roundPercentOrNull(cpuPercent), // numbers at the store's resolution (formats/resolution.ts)
      cpuUserSeconds: roundMicros(state.total.user / hz), cpuSystemSeconds: roundMicros(state.total.sys / hz),
      rssBytes: rssPages * host.pageSizeBytes,
      ioReadBytes: read === null ? null : state.total.read, ioWriteBytes: write === null ? null : state.total.write,
      netRxBytes: null, netTxBytes: null, netScope: null,
      hostCpuPercent: cpuPercent === null ? null : roundPercent(cpuPercent / host.cores),
      processes, threads,
      missing: ioMissing ? { io: ioMissing, net: NET_MISSING } : { net: NET_MISSING },
    };
  }

  return {
    sample(targets) {
      const now = scheduler.now();
      let table: ProcTable | undefined;
      const getTable = () => (table ??= readProcTable(procRoot, files, fs));
      const changes = syncUnits(units, targets, now, () => ({ restarts: 0, total: { user: 0, sys: 0, read: 0, write: 0 } }));
      const out: MetricEvent[] = changes.filter((e) => e.type === 'unit-added');
      for (const target of targets) sampleUnit(target, units.get(target.unit)!, now, getTable, out);
      for (const e of changes) if (e.type !== 'unit-added') out.push(e);
      const listed = table as ProcTable | undefined; // exited processes leave the listing but kept their fds
      if (listed) files.retain((pid) => listed.stats.has(pid));
      return out;
    },
    openFds: () => files.openFds(),
    close() { files.close(); units.clear(); },
  };
}

/** A cumulative total advanced by the growth of a raw counter since `before` (a counter that went back adds 0). */
const grow = (total: number, cur: number, before: number | null | undefined): number => total + Math.max(0, cur - (before ?? cur));

/** `members` and their live descendants, each process once. */
function withDescendants(table: ProcTable, members: ProcStat[]): ProcStat[] {
  const seen = new Set(members.map((m) => m.pid));
  const out = [...members];
  for (const member of members) {
    for (const pid of descendantsOf(table, member.pid)) {
      const stat = table.stats.get(pid);
      if (stat && !seen.has(pid)) { seen.add(pid); out.push(stat); }
    }
  }
  return out;
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
