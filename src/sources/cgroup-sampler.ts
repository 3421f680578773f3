/**
 * Samples cgroup units from the kernel's own counters: one read per figure per unit, whatever the number of
 * processes, and every thread and every reaped child included, which no walk over /proc can promise.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { asyncScheduler, type TimestampProvider } from 'rxjs';
import { EVENT_FORMAT_VERSION, type MetricEvent, type MissingReasons, type SampleEvent } from '../events.js';
import {
  parseBlkioV1, parseCgroupProcs, parseCpuStatV2, parseIoStatV2, parseKeyedCounters, parseSingleCounter,
} from '../formats/parse-cgroup.js';
import { parseProcStat } from '../formats/parse-proc-stat.js';
import { grow } from '../formats/counter-growth.js';
import { percentOfCore } from '../formats/percent-of-core.js';
import { roundMicros, roundPercent, roundPercentOrNull } from '../formats/resolution.js';
import { type CgroupFiles, type CgroupMounts, readCgroupMounts, relativeCgroupPath, resolveCgroup, systemdUnitPath } from './cgroup-paths.js';
import { readHostInfo } from './host-info.js';
import { keptFile, type KeptFile } from './kept-file.js';
import type { Sampler, UnitTarget } from './sampler.js';
import { noteIdentity, syncUnits, type UnitRecord } from './unit-registry.js';

/** A target the cgroup sampler measures. */
export type CgroupTarget = Extract<UnitTarget, { cgroup: string } | { systemdUnit: string }>;

/** True for the targets {@link cgroupSampler} measures. */
export const isCgroupTarget = (target: UnitTarget): target is CgroupTarget => 'cgroup' in target || 'systemdUnit' in target;

/** Options of {@link cgroupSampler}. */
export interface CgroupSamplerOptions {
  /** The cgroup mounts (default: read from /proc/self/mountinfo). */
  mounts?: CgroupMounts;
  /** Where /proc is, for the members' start times and the RSS fallback (default `/proc`). */
  procRoot?: string;
  /** Clock of `ts` and of the CPU share's wall interval (default `asyncScheduler`). */
  scheduler?: TimestampProvider;
}

/** A cgroup sampler; `openFds` tells how many descriptors it keeps. */
export interface CgroupSampler extends Sampler {
  sample(targets: readonly UnitTarget[]): MetricEvent[];
  /** How many cgroup file descriptors are kept open across ticks. */
  openFds(): number;
}

interface Raw { cpuUsec: number; userUsec: number; systemUsec: number; read: number | null; write: number | null }

interface UnitState extends UnitRecord {
  files?: CgroupFiles;
  kept: Map<string, KeptFile>;
  /** Inode of the cgroup's directory: a new one is a cgroup created anew (a service stopped and started). */
  dirIno?: number;
  rootPid?: number;
  raw?: Raw;
  total: { userUsec: number; systemUsec: number; read: number; write: number };
  lastTs?: number;
}

const NET_MISSING = 'no per-process counters on Linux';

