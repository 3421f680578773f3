/** The built `procstream watch --http` in a child process: its dashboard URL, its NDJSON events, and a stop. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { bin, env, root } from './bin.js';

export interface HttpWatch {
  child: ChildProcess;
  /** `http://127.0.0.1:PORT/`. */
  url: string;
  /** Events printed so far (NDJSON parsed). */
  events(): Record<string, unknown>[];
  stderr(): string;
  /** SIGTERM, then resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `watch ...args --http 127.0.0.1:0 --format ndjson` in its own process group; `shellPrefix` (e.g.
 * `ulimit -n 1024;`) runs it under bash first. Resolves once the dashboard listens.
 */
export async function startHttpWatch(args: string[], shellPrefix = ''): Promise<HttpWatch> {
  const argv = [bin, 'watch', ...args, '--http', '127.0.0.1:0', '--format', 'ndjson'];
  const child = shellPrefix
    ? spawn('bash', ['-c', `${shellPrefix} exec "$@"`, 'bash', process.execPath, ...argv], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, argv, { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`watch exited with ${code}: ${err}`)));
  });
  return {
    child, url,
    events: () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>),
    stderr: () => err,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      process.kill(-child.pid!, 'SIGTERM');
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}
