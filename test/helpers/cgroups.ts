/**
 * Real cgroups for tests (root only): a fresh directory in the v2 hierarchy, or in the v1 cpuacct, memory, blkio and
 * pids hierarchies under the same relative path (below this process's own memory cgroup, so a sandbox's memory
 * limit still applies to what the test starts). `spawnInside` starts a command that joins the cgroup before it execs,
 * so none of its children is ever born outside.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readCgroupMounts } from '../../src/sources/cgroup-paths.js';

export interface TestCgroup {
  /** The path inside the hierarchy, as `--cgroup` takes it. */
  path: string;
  /** The directory of each hierarchy that has it: `v2`, or the v1 controller names. */
  dirs: Record<string, string>;
  /** Starts `command args` as a member (it writes its own pid into every hierarchy's cgroup.procs, then execs). */
  spawnInside(command: string, args: string[]): ChildProcess;
  /** Reads a file of one hierarchy's directory. */
  read(hierarchy: string, file: string): string;
  /** Removes the directories; their processes must have exited. */
  remove(): void;
}

const mounts = readCgroupMounts();
const V1 = ['cpuacct', 'memory', 'blkio', 'pids'];

/** Which kinds this machine can make, and if not, why not (for a skip message). */
export function cgroupSupport(): { v2: true | string; v1: true | string } {
  if (process.getuid?.() !== 0) return { v2: 'not root', v1: 'not root' };
  return {
    v2: mounts.v2 ? true : 'no cgroup2 mount',
    v1: mounts.v1.has('cpuacct') && mounts.v1.has('memory') ? true : 'no v1 cpuacct and memory hierarchies (a pure v2 host)',
  };
}

let made = 0;

export function makeCgroup(kind: 'v1' | 'v2', name = 'procstream-test'): TestCgroup {
  const leaf = `${name}-${process.pid}-${++made}`;
  let path: string;
  const dirs: Record<string, string> = {};
  if (kind === 'v2') {
    path = leaf;
    dirs.v2 = join(mounts.v2!, path);
  } else {
    const own = /^\d+:memory:(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1] ?? '/';
    path = join(own, leaf).replace(/^\/+/, '');
    for (const controller of V1) {
      const root = mounts.v1.get(controller);
      if (root) dirs[controller] = join(root, path);
    }
  }
  // mkdir -p may create parents too (our memory cgroup's path in the cpuacct hierarchy): remember them for remove()
  const created: string[] = [];
  for (const dir of Object.values(dirs)) {
    const first = mkdirSync(dir, { recursive: true });
    if (first) for (let d = dir; d.length >= first.length; d = dirname(d)) created.push(d);
  }
  const procsFiles = Object.values(dirs).map((d) => join(d, 'cgroup.procs'));
  return {
    path,
    dirs,
    spawnInside(command, args) {
      const join = procsFiles.map((f) => `echo $$ > '${f}'`).join(' && ');
      return spawn('sh', ['-c', `${join} && exec "$@"`, 'sh', command, ...args], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    },
    read: (hierarchy, file) => readFileSync(join(dirs[hierarchy]!, file), 'utf8'),
    remove() {
      for (const dir of created) {
        for (let i = 0; i < 50 && existsSync(dir); i++) {
          try { rmdirSync(dir); } catch { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); }
        }
      }
    },
  };
}

/** Moves `pid` into the cgroup's directories (for a process that is already running). */
export function moveInto(cgroup: TestCgroup, pid: number): void {
  for (const dir of Object.values(cgroup.dirs)) writeFileSync(join(dir, 'cgroup.procs'), String(pid));
}
