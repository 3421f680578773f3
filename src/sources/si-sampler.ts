import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { asyncScheduler, type TimestampProvider } from 'rxjs';
import type si from 'systeminformation';
import { EVENT_FORMAT_VERSION, NO_UNIT, type MetricEvent } from '../events.js';
import type { Sampler, UnitTarget } from './sampler.js';
import { noteIdentity, syncUnits, type UnitRecord } from './unit-registry.js';
import { roundMicros, roundPercent, roundPercentOrNull } from '../formats/resolution.js';

/** The fields of a systeminformation process entry this sampler reads. */
export type SiProcess = Pick<si.Systeminformation.ProcessesProcessData,
  'pid' | 'parentPid' | 'name' | 'command' | 'params' | 'cpuu' | 'cpus' | 'memRss' | 'started' | 'state'>;

/** Options of {@link siSampler}. */
export interface SiSamplerOptions {
  /** Turns systeminformation's share of the whole host into one-core percent (default: available parallelism). */
  cores?: number;
  scheduler?: TimestampProvider;
  /** The listing (default `si.processes`, which takes no argument, so no user string reaches a command line). */
  listProcesses?: () => Promise<{ list: SiProcess[] }>;
}

interface UnitState extends UnitRecord { lastTs?: number; userSeconds: number; systemSeconds: number }

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh']);

// systeminformation (23 modules) loads on the first listing, not on `import 'procstream'`: most users never take the
// fallback, and importing the operators must not pay for it (test/package/lazy-load.spec.ts).
const listWithSysteminformation = async (): Promise<{ list: SiProcess[] }> => {
  const { default: si } = await import('systeminformation');
  return si.processes();
};

/**
 * The cross-platform fallback: the same events as procSampler, from systeminformation's process list. CPU seconds are
 * integrated from its percentages; IO and threads are null (see docs/sampling.md). A call still running when the
 * next one starts, and a listing served from systeminformation's 500 ms cache, give `dropped`, never old data.
 */
export function siSampler({ cores = availableParallelism(), scheduler = asyncScheduler, listProcesses = listWithSysteminformation }: SiSamplerOptions = {}): Sampler {
  const units = new Map<string, UnitState>();
  let running = false;
  let lastList: unknown;
  let dropped = 0;
  const drop = (reason: string): MetricEvent[] =>
    [{ type: 'dropped', v: EVENT_FORMAT_VERSION, unit: NO_UNIT, ts: scheduler.now(), source: 'sampler', reason, count: 1, total: ++dropped }];

  function sampleUnit(target: UnitTarget, state: UnitState, byPid: Map<number, SiProcess>, kids: Map<number, SiProcess[]>, now: number): MetricEvent[] {
    const base = { v: EVENT_FORMAT_VERSION, unit: target.unit, ts: now } as const;
    const root = findRoot(target, byPid);
    if (typeof root === 'string') return [{ type: 'unit-down', ...base, reason: root }];
    const current = { pid: root.pid, startTimeMs: new Date(root.started.replace(' ', 'T')).getTime() };
    const restarted = noteIdentity(state, target.unit, now, current);
    const fresh = restarted !== null || state.lastTs === undefined;
    const tree = [root];
    if (target.children ?? SHELLS.has(root.name)) for (let i = 0; i < tree.length; i++) tree.push(...(kids.get(tree[i]!.pid) ?? []));
    const user = tree.reduce((sum, p) => sum + p.cpuu * cores, 0);
    const system = tree.reduce((sum, p) => sum + p.cpus * cores, 0);
    if (fresh) { state.userSeconds = 0; state.systemSeconds = 0; }
    else {
      const seconds = (now - state.lastTs!) / 1000;
      state.userSeconds += (user / 100) * seconds;
      state.systemSeconds += (system / 100) * seconds;
    }
    state.lastTs = now;
    const cpuPercent = fresh ? null : user + system;
    return [...(restarted ? [restarted] : []), {
      type: 'sample', ...base, ...current, cpuPercent: roundPercentOrNull(cpuPercent), // at the store's resolution
      hostCpuPercent: cpuPercent === null ? null : roundPercent(cpuPercent / cores),
      cpuUserSeconds: roundMicros(state.userSeconds), cpuSystemSeconds: roundMicros(state.systemSeconds),
      rssBytes: tree.reduce((sum, p) => sum + p.memRss * 1024, 0), processes: tree.length,
      ioReadBytes: null, ioWriteBytes: null, netRxBytes: null, netTxBytes: null, netScope: null,
      missing: { io: 'unsupported by systeminformation', net: 'no per-process counters', threads: 'unsupported by systeminformation' },
    }];
  }

  async function sampleAll(targets: readonly UnitTarget[]): Promise<MetricEvent[]> {
    const { list } = await listProcesses();
    if (list === lastList) return drop('cached'); // systeminformation answered from its cache: old data
    lastList = list;
    const now = scheduler.now();
    const byPid = new Map(list.map((p) => [p.pid, p]));
    const kids = new Map<number, SiProcess[]>();
    for (const p of list) kids.set(p.parentPid, [...(kids.get(p.parentPid) ?? []), p]);
    const changes = syncUnits(units, targets, now, () => ({ restarts: 0, userSeconds: 0, systemSeconds: 0 }));
    const out: MetricEvent[] = changes.filter((e) => e.type === 'unit-added');
    for (const target of targets) out.push(...sampleUnit(target, units.get(target.unit)!, byPid, kids, now));
    return [...out, ...changes.filter((e) => e.type !== 'unit-added')];
  }

  return {
    async sample(targets) {
      if (running) return drop('busy');
      running = true;
      try { return await sampleAll(targets); } finally { running = false; }
    },
    close() { units.clear(); },
  };
}

function findRoot(target: UnitTarget, byPid: Map<number, SiProcess>): SiProcess | string {
  let pid: number;
  if ('pid' in target) pid = target.pid;
  else if ('pidFile' in target) {
    try { pid = Number(readFileSync(target.pidFile, 'utf8').trim()); } catch { return 'pid-file-missing'; }
  } else {
    // A comm group is represented here by its oldest process only (docs/sampling.md: the fallback does not sum groups).
    let matches: (p: SiProcess) => boolean;
    if ('comm' in target) matches = (p) => p.name === target.comm;
    else if (!('match' in target)) return 'cgroup-unsupported'; // cgroups are read from /sys/fs/cgroup on Linux only
    else {
      let pattern: RegExp;
      try { pattern = new RegExp(target.match); } catch { return 'invalid-match'; }
      matches = (p) => pattern.test(p.name) || pattern.test(`${p.command} ${p.params}`.trim());
    }
    const found = [...byPid.values()]
      .filter((p) => p.pid !== process.pid && matches(p))
      .sort((a, b) => a.started.localeCompare(b.started) || a.pid - b.pid)[0];
    return found ?? 'not-matched';
  }
  if (!(pid > 0)) return ('downReason' in target ? target.downReason : undefined) ?? 'stopped';
  const proc = byPid.get(pid);
  return proc && proc.state !== 'zombie' ? proc : 'exited';
}
