import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Subscription } from 'rxjs';
import { procSampler } from '../../src/sources/proc-sampler.js';
import { unitTargets } from '../../src/sources/unit-targets.js';
import type { UnitTarget } from '../../src/sources/sampler.js';
import type { MetricEvent } from '../../src/events.js';
import { tempDir, waitFor } from '../helpers/spill-dir.js';

const root = tempDir('procstream-faults-');
const children: ChildProcess[] = [];
const NOBODY = 65534;

/** A `sleep` of our own, in its own process group, optionally as another user. */
function sleeper(uid?: number): ChildProcess {
  const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore', ...(uid === undefined ? {} : { uid, gid: uid }) });
  children.push(child);
  return child;
}
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = once(child, 'exit');
    process.kill(-(child.pid as number), 'SIGKILL');
    await exited;
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const pidFile = (name: string, text: string): string => {
  const path = join(root, `${name}.pid`);
  writeFileSync(path, text);
  return path;
};
const sampleOnce = (targets: UnitTarget[]): MetricEvent[] => {
  const sampler = procSampler();
  try { return sampler.sample(targets).filter((e) => e.type !== 'unit-added'); } finally { sampler.close(); }
};

describe('a pid file that points somewhere unexpected', () => {
  it("measures another user's process by reading /proc only: no signal, the process lives on", () => {
    const other = sleeper(NOBODY);
    const [event] = sampleOnce([{ unit: 'other', pidFile: pidFile('other', `${other.pid}\n`) }]);
    expect(event).toMatchObject({ type: 'sample', unit: 'other', pid: other.pid, processes: 1 });
    expect(execFileSync('ps', ['-o', 'user=,stat=', '-p', String(other.pid)], { encoding: 'utf8' })).toMatch(/^nobody\s+S/);
  });

  it('run as an unprivileged user, gets no IO of a root process: io null with missing.io EACCES, the rest measured', () => {
    const target = sleeper();
    const script = `
      import { procSampler } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
      const s = procSampler();
      console.log(JSON.stringify(s.sample([{ unit: 'root', pidFile: process.argv[1] }]).at(-1)));`;
    const shared = join(root, 'shared');
    mkdirSync(shared, { mode: 0o755 });
    chmodSync(root, 0o711); // nobody may pass through to the pid file, not list our files
    writeFileSync(join(shared, 'root.pid'), String(target.pid), { mode: 0o644 });
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, join(shared, 'root.pid')],
      { uid: NOBODY, gid: NOBODY, encoding: 'utf8', timeout: 20_000 });
    expect(JSON.parse(out)).toMatchObject({ type: 'sample', pid: target.pid, ioReadBytes: null, ioWriteBytes: null,
      missing: { io: 'EACCES' }, rssBytes: expect.any(Number) });
  });

  it('pointed at pid 1, measures pid 1 like any process (the pid file is newer than it, so not stale)', () => {
    const [event] = sampleOnce([{ unit: 'init', pidFile: pidFile('init', '1\n') }]);
    expect(event).toMatchObject({ type: 'sample', unit: 'init', pid: 1 });
  });

  it.each([
    ['empty', ''], ['words', 'nginx'], ['negative', '-1'], ['zero', '0'], ['fraction', '1.5'], ['hex', '0x10'],
    ['exponent', '1e3'], ['plus sign', '+1'], ['two pids', '1 2'], ['too big', '99999999999999999999'], ['NULs', '\0\0\0'],
    ['binary', '\xff\xfe1'],
  ])('holding garbage (%s), gives unit-down pid-file-invalid', (_, text) => {
    expect(sampleOnce([{ unit: 'g', pidFile: pidFile('garbage', text) }])).toEqual([
      expect.objectContaining({ type: 'unit-down', unit: 'g', reason: 'pid-file-invalid' }),
    ]);
  });

  it('that is a FIFO, a device or a huge file, answers at once instead of blocking the sampler', () => {
    const fifo = join(root, 'fifo.pid');
    execFileSync('mkfifo', [fifo]);
    const zero = join(root, 'zero.pid');
    symlinkSync('/dev/zero', zero);
    const huge = pidFile('huge', '1'.repeat(64 * 1024 * 1024));
    const dir = join(root, 'dir.pid');
    mkdirSync(dir);
    // in a child, because a blocking read would hang this test process for good
    const script = `
      import { procSampler } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
      const s = procSampler();
      const files = JSON.parse(process.argv[1]);
      console.log(JSON.stringify(s.sample(files.map((pidFile, i) => ({ unit: 'u' + i, pidFile }))).filter((e) => e.type === 'unit-down').map((e) => e.reason)));`;
    const started = Date.now();
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify([fifo, zero, huge, dir])],
      { encoding: 'utf8', timeout: 10_000, killSignal: 'SIGKILL' });
    expect(JSON.parse(out)).toEqual(['pid-file-invalid', 'pid-file-invalid', 'pid-file-invalid', 'pid-file-missing']);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('a state file rewritten while we read it', () => {
  it('keeps the last good list through a torn, an empty and a half-written rewrite, reports each, and takes the next good one', async () => {
    const path = join(root, 'state.json');
    writeFileSync(path, JSON.stringify({ api: { pid: 12, status: 'running' }, worker: 13 }));
    const seen: UnitTarget[][] = [];
    const errors: unknown[] = [];
    const reports: string[] = [];
    const sub = new Subscription();
    sub.add(unitTargets({ stateFile: path }, { pollMs: 10, onBadRead: (m) => reports.push(m) })
      .subscribe({ next: (t) => seen.push(t), error: (e) => errors.push(e) }));
    try {
      await waitFor(() => seen.length === 1, 'first list');
      const pause = () => new Promise((r) => setTimeout(r, 60)); // six polls
      const full = JSON.stringify({ api: { pid: 22, status: 'running' }, worker: 13, cron: null });
      for (const torn of [full.slice(0, full.length / 2), '', full.slice(0, -1), '{"api":']) {
        writeFileSync(path, torn);
        await pause();
      }
      writeFileSync(path, full);
      await waitFor(() => seen.length === 2, 'second list');
      await pause();
    } finally {
      sub.unsubscribe();
    }
    expect(errors).toEqual([]);
    expect(reports).toHaveLength(4); // each torn version, once: polling sees it at least once, and only when it changed
    for (const r of reports) expect(r).toMatch(/state\.json: (Unexpected|Unterminated|Expected)/);
    expect(seen).toEqual([
      [{ unit: 'api', pid: 12 }, { unit: 'worker', pid: 13 }],
      [{ unit: 'api', pid: 22 }, { unit: 'worker', pid: 13 }, { unit: 'cron', pid: 0 }],
    ]);
  });

  it('refuses a units file over 1 MiB, a FIFO or a device, at once: E_SOURCE at the start, a report later', async () => {
    const fifo = join(root, 'units-fifo.json');
    execFileSync('mkfifo', [fifo]);
    const zero = join(root, 'units-zero.json');
    symlinkSync('/dev/zero', zero);
    const script = `
      import { unitTargets } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
      for (const unitsFile of JSON.parse(process.argv[1])) {
        const error = await new Promise((resolve) => unitTargets({ unitsFile }).subscribe({ error: resolve }));
        console.log(JSON.stringify([error.code, error.message.replace(unitsFile, 'FILE').slice(0, 30)]));
      }`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify([fifo, zero])],
      { encoding: 'utf8', timeout: 10_000, killSignal: 'SIGKILL' });
    expect(out.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      ['E_SOURCE', 'FILE: Unexpected end of JSON i'], ['E_SOURCE', 'FILE: larger than 1048576 byte'],
    ]);

    const path = join(root, 'units-grows.json');
    writeFileSync(path, JSON.stringify([{ unit: 'api', pid: 12 }]));
    const seen: UnitTarget[][] = [];
    const reports: string[] = [];
    const sub = unitTargets({ unitsFile: path }, { pollMs: 10, onBadRead: (m) => reports.push(m) }).subscribe((t) => seen.push(t));
    try {
      await waitFor(() => seen.length === 1, 'first list');
      writeFileSync(path, `${JSON.stringify([{ unit: 'api', pid: 12 }, { unit: 'db', pid: 13 }])}${' '.repeat(1024 * 1024)}`);
      await waitFor(() => reports.length === 1, 'a report');
    } finally {
      sub.unsubscribe();
    }
    expect(reports).toEqual([`${path}: larger than 1048576 bytes`]);
    expect(seen).toEqual([[{ unit: 'api', pid: 12 }]]);
  });
});
