import { EVENT_FORMAT_VERSION, type MetricEvent } from '../events.js';
import { parseProcIo } from '../formats/parse-proc-io.js';
import type { ProcStat } from '../formats/parse-proc-stat.js';
import { parseProcStatm } from '../formats/parse-proc-statm.js';
import { percentOfCore } from '../formats/percent-of-core.js';
import type { HostInfo } from './host-info.js';
import type { MemberDelta, MemberLedger } from './member-ledger.js';
import type { ProcFiles } from './proc-files.js';
import type { UnitTarget } from './sampler.js';
import type { UnitRecord } from './unit-registry.js';

/** A unit's state across ticks in the /proc sampler: identity checks and cumulative counters that never decrease. */
export interface UnitAccount extends UnitRecord {
  startTicks?: number;
  /** For `pid` targets: the pid the identity was pinned for; a new start time behind it is a recycled pid. */
  pinnedPid?: number;
  /** Cumulative CPU (clock ticks) and IO (bytes) since the unit was first sampled, members' lifetimes included. */
  total: { user: number; sys: number; read: number; write: number };
  /** ts of the previous tick's sample; unset after a tick without one, so the next share has no baseline. */
  lastTs?: number;
  sampled?: boolean;
}

/** What {@link measureUnits} needs from the tick: claims by target index, and the member → unit map. */
export interface UnitsTick {
  targets: readonly UnitTarget[];
  claims: readonly { down?: string; tree: boolean; pre: MetricEvent[]; restarted: boolean }[];
  members: ReadonlyMap<number, number>;
  stats(pid: number): ProcStat | undefined;
  units: ReadonlyMap<string, UnitAccount>;
  ledger: MemberLedger;
  files: ProcFiles;
  host: Pick<HostInfo, 'clockTicksPerSec' | 'pageSizeBytes' | 'cores'>;
  now: number;
  out: MetricEvent[];
}

interface Sums extends MemberDelta {
  fullUser: number; fullSys: number; fullRead: number; fullWrite: number;
  rssPages: number; threads: number; processes: number; ioMissing?: string;
}

const NET_MISSING = 'no per-process counters on Linux';
const newSums = (): Sums => ({ userTicks: 0, systemTicks: 0, readBytes: 0, writeBytes: 0, fullUser: 0, fullSys: 0, fullRead: 0, fullWrite: 0, rssPages: 0, threads: 0, processes: 0 });

/**
 * Reads every member once (statm and io; stat came with the listing), sums the members' growth per unit through the
 * ledger, and appends each unit's events to `out`: its `pre` events, then a sample, or `unit-down` when it has no live
 * root. A down unit's members still add their last growth to its counters, which never decrease.
 */
export function measureUnits(tick: UnitsTick): void {
  const { targets, claims, members, files, host, ledger, now, out } = tick;
  const sums = targets.map(newSums);
  const delta: MemberDelta = { userTicks: 0, systemTicks: 0, readBytes: 0, writeBytes: 0 };
  for (const [pid, index] of members) {
    const stat = tick.stats(pid);
    if (!stat) continue;
    const sum = sums[index]!;
    const tree = claims[index]!.tree;
    let io = null;
    if (stat.state !== 'Z' && stat.state !== 'X') {
      const statm = files.readBytes(pid, 'statm');
      const pages = typeof statm === 'number' ? parseProcStatm(files.bytes(), statm) : null;
      if (pages === null) { files.forget(pid); continue; } // exited between the listing and now
      const ioLength = files.readBytes(pid, 'io');
      io = typeof ioLength === 'number' ? parseProcIo(files.bytes(), ioLength) : null;
      if (!io) sum.ioMissing ??= typeof ioLength === 'number' ? 'unparsable' : ioLength.code;
      sum.processes += 1;
      sum.rssPages += pages;
      sum.threads += stat.threads;
    }
    ledger.account(stat, io, tree, delta);
    sum.userTicks += delta.userTicks;
    sum.systemTicks += delta.systemTicks;
    sum.readBytes += delta.readBytes;
    sum.writeBytes += delta.writeBytes;
    sum.fullUser += stat.utimeTicks + (tree ? stat.cutimeTicks : 0);
    sum.fullSys += stat.stimeTicks + (tree ? stat.cstimeTicks : 0);
    sum.fullRead += io?.readBytes ?? 0;
    sum.fullWrite += io?.writeBytes ?? 0;
  }
  targets.forEach((target, i) => emitUnit(tick, target.unit, claims[i]!, sums[i]!));
}

function emitUnit(tick: UnitsTick, unit: string, claim: UnitsTick['claims'][number], sum: Sums): void {
  const { host, now, out } = tick;
  const state = tick.units.get(unit)!;
  for (const e of claim.pre) out.push(e);
  const total = state.total;
  const first = !state.sampled;
  if (state.sampled) {
    total.user += sum.userTicks; total.sys += sum.systemTicks; total.read += sum.readBytes; total.write += sum.writeBytes;
  }
  if (claim.down !== undefined) {
    state.lastTs = undefined;
    if (claim.down !== 'error') out.push({ type: 'unit-down', v: EVENT_FORMAT_VERSION, unit, ts: now, reason: claim.down });
    return;
  }
  if (first) Object.assign(total, { user: sum.fullUser, sys: sum.fullSys, read: sum.fullRead, write: sum.fullWrite });
  state.sampled = true;
  const hz = host.clockTicksPerSec;
  const cpuPercent = !first && !claim.restarted && state.lastTs !== undefined
    ? percentOfCore(0, (sum.userTicks + sum.systemTicks) / hz, now - state.lastTs)
    : null;
  state.lastTs = now;
  const identity = state.identity ?? { pid: 0, startTimeMs: 0 };
  const io = sum.ioMissing === undefined;
  out.push({
    type: 'sample', v: EVENT_FORMAT_VERSION, unit, ts: now, pid: identity.pid, startTimeMs: identity.startTimeMs, cpuPercent,
    cpuUserSeconds: total.user / hz, cpuSystemSeconds: total.sys / hz,
    rssBytes: sum.rssPages * host.pageSizeBytes,
    ioReadBytes: io ? total.read : null, ioWriteBytes: io ? total.write : null,
    netRxBytes: null, netTxBytes: null, netScope: null,
    hostCpuPercent: cpuPercent === null ? null : cpuPercent / host.cores,
    processes: sum.processes, threads: sum.threads,
    missing: io ? { net: NET_MISSING } : { io: sum.ioMissing!, net: NET_MISSING },
  });
}
