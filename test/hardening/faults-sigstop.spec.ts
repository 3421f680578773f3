import { afterEach, describe, expect, it } from 'vitest';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { MetricEvent } from '../../src/events.js';
import { sleep } from '../helpers/children.js';

// The built library in a child process, as a user would run it: watchUnits over the child itself, every 100 ms.
const SCRIPT = `
  import { watchUnits } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
  const { events$ } = watchUnits({ targets: [{ unit: 'self', pid: process.pid }], intervalMs: 100, summaryEveryMs: 1000 });
  events$.subscribe({ next: (e) => process.stdout.write(JSON.stringify(e) + '\\n'), error: (e) => { console.error(e); process.exitCode = 3; } });`;

let child: ChildProcess | undefined;
afterEach(async () => {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  process.kill(-(child.pid as number), 'SIGKILL');
  await exited;
});

describe('SIGSTOP then SIGCONT of a running pipeline', () => {
  it('skips the ticks it slept through, reports them as dropped, fires no burst, and keeps sampling', async () => {
    child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => { text += chunk.toString(); });
    const events = (): MetricEvent[] => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as MetricEvent);
    const samples = () => events().filter((e) => e.type === 'sample');
    for (let i = 0; i < 200 && samples().length < 5; i++) await sleep(25);
    expect(samples().length).toBeGreaterThanOrEqual(5);

    process.kill(child.pid as number, 'SIGSTOP');
    await sleep(200); // let the pipe drain what was written before the stop
    const beforeStop = events();
    const stoppedAt = Date.now();
    await sleep(1_500);
    process.kill(child.pid as number, 'SIGCONT');
    const resumedAt = Date.now();
    await sleep(800);
    expect(child.exitCode).toBeNull();

    const all = events();
    expect(all.slice(0, beforeStop.length)).toEqual(beforeStop); // nothing emitted before the stop went missing
    const drops = all.filter((e): e is Extract<MetricEvent, { type: 'dropped' }> => e.type === 'dropped' && e.source === 'interval');
    const missed = drops.reduce((n, d) => n + d.count, 0);
    expect(drops.every((d) => d.reason === 'overlap')).toBe(true);
    expect(missed).toBeGreaterThanOrEqual(12); // ~15 deadlines passed while stopped
    expect(missed).toBeLessThanOrEqual(20);
    const after = samples().filter((s) => s.ts >= stoppedAt);
    // no burst: the ticks after the resume keep the 100 ms cadence, at most one late tick and the next deadline
    expect(after.filter((s) => s.ts < resumedAt + 100).length).toBeLessThanOrEqual(2);
    expect(after.length).toBeGreaterThanOrEqual(5);
    expect(after.length).toBeLessThanOrEqual(11);
    // every deadline from the first tick to the last is either a sample or counted as dropped
    const ticks = samples();
    const deadlines = Math.round((ticks.at(-1)!.ts - ticks[0]!.ts) / 100) + 1;
    expect(Math.abs(ticks.length + missed - deadlines)).toBeLessThanOrEqual(2);
  });
});
