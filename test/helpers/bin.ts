/** The built `procstream` binary, run the way a user runs it. */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const bin = join(root, 'dist/cli/bin.js');
/** How a shell command line names the binary. */
export const procstream = `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)}`;
/** No colour and UTC clocks, so output compares as text. */
export const env = { ...process.env, NO_COLOR: '1', TZ: 'UTC' };

/** Builds dist/ unless it exists (`npm test` builds first). */
export function ensureBuilt(): void {
  if (!existsSync(bin)) execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
}

/** Runs the binary to completion. */
export function run(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root, encoding: 'utf8', env: options.env ?? env, ...(options.input === undefined ? {} : { input: options.input }),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a shell command line (pipes and all) with bash; `code` is the exit status of the whole line. */
export function shell(line: string, timeoutMs = 20_000) {
  const r = spawnSync('bash', ['-c', line], { cwd: root, encoding: 'utf8', env, timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the binary in its own process group (so its whole group can be killed), stdin, stdout and stderr piped. */
export function start(args: string[]): ChildProcess {
  return spawn(process.execPath, [bin, ...args], { cwd: root, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
}
