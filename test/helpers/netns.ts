/**
 * Test hosts as network namespaces (root only): each gets a veth link to the root namespace on a /30 of its own, so
 * a server inside listens on an address that only this machine routes. Names carry the test's pid, so parallel runs
 * and leftovers of a killed run never collide; `remove()` deletes the namespace and with it the link.
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface TestHost {
  /** Namespace name, for `ip netns exec`. */
  ns: string;
  /** The host's own address (inside the namespace). */
  address: string;
  /** The root namespace's end of the link. */
  gateway: string;
  /** Starts `command args` inside the namespace; the child is the leader of its own process group. */
  spawn(command: string, args: string[], options?: SpawnOptions): ChildProcess;
  /** Takes the host off the network (deletes the namespace and its link). */
  remove(): void;
}

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** True when this process may create namespaces and links (root with iproute2). */
export function canMakeTestHosts(): boolean {
  try {
    return process.getuid?.() === 0 && ip('-V').includes('iproute2');
  } catch {
    return false;
  }
}

/** A third octet of 10.213.x.0/24 that no interface of the root namespace uses yet. */
function freeSubnet(): number {
  const used = ip('-4', '-o', 'addr', 'show');
  for (let tries = 0; tries < 200; tries++) {
    const octet = 1 + Math.floor(Math.random() * 250);
    if (!used.includes(`10.213.${octet}.`)) return octet;
  }
  throw new Error('no free 10.213.x.0/24 subnet for a test host');
}

/** Creates test host number `index` (0–9) of this run. */
export function createTestHost(index: number): TestHost {
  const tag = `${process.pid % 100_000}${index}`;
  const ns = `psfleet-${tag}`;
  const link = `psf${tag}`; // interface names are at most 15 bytes
  const octet = freeSubnet();
  const gateway = `10.213.${octet}.1`;
  const address = `10.213.${octet}.2`;
  ip('netns', 'add', ns);
  try {
    ip('link', 'add', link, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    ip('addr', 'add', `${gateway}/30`, 'dev', link);
    ip('link', 'set', link, 'up');
    ip('-n', ns, 'addr', 'add', `${address}/30`, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  } catch (error) {
    ip('netns', 'del', ns);
    throw error;
  }
  let removed = false;
  return {
    ns,
    address,
    gateway,
    spawn: (command, args, options = {}) => spawn('ip', ['netns', 'exec', ns, command, ...args], { detached: true, ...options }),
    remove() {
      if (removed) return;
      removed = true;
      try { ip('netns', 'del', ns); } catch { /* already gone */ }
      try { ip('link', 'del', link); } catch { /* went with the namespace */ }
    },
  };
}