/** Samples `cgroup` and `systemdUnit` targets (others are ignored: see `routingSampler`). */
export function cgroupSampler(options: CgroupSamplerOptions = {}): CgroupSampler {
  const { procRoot = '/proc', scheduler = asyncScheduler } = options;
  const mounts = options.mounts ?? readCgroupMounts();
  const host = readHostInfo(procRoot);
  const units = new Map<string, UnitState>();

  const read = (state: UnitState, path: string): string | null => {
    let file = state.kept.get(path);
    if (!file) state.kept.set(path, (file = keptFile(path)));
    const text = file.read();
    return typeof text === 'string' ? text : null;
  };
  const forgetFiles = (state: UnitState): void => {
    for (const file of state.kept.values()) file.close();
    state.kept.clear();
    state.files = undefined;
  };

  function locate(target: CgroupTarget, state: UnitState): CgroupFiles | string {
    if (state.files) return state.files;
    const path = 'cgroup' in target ? relativeCgroupPath(target.cgroup, mounts) : systemdUnitPath(target.systemdUnit, mounts);
    if (path === undefined) return 'cgroup-missing';
    const files = resolveCgroup(path, mounts);
    if (typeof files !== 'string') state.files = files;
    return files;
  }

  /**
   * Members of the cgroup and of the cgroups below it (a v2 cgroup with controllers keeps its processes in leaves).
   * cgroupfs counts subdirectories in a directory's link count, so a leaf (nlink 2) costs no directory listing.
   */
  function members(dir: string, nlink: number, state: UnitState): number[] {
    const text = read(state, join(dir, 'cgroup.procs'));
    const pids = text === null ? [] : parseCgroupProcs(text);
    if (nlink > 2) for (const pid of pidsBelow(dir)) pids.push(pid);
    return pids;
  }

  function startTimeMs(pid: number): number {
    try {
      const stat = parseProcStat(readFileSync(`${procRoot}/${pid}/stat`), Number.POSITIVE_INFINITY);
      return stat ? host.bootTimeMs + Math.round((stat.startTicks * 1000) / host.clockTicksPerSec) : 0;
    } catch {
      return 0;
    }
  }

  function sampleUnit(target: CgroupTarget, state: UnitState, now: number, out: MetricEvent[]): void {
    const unit = target.unit;
    const down = (reason: string): void => { out.push({ type: 'unit-down', v: EVENT_FORMAT_VERSION, unit, ts: now, reason }); };
    const files = locate(target, state);
    if (typeof files === 'string') return down(files);
    let dir: { ino: number; nlink: number };
    try { dir = statSync(files.procsDir); } catch { forgetFiles(state); return down('cgroup-missing'); }
    const ino = dir.ino;
    const recreated = state.dirIno !== undefined && state.dirIno !== ino;
    state.dirIno = ino;
    if (recreated) {
      for (const file of state.kept.values()) file.close(); // they read the old directory's files
      state.kept.clear();
      state.raw = undefined; // the new cgroup's counters start from zero: a new baseline, not a drop
    }
    const pids = members(files.procsDir, dir.nlink, state);
    if (pids.length === 0) return down('empty-cgroup');
    if (state.rootPid === undefined || !pids.includes(state.rootPid)) state.rootPid = pids.reduce((a, b) => Math.min(a, b));
    const identity = state.identity?.pid === state.rootPid ? state.identity : { pid: state.rootPid, startTimeMs: startTimeMs(state.rootPid) };
    if (recreated) {
      const restarted = noteIdentity(state, unit, now, identity);
      if (restarted) out.push(restarted);
    } else {
      state.identity = identity; // members come and go inside one cgroup: that is no restart
    }
    out.push(measure(unit, state, files, pids, now));
  }

  function measure(unit: string, state: UnitState, files: CgroupFiles, pids: number[], now: number): SampleEvent {
    const missing: MissingReasons = { net: NET_MISSING };
    const cpu = readCpu(state, files);
    if (!cpu) missing.cpu = files.cpu ? 'unreadable' : 'no cpu accounting for this cgroup';
    else if (files.cpu?.version === 1 && !files.cpu.userNs) missing.cpu = 'no user/system split (cpuacct.usage only)';
    const memory = readMemory(state, files);
    if (memory.cgroupMemoryBytes === null) missing.memory = 'no memory controller for this cgroup: rssBytes summed from /proc';
    const io = readIo(state, files);
    if (!io) missing.io = 'no io controller for this cgroup';
    const threadsText = files.pidsCurrent ? read(state, files.pidsCurrent) : null;
    const threads = threadsText === null ? undefined : parseSingleCounter(threadsText) ?? undefined;
    if (threads === undefined) missing.threads = 'no pids controller for this cgroup';

    const raw: Raw = { cpuUsec: cpu?.usageUsec ?? 0, userUsec: cpu?.userUsec ?? 0, systemUsec: cpu?.systemUsec ?? 0,
      read: io?.readBytes ?? null, write: io?.writeBytes ?? null };
    const prev = state.raw;
    const t = state.total;
    state.total = prev
      ? { userUsec: grow(t.userUsec, raw.userUsec, prev.userUsec), systemUsec: grow(t.systemUsec, raw.systemUsec, prev.systemUsec),
          read: grow(t.read, raw.read ?? 0, raw.read === null ? null : prev.read), write: grow(t.write, raw.write ?? 0, raw.write === null ? null : prev.write) }
      : { userUsec: raw.userUsec, systemUsec: raw.systemUsec, read: raw.read ?? 0, write: raw.write ?? 0 };
    // The share comes from usage (which v1 keeps in ns) rather than user + system, whose v1 split is tick-sampled.
    const cpuPercent = prev && cpu && state.lastTs !== undefined ? percentOfCore(prev.cpuUsec / 1e6, raw.cpuUsec / 1e6, now - state.lastTs) : null;
    state.raw = raw;
    state.lastTs = now;
    const identity = state.identity ?? { pid: 0, startTimeMs: 0 };
    return {
      type: 'sample', v: EVENT_FORMAT_VERSION, unit, ts: now, pid: identity.pid, startTimeMs: identity.startTimeMs,
      cpuPercent: roundPercentOrNull(cpuPercent), // numbers at the store's resolution (formats/resolution.ts)
      cpuUserSeconds: roundMicros(state.total.userUsec / 1e6), cpuSystemSeconds: roundMicros(state.total.systemUsec / 1e6),
      rssBytes: memory.rssBytes ?? rssFromProc(pids),
      ioReadBytes: io ? state.total.read : null, ioWriteBytes: io ? state.total.write : null,
      netRxBytes: null, netTxBytes: null, netScope: null,
      hostCpuPercent: cpuPercent === null ? null : roundPercent(cpuPercent / host.cores),
      processes: pids.length, ...(threads === undefined ? {} : { threads }),
      cgroup: files.path, cgroupMemoryBytes: memory.cgroupMemoryBytes,
      missing,
    };
  }

  function readCpu(state: UnitState, files: CgroupFiles): { usageUsec: number; userUsec: number; systemUsec: number } | null {
    const cpu = files.cpu;
    if (!cpu) return null;
    if (cpu.version === 2) {
      const text = read(state, cpu.stat);
      return text === null ? null : parseCpuStatV2(text);
    }
    const usageText = read(state, cpu.usageNs);
    const usageNs = usageText === null ? null : parseSingleCounter(usageText);
    if (usageNs === null) return null;
    const userText = cpu.userNs ? read(state, cpu.userNs) : null;
    const systemText = cpu.systemNs ? read(state, cpu.systemNs) : null;
    const userNs = userText === null ? null : parseSingleCounter(userText);
    const systemNs = systemText === null ? null : parseSingleCounter(systemText);
    const usageUsec = usageNs / 1000;
    // v1's usage_user/usage_sys come from tick-based cputime and do not add up to usage (measured: 24 % more on a
    // busy cgroup), while usage is the scheduler's exact runtime: keep usage, and split it in their proportion.
    const split = userNs !== null && systemNs !== null && userNs + systemNs > 0 ? userNs / (userNs + systemNs) : 1;
    return { usageUsec, userUsec: usageUsec * split, systemUsec: usageUsec * (1 - split) };
  }

  function readMemory(state: UnitState, files: CgroupFiles): { rssBytes: number | null; cgroupMemoryBytes: number | null } {
    const memory = files.memory;
    if (!memory) return { rssBytes: null, cgroupMemoryBytes: null };
    const totalText = read(state, memory.version === 2 ? memory.current : memory.usage);
    const statText = read(state, memory.stat);
    const stat = statText === null ? new Map<string, number>() : parseKeyedCounters(statText);
    // v1 counts children cgroups in the total_* keys only (v2 is hierarchical throughout)
    const rss = memory.version === 2 ? stat.get('anon') : stat.get('total_rss') ?? stat.get('rss');
    return { rssBytes: rss ?? null, cgroupMemoryBytes: totalText === null ? null : parseSingleCounter(totalText) };
  }

  function readIo(state: UnitState, files: CgroupFiles): { readBytes: number; writeBytes: number } | null {
    const io = files.io;
    if (!io) return null;
    const text = read(state, io.version === 2 ? io.stat : io.serviceBytes);
    if (text === null) return null;
    return io.version === 2 ? parseIoStatV2(text) : parseBlkioV1(text);
  }

  function rssFromProc(pids: number[]): number {
    let pages = 0;
    for (const pid of pids) {
      try { pages += Number(readFileSync(`${procRoot}/${pid}/statm`, 'latin1').split(' ')[1]) || 0; } catch { /* exited */ }
    }
    return pages * host.pageSizeBytes;
  }

  return {
    sample(targets) {
      const now = scheduler.now();
      const mine = targets.filter(isCgroupTarget);
      const changes = syncUnits(units, mine, now, () => ({ restarts: 0, kept: new Map(), total: { userUsec: 0, systemUsec: 0, read: 0, write: 0 } }));
      const out: MetricEvent[] = changes.filter((e) => e.type === 'unit-added');
      for (const target of mine) sampleUnit(target, units.get(target.unit)!, now, out);
      for (const e of changes) if (e.type !== 'unit-added') out.push(e);
      return out;
    },
    openFds: () => [...units.values()].reduce((n, s) => n + [...s.kept.values()].filter((f) => f.isOpen()).length, 0),
    close() {
      for (const state of units.values()) forgetFiles(state);
      units.clear();
    },
  };
}

/** Pids of every cgroup below `dir`, at any depth (a directory listing per level; most services have none). */
function pidsBelow(dir: string): number[] {
  const out: number[] = [];
  let children: string[] = [];
  try { children = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name); } catch { return out; }
  for (const child of children) {
    try { out.push(...parseCgroupProcs(readFileSync(join(dir, child, 'cgroup.procs'), 'latin1'))); } catch { /* gone */ }
    out.push(...pidsBelow(join(dir, child)));
  }
  return out;
}
