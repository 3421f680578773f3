/**
 * `watch --systemg DIR` on the built binary, over state files in systemg's exact XML layout and real processes:
 * units are named by service, a stopped or failed service is down with systemg's status, a pid rewrite is a restart.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MetricEvent } from '../../src/events.js';
import { ensureBuilt, run, start } from '../helpers/bin.js';
import { killAll, startNode } from '../helpers/children.js';
import { writeSystemgState } from '../helpers/systemg-files.js';

const IDLE = 'setInterval(() => {}, 1000); console.log("ready")';
let dir = '';
let watcher: ChildProcess | undefined;

beforeAll(ensureBuilt, 120_000);
afterEach(async () => {
  if (watcher && watcher.exitCode === null && watcher.signalCode === null) { const exited = once(watcher, "exit"); process.kill(-watcher.pid!, "SIGKILL"); await exited; }
  watcher = undefined;
  await killAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Collects the NDJSON events of a running `procstream`, and waits for one that satisfies a test. */
function events(child: ChildProcess) {
  const seen: MetricEvent[] = [];
  let rest = '';
  const waiters: { test: (e: MetricEvent) => boolean; resolve: (e: MetricEvent) => void }[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      const e = JSON.parse(line) as MetricEvent;
      seen.push(e);
      for (const w of waiters.splice(0)) (w.test(e) ? w.resolve(e) : waiters.push(w));
    }
  });
  return {
    seen,
    next: (test: (e: MetricEvent) => boolean) => new Promise<MetricEvent>((resolve) => {
      const found = seen.find(test);
      if (found) resolve(found); else waiters.push({ test, resolve });
    }),
  };
}

describe('watch --systemg DIR', () => {
  it('names units by service, shows a stopped service down with its status, and sees a pid rewrite as a restart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'procstream-systemg-'));
    const web = await startNode(IDLE, true);
    const worker = await startNode(IDLE, true);
    writeSystemgState(dir, [{ name: 'web', pid: web.pid! }, { name: 'worker', pid: worker.pid! }, { name: 'db', status: 'stopped' }], 'shop');
    watcher = start(['watch', '--systemg', dir, '--format', 'ndjson', '--interval', '200ms']);
    const out = events(watcher);
    const sample = (unit: string, pid: number) => out.next((e) => e.type === 'sample' && e.unit === unit && e.pid === pid);
    await Promise.all([sample('web', web.pid!), sample('worker', worker.pid!)]);
    expect(await out.next((e) => e.unit === 'db' && e.type === 'unit-down')).toMatchObject({ reason: 'stopped' });

    // systemg restarts the worker: a new pid in both files.
    const worker2 = await startNode(IDLE, true);
    writeSystemgState(dir, [{ name: 'web', pid: web.pid! }, { name: 'worker', pid: worker2.pid! }, { name: 'db', status: 'stopped' }], 'shop');
    const restarted = await out.next((e) => e.type === 'unit-restarted' && e.unit === 'worker');
    expect(restarted).toMatchObject({ previous: { pid: worker.pid }, current: { pid: worker2.pid }, restarts: 1 });
    await sample('worker', worker2.pid!);

    // The web service fails: systemg's status becomes the down reason.
    writeSystemgState(dir, [{ name: 'web', status: 'failed' }, { name: 'worker', pid: worker2.pid! }, { name: 'db', status: 'stopped' }], 'shop');
    expect(await out.next((e) => e.unit === 'web' && e.type === 'unit-down')).toMatchObject({ reason: 'failed' });

    watcher.kill('SIGINT');
    const [code] = (await once(watcher, 'exit')) as [number];
    expect(code).toBe(0);
    const units = new Set(out.seen.filter((e) => e.type === 'sample' || e.type === 'unit-down').map((e) => e.unit));
    expect([...units].sort()).toEqual(['db', 'web', 'worker']);
  }, 30_000);

  it('inspect --systemg --stream to a pipe: a frame per round, and the restart marked on the chart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'procstream-systemg-'));
    const worker = await startNode(IDLE, true);
    writeSystemgState(dir, [{ name: 'worker', pid: worker.pid! }], 'shop');
    watcher = start(['inspect', 'worker', '--systemg', dir, '--stream', '--interval', '250ms', '--window', '1m']);
    let text = '';
    watcher.stdout!.on('data', (c: Buffer) => { text += c.toString(); });
    const until = async (test: () => boolean) => { while (!test()) await new Promise((r) => setTimeout(r, 50)); };
    await until(() => /^worker · last \S+ · .* · 2 samples, 0 down$/m.test(text));
    expect(text).not.toContain('\x1b['); // a pipe gets whole frames, one after another, no cursor codes
    const worker2 = await startNode(IDLE, true);
    writeSystemgState(dir, [{ name: 'worker', pid: worker2.pid! }], 'shop');
    await until(() => /events: ↻ restart, × down\n/.test(text));
    const frame = text.slice(text.lastIndexOf('worker · last'));
    expect(frame).toMatch(/^\s+events  \s*↻/m);
    watcher.kill('SIGINT');
    const [code] = (await once(watcher, 'exit')) as [number];
    expect(code).toBe(0);
  }, 30_000);

  it('reads per-project subdirectories and the service names of --systemg-config', () => {
    dir = mkdtempSync(join(tmpdir(), 'procstream-systemg-'));
    const project = join(dir, 'shop');
    mkdirSync(project);
    writeSystemgState(project, [{ name: 'web', pid: process.pid }], 'shop');
    writeFileSync(join(dir, 'systemg.yaml'), 'services:\n  web:\n    command: x\n  mailer:\n    command: y\nmetrics:\n  sample_interval_secs: 1\n  colour: 1\n');
    const r = run(['watch', '--systemg', dir, '--systemg-config', join(dir, 'systemg.yaml'), '--format', 'ndjson', '--count', '1']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`procstream: --systemg-config: ${join(dir, 'systemg.yaml')}:8: unknown key 'colour' in metrics: (ignored)`);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as MetricEvent);
    expect(lines.find((e) => e.type === 'sample')).toMatchObject({ unit: 'web', pid: process.pid });
    expect(lines.find((e) => e.type === 'unit-down')).toMatchObject({ unit: 'mailer', reason: 'not-started' });
  });

  it('refuses a directory that is missing or holds no systemg state, and names bad XML with file and line', () => {
    dir = mkdtempSync(join(tmpdir(), 'procstream-systemg-'));
    expect(run(['watch', '--systemg', join(dir, 'nope'), '--count', '1'])).toMatchObject({ code: 1, stderr: `procstream: ${join(dir, 'nope')}: no such file or directory (ENOENT)\n` });
    const empty = run(['watch', '--systemg', dir, '--count', '1']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toBe(`procstream: ${dir}: no pid.xml or state.xml here or in a project subdirectory (is it systemg's state directory?)\n`);
    writeFileSync(join(dir, 'pid.xml'), '<PidFile>\n<services><name>web</name>\n<pid>1</services></PidFile>');
    const bad = run(['watch', '--systemg', dir, '--count', '1']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`^procstream: ${dir}: pid\\.xml: line 3: .+\\n$`));
  });
});
