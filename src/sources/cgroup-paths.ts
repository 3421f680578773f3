/**
 * Where a cgroup's counters are on this host. A cgroup is named by its path inside the hierarchy (as in
 * `/proc/PID/cgroup`, e.g. `system.slice/nginx.service`) or by a path under a cgroup mount
 * (`/sys/fs/cgroup/unified/x`); on a hybrid host (v2 at `/sys/fs/cgroup/unified`, cpu and memory on v1) the same
 * relative path is looked up in every hierarchy, and each figure comes from the hierarchy that has it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCgroupMounts } from '../formats/parse-cgroup.js';

/** The files one cgroup unit reads per tick; a figure whose controller is not there has no entry. */
export interface CgroupFiles {
  /** The path inside the hierarchy, `/`-separated, no leading slash. */
  path: string;
  /** The directory whose `cgroup.procs` lists the members (v2 preferred). */
  procsDir: string;
  cpu?: { version: 2; stat: string } | { version: 1; usageNs: string; userNs?: string; systemNs?: string };
  memory?: { version: 2; current: string; stat: string } | { version: 1; usage: string; stat: string };
  io?: { version: 2; stat: string } | { version: 1; serviceBytes: string };
  /** Tasks (threads) in the cgroup and its descendants. */
  pidsCurrent?: string;
}

/** Where the cgroup hierarchies are mounted: the v2 mount point, and each v1 controller's (`cpuacct`, `memory`, …). */
export interface CgroupMounts { v2?: string; v1: Map<string, string> }

/** The cgroup mounts of this host, from `/proc/self/mountinfo` (none where it cannot be read). */
export function readCgroupMounts(mountinfoPath = '/proc/self/mountinfo'): CgroupMounts {
  try {
    return parseCgroupMounts(readFileSync(mountinfoPath, 'utf8'));
  } catch {
    return { v1: new Map() };
  }
}

/** The path inside the hierarchy for `name`: a mount point prefix is stripped, leading and trailing slashes too. */
export function relativeCgroupPath(name: string, mounts: CgroupMounts): string {
  const roots = [mounts.v2, ...mounts.v1.values()].filter((r): r is string => r !== undefined);
  // the longest mount first: /sys/fs/cgroup/unified before a v2 mount at /sys/fs/cgroup
  for (const root of roots.sort((a, b) => b.length - a.length)) {
    if (name === root || name.startsWith(`${root}/`)) return trim(name.slice(root.length));
  }
  return trim(name);
}

const trim = (path: string): string => path.replace(/^\/+|\/+$/g, '');

/**
 * The files of cgroup `path` (relative), or a reason when no hierarchy has that directory. v2 wins for each figure it
 * has (its CPU counter is in µs with the user/system split, and it is always hierarchical); v1 fills in the rest.
 */
export function resolveCgroup(path: string, mounts: CgroupMounts): CgroupFiles | string {
  if (path.split('/').includes('..')) return 'cgroup-path-invalid';
  const v2 = mounts.v2 === undefined ? undefined : join(mounts.v2, path);
  const v2Dir = v2 !== undefined && existsSync(join(v2, 'cgroup.procs')) ? v2 : undefined;
  const v1 = (controller: string, file: string): string | undefined => {
    const root = mounts.v1.get(controller);
    const candidate = root === undefined ? undefined : join(root, path, file);
    return candidate !== undefined && existsSync(candidate) ? candidate : undefined;
  };
  const v2File = (file: string): string | undefined => (v2Dir !== undefined && existsSync(join(v2Dir, file)) ? join(v2Dir, file) : undefined);
  const v1Procs = ['cpuacct', 'memory', 'pids', 'cpu', 'blkio', 'name=systemd'].map((c) => v1(c, 'cgroup.procs')).find((f) => f !== undefined);
  const procsDir = v2Dir ?? (v1Procs === undefined ? undefined : v1Procs.slice(0, -'/cgroup.procs'.length));
  if (procsDir === undefined) return 'cgroup-missing';

  const files: CgroupFiles = { path, procsDir };
  const cpuStat = v2File('cpu.stat');
  const usageNs = v1('cpuacct', 'cpuacct.usage');
  if (cpuStat) files.cpu = { version: 2, stat: cpuStat };
  else if (usageNs) {
    const userNs = v1('cpuacct', 'cpuacct.usage_user');
    const systemNs = v1('cpuacct', 'cpuacct.usage_sys');
    files.cpu = { version: 1, usageNs, ...(userNs ? { userNs } : {}), ...(systemNs ? { systemNs } : {}) };
  }
  const current = v2File('memory.current');
  const v2Stat = v2File('memory.stat');
  const usage = v1('memory', 'memory.usage_in_bytes');
  const v1Stat = v1('memory', 'memory.stat');
  if (current && v2Stat) files.memory = { version: 2, current, stat: v2Stat };
  else if (usage && v1Stat) files.memory = { version: 1, usage, stat: v1Stat };
  const ioStat = v2File('io.stat');
  const blkio = ['blkio.throttle.io_service_bytes_recursive', 'blkio.io_service_bytes_recursive', 'blkio.throttle.io_service_bytes']
    .map((f) => v1('blkio', f)).find((f) => f !== undefined);
  if (ioStat) files.io = { version: 2, stat: ioStat };
  else if (blkio) files.io = { version: 1, serviceBytes: blkio };
  const pidsCurrent = v2File('pids.current') ?? v1('pids', 'pids.current');
  if (pidsCurrent) files.pidsCurrent = pidsCurrent;
  return files;
}

/**
 * The cgroup of a systemd unit: `nginx` means `nginx.service`; it is looked for as `system.slice/NAME`, then
 * anywhere within four levels of the systemd tree (the v2 mount, or v1's `name=systemd` hierarchy).
 */
export function systemdUnitPath(name: string, mounts: CgroupMounts): string | undefined {
  const unit = /\.(service|scope|slice|socket|mount|swap)$/.test(name) ? name : `${name}.service`;
  const root = mounts.v1.get('name=systemd') ?? mounts.v2;
  if (root === undefined) return undefined;
  if (existsSync(join(root, 'system.slice', unit))) return `system.slice/${unit}`;
  const search = (dir: string, depth: number): string | undefined => {
    if (depth > 4) return undefined;
    let entries: string[];
    try {
      entries = readdirSync(join(root, dir), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      return undefined;
    }
    if (entries.includes(unit)) return trim(`${dir}/${unit}`);
    for (const entry of entries) {
      const found = search(`${dir}/${entry}`, depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  return search('', 1);
}
