/**
 * Parsers of cgroup interface files (v2 and v1). Pure: text in, numbers out. Every parser returns null rather than a
 * guess when the text does not have the fields it needs, so a sampler can say what is missing instead of reading 0.
 */

/** `key value` lines (cpu.stat, memory.stat, cpuacct.stat) as a lookup; unparsable lines are skipped. */
export function parseKeyedCounters(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    const value = Number(line.slice(space + 1));
    if (Number.isFinite(value)) out.set(line.slice(0, space), value);
  }
  return out;
}

/** One number on its own line (cpuacct.usage, memory.current, memory.usage_in_bytes, pids.current). */
export function parseSingleCounter(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  return Number(trimmed);
}

/** CPU time of a cgroup in µs: v2 `cpu.stat` (usage/user/system_usec). */
export function parseCpuStatV2(text: string): { usageUsec: number; userUsec: number; systemUsec: number } | null {
  const kv = parseKeyedCounters(text);
  const usageUsec = kv.get('usage_usec');
  const userUsec = kv.get('user_usec');
  const systemUsec = kv.get('system_usec');
  if (usageUsec === undefined || userUsec === undefined || systemUsec === undefined) return null;
  return { usageUsec, userUsec, systemUsec };
}

/** Bytes read and written, summed over devices: v2 `io.stat` lines `MAJ:MIN rbytes=… wbytes=… rios=…`. */
export function parseIoStatV2(text: string): { readBytes: number; writeBytes: number } {
  let readBytes = 0;
  let writeBytes = 0;
  for (const match of text.matchAll(/\b([rw])bytes=(\d+)/g)) {
    if (match[1] === 'r') readBytes += Number(match[2]);
    else writeBytes += Number(match[2]);
  }
  return { readBytes, writeBytes };
}

/**
 * Bytes read and written, summed over devices: v1 `blkio.*io_service_bytes*` lines `MAJ:MIN Read 123`
 * (the per-device `Total` lines and the final `Total N` are left out, since they repeat Read + Write).
 */
export function parseBlkioV1(text: string): { readBytes: number; writeBytes: number } {
  let readBytes = 0;
  let writeBytes = 0;
  for (const match of text.matchAll(/^\d+:\d+ (Read|Write) (\d+)$/gm)) {
    if (match[1] === 'Read') readBytes += Number(match[2]);
    else writeBytes += Number(match[2]);
  }
  return { readBytes, writeBytes };
}

/**
 * The pids listed in `cgroup.procs`, in the kernel's order. A digit loop rather than split and a regex per line: a
 * service of 1,000 processes lists 1,000 lines on every tick. A line with anything but digits is skipped.
 */
export function parseCgroupProcs(text: string): number[] {
  const out: number[] = [];
  let value = 0;
  let digits = 0;
  let bad = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 10;
    if (c === 10) {
      if (digits > 0 && !bad) out.push(value);
      value = 0; digits = 0; bad = false;
    } else if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits += 1;
    } else {
      bad = true;
    }
  }
  return out;
}

/** Lines of `/proc/PID/cgroup`: `ID:controllers:path`, v2's line has ID 0 and no controllers. */
export function parseProcCgroup(text: string): { controllers: string[]; path: string }[] {
  const out: { controllers: string[]; path: string }[] = [];
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const list = line.slice(first + 1, second);
    out.push({ controllers: list === '' ? [] : list.split(','), path: line.slice(second + 1) });
  }
  return out;
}

/** cgroup mounts from `/proc/self/mountinfo`: the v2 mount point, and each v1 controller's mount point. */
export function parseCgroupMounts(mountinfo: string): { v2?: string; v1: Map<string, string> } {
  const v1 = new Map<string, string>();
  let v2: string | undefined;
  for (const line of mountinfo.split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash < 0) continue;
    const mountPoint = unescapeMount(line.slice(0, dash).split(' ')[4] ?? '');
    const [fsType, , superOptions = ''] = line.slice(dash + 3).split(' ');
    if (fsType === 'cgroup2') v2 ??= mountPoint;
    else if (fsType === 'cgroup') {
      for (const option of superOptions.split(',')) {
        if (['cpu', 'cpuacct', 'memory', 'blkio', 'pids', 'name=systemd'].includes(option) && !v1.has(option)) v1.set(option, mountPoint);
      }
    }
  }
  return { ...(v2 === undefined ? {} : { v2 }), v1 };
}

/** mountinfo escapes space, tab, newline and backslash as octal (`\040`). */
const unescapeMount = (field: string): string => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
