import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Constants of the host that turn /proc counters into bytes, seconds and epoch times. */
export interface HostInfo {
  pageSizeBytes: number;
  clockTicksPerSec: number;
  /** Boot time from `btime` in `<procRoot>/stat`, ms since the epoch (whole seconds). */
  bootTimeMs: number;
  cores: number;
  /** The soft RLIMIT_NOFILE less headroom for sinks and clients (see `fdBudgetOf` in host-info.ts): the most fds a sampler keeps. */
  fdBudget: number;
}

const AT_PAGESZ = 6n;
const AT_CLKTCK = 17n;

/**
 * Reads the host constants without a child process: page size and clock ticks from this process's auxiliary vector
 * (`/proc/self/auxv`, falling back to 4096 and 100), boot time from `<procRoot>/stat`, the fd limit from
 * `/proc/self/limits`.
 */
export function readHostInfo(procRoot = '/proc'): HostInfo {
  const aux = auxv();
  return {
    pageSizeBytes: Number(aux.get(AT_PAGESZ) ?? 4096n),
    clockTicksPerSec: Number(aux.get(AT_CLKTCK) ?? 100n),
    bootTimeMs: bootTimeMs(procRoot),
    cores: availableParallelism(),
    fdBudget: fdBudget(),
  };
}

function auxv(): Map<bigint, bigint> {
  const out = new Map<bigint, bigint>();
  try {
    const buf = readFileSync('/proc/self/auxv');
    for (let i = 0; i + 16 <= buf.length; i += 16) out.set(buf.readBigUInt64LE(i), buf.readBigUInt64LE(i + 8));
  } catch { /* not Linux, or no /proc: the defaults stand */ }
  return out;
}

function bootTimeMs(procRoot: string): number {
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync(`${procRoot}/stat`, 'utf8'));
    return m?.[1] ? Number(m[1]) * 1000 : 0;
  } catch {
    return 0;
  }
}

function fdBudget(): number {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m?.[1] && m[1] !== 'unlimited' ? fdBudgetOf(Number(m[1])) : 512;
  } catch {
    return 512;
  }
}

/**
 * The kept-fd budget for a soft limit: the limit less an eighth of it, and at least 512, left for the spill log, the
 * Prometheus endpoint's clients and stdio. Node already raises the soft limit to the hard one at start (its
 * `PlatformInit`), and has no `setrlimit` to go further, so the soft limit read here is the real one. At 20,000,
 * 17,500 fds keep the three files of 5,000 processes open plus the stat of 2,500 more.
 */
export function fdBudgetOf(softLimit: number): number {
  return Math.max(0, softLimit - Math.max(512, Math.floor(softLimit / 8)));
}
