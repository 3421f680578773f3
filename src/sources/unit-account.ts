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
import { roundMicros, roundPercent, roundPercentOrNull } from '../formats/resolution.js';

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
  claims: readonly { down?: string; tree: boolean; pre?: MetricEvent[]; restarted: boolean }[];
  members: ReadonlyMap<number, number>;
  stats(pid: number): ProcStat | undefined;
  units: ReadonlyMap<string, UnitAccount>;
  ledger: MemberLedger;
  files: ProcFiles;
  host: Pick<HostInfo, 'clockTicksPerSec' | 'pageSizeBytes' | 'cores'>;
  now: number;
  out: MetricEvent[];
}

// Per-unit sums of a tick live in one Float64Array, F slots a unit: an object per unit per tick was garbage. Shared
// scratch, like the stat parser's fields: measureUnits runs synchronously from start to end, so no two calls interleave.
const USER = 0, SYS = 1, READ = 2, WRITE = 3, FULL_USER = 4, FULL_SYS = 5, FULL_READ = 6, FULL_WRITE = 7, RSS = 8, THREADS = 9, PROCESSES = 10;
const F = 11;
let sums = new Float64Array(64 * F);

const NET_MISSING = 'no per-process counters on Linux';

/**
 * Reads every member once (statm and io; stat came with the listing), sums the members' growth per unit through the
 * ledger, and appends each unit's events to `out`: its `pre` events, then a sample, or `unit-down` when it has no live
 * root. A down unit's members still add their last growth to its counters, which never decrease.
 */
export function measureUnits(tick: UnitsTick): void {
  const { targets, claims, members, files, ledger } = tick;
  if (sums.length < targets.length * F) sums = new Float64Array(targets.length * F * 2);
  sums.fill(0, 0, targets.length * F);
  const ioMissing: (string | undefined)[] = [];
  const delta: MemberDelta = { userTicks: 0, systemTicks: 0, readBytes: 0, writeBytes: 0 };
  for (const [pid, index] of members) {
    const stat = tick.stats(pid);
    if (!stat) continue;
    const at = index * F;
    const tree = claims[index]!.tree;
    let io = null;
    if (stat.state !== 'Z' && stat.state !== 'X') {
      const statm = files.readBytes(pid, 'statm');
      const pages = typeof statm === 'number' ? parseProcStatm(files.bytes(), statm) : null;
      if (pages === null) { files.forget(pid); continue; } // exited between the listing and now
      const ioLength = files.readBytes(pid, 'io');
      io = typeof ioLength === 'number' ? parseProcIo(files.bytes(), ioLength) : null;
      if (!io) ioMissing[index] ??= typeof ioLength === 'number' ? 'unparsable' : ioLength.code;
      sums[at + PROCESSES]! += 1;
      sums[at + RSS]! += pages;
      sums[at + THREADS]! += stat.threads;
    }
    ledger.account(stat, io, tree, delta);
    sums[at + USER]! += delta.userTicks;
    sums[at + SYS]! += delta.systemTicks;
    sums[at + READ]! += delta.readBytes;
    sums[at + WRITE]! += delta.writeBytes;
    sums[at + FULL_USER]! += stat.utimeTicks + (tree ? stat.cutimeTicks : 0);
    sums[at + FULL_SYS]! += stat.stimeTicks + (tree ? stat.cstimeTicks : 0);
    sums[at + FULL_READ]! += io?.readBytes ?? 0;
    sums[at + FULL_WRITE]! += io?.writeBytes ?? 0;
  }
  targets.forEach((target, i) => emitUnit(tick, target.unit, claims[i]!, i * F, ioMissing[i]));
}

function emitUnit(tick: UnitsTick, unit: string, claim: UnitsTick['claims'][number], at: number, ioMissing: string | undefined): void {
  const { host, now, out } = tick;
  const state = tick.units.get(unit)!;
  if (claim.pre) for (const e of claim.pre) out.push(e);
  const total = state.total;
  const first = !state.sampled;
  const grownUser = sums[at + USER]!, grownSys = sums[at + SYS]!;
  if (state.sampled) {
    total.user += grownUser; total.sys += grownSys; total.read += sums[at + READ]!; total.write += sums[at + WRITE]!;
  }
  if (claim.down !== undefined) {
    state.lastTs = undefined;
    if (claim.down !== 'error') out.push({ type: 'unit-down', v: EVENT_FORMAT_VERSION, unit, ts: now, reason: claim.down });
    return;
  }
  if (first) Object.assign(total, { user: sums[at + FULL_USER], sys: sums[at + FULL_SYS], read: sums[at + FULL_READ], write: sums[at + FULL_WRITE] });
  state.sampled = true;
  const hz = host.clockTicksPerSec;
  const cpuPercent = !first && !claim.restarted && state.lastTs !== undefined
    ? percentOfCore(0, (grownUser + grownSys) / hz, now - state.lastTs)
    : null;
  state.lastTs = now;
  const identity = state.identity ?? { pid: 0, startTimeMs: 0 };
  const io = ioMissing === undefined;
  out.push({
    type: 'sample', v: EVENT_FORMAT_VERSION, unit, ts: now, pid: identity.pid, startTimeMs: identity.startTimeMs,
    cpuPercent: roundPercentOrNull(cpuPercent), // numbers at the store's resolution (formats/resolution.ts)
    cpuUserSeconds: roundMicros(total.user / hz), cpuSystemSeconds: roundMicros(total.sys / hz),
    rssBytes: sums[at + RSS]! * host.pageSizeBytes,
    ioReadBytes: io ? total.read : null, ioWriteBytes: io ? total.write : null,
    netRxBytes: null, netTxBytes: null, netScope: null,
    hostCpuPercent: cpuPercent === null ? null : roundPercent(cpuPercent / host.cores),
    processes: sums[at + PROCESSES]!, threads: sums[at + THREADS]!,
    missing: io ? { net: NET_MISSING } : { io: ioMissing, net: NET_MISSING },
  });
}
