import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';

const started: ChildProcess[] = [];

/** Starts `node -e script` in its own process group; resolves once it prints `ready` (when `waitReady`). */
export async function startNode(script: string, waitReady = false): Promise<ChildProcess> {
  return startChild(process.execPath, ['-e', script], waitReady);
}

/** Starts a command in its own process group, so that {@link killAll} also reaches its children. */
export async function startChild(file: string, args: string[], waitReady = false): Promise<ChildProcess> {
  const child = spawn(file, args, { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(child);
  if (waitReady) await waitFor(child, 'ready');
  return child;
}

/** Resolves when the child has printed `word`. */
export async function waitFor(child: ChildProcess, word: string): Promise<void> {
  let seen = '';
  while (!seen.includes(word)) {
    const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
    seen += chunk.toString();
  }
}

/** SIGKILLs every started child's process group and waits for the children to be reaped. */
export async function killAll(): Promise<void> {
  for (const child of started.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = once(child, 'exit');
    try { process.kill(-child.pid!, 'SIGKILL'); } catch { child.kill('SIGKILL'); }
    await exited;
  }
}

/** Kills one child and waits until it is reaped. */
export async function kill(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  process.kill(-child.pid!, 'SIGKILL');
  await exited;
}

/** A field of `/proc/<pid>/status` in its unit (kB for Vm*), as the kernel reports it. */
export function statusField(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s*(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1]);
}

/** Cumulative CPU seconds of a process according to `ps -o times=`. */
export function psCpuSeconds(pid: number): number {
  return Number(execFileSync('ps', ['-o', 'times=', '-p', String(pid)], { encoding: 'utf8' }).trim());
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Seconds on CPU of `pids` from `/proc/<pid>/schedstat`: a kernel counter independent of the stat file. */
export function schedCpuSeconds(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e9, 0);
}

/** Pids of the direct children of `pid`. */
export function childPids(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number);
}
