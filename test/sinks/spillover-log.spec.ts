import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { filter, lastValueFrom, toArray } from 'rxjs';
import type { MetricEvent, SampleEvent, SummaryEvent } from '../../src/events.js';
import { replay } from '../../src/sources/replay.js';
import { watchUnits } from '../../src/watch-units.js';
import { killAll, startNode } from '../helpers/children.js';
import { run } from '../helpers/bin.js';
import { tempDir } from '../helpers/spill-dir.js';

const dirs: string[] = [];
const fresh = () => { const d = tempDir('procstream-log-'); dirs.push(d); return d; };
afterEach(async () => {
  await killAll();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const unitEvents = (events: MetricEvent[]) => events.filter((e) => e.type !== 'summary' && e.type !== 'evicted');
const lines = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as MetricEvent);

describe('the spill directory as the event log', () => {
  it('records every unit event of a run, in order: replay gives back exactly what the pipeline emitted', async () => {
    const child = await startNode('setInterval(() => {}, 1000); console.log("ready")', true);
    const dir = fresh();
    const { events$ } = watchUnits({ targets: [{ unit: 'child', pid: child.pid! }, { unit: 'gone', pid: 999_999_999 }],
      intervalMs: 50, count: 12, spill: { dir } });
    const emitted = await lastValueFrom(events$.pipe(toArray()));
    const replayed = await lastValueFrom(replay(dir).pipe(toArray()));
    expect(unitEvents(emitted).map((e) => e.type)).toContain('unit-down');
    expect(replayed).toEqual(unitEvents(emitted));
    expect(replayed.filter((e) => e.type === 'sample')).toHaveLength(12);
  });

  it('a restart rebuilds the window from the log before its first tick; the first new sample has no cpuPercent', async () => {
    const child = await startNode('setInterval(() => {}, 1000); console.log("ready")', true);
    const dir = fresh();
    const targets = [{ unit: 'child', pid: child.pid! }];
    await lastValueFrom(watchUnits({ targets, intervalMs: 50, count: 10, spill: { dir } }).events$, { defaultValue: undefined });
    const second = watchUnits({ targets, intervalMs: 50, count: 5, spill: { dir } });
    const emitted = await lastValueFrom(second.events$.pipe(toArray()));
    const newSamples = emitted.filter((e): e is SampleEvent => e.type === 'sample');
    expect(newSamples).toHaveLength(5); // the rebuilt rows are not emitted again…
    expect(newSamples[0]!.cpuPercent).toBeNull(); // …and the sampler starts a new baseline
    const window = second.store.window('child');
    expect(window).toHaveLength(15);
    const summary = emitted.filter((e): e is SummaryEvent => e.type === 'summary').at(-1)!;
    expect(summary.samples).toBe(15);
    const replayed = await lastValueFrom(replay(dir).pipe(filter((e) => e.type === 'sample'), toArray()));
    expect(replayed).toHaveLength(15); // …nor written again
    expect(window.map((r) => r.ts)).toEqual(replayed.map((e) => e.ts)); // the window is the log's 15 rows
  });

  it('done when: 20 samples at 200 ms are all replayed, and a second run of 5 summarizes at least 25', async () => {
    const child = await startNode('setInterval(() => {}, 1000); console.log("ready")', true);
    const dir = fresh();
    const pid = String(child.pid);
    expect(run(['watch', '--pid', pid, '--interval', '200ms', '--count', '20', '--spill', dir, '--format', 'ndjson']).code).toBe(0);
    const replayed = lines(run(['replay', dir]).stdout);
    expect(replayed.filter((e) => e.type === 'sample')).toHaveLength(20);
    // summarize and inspect read the compressed log too
    const summarized = lines(run(['summarize', dir, '--format', 'ndjson']).stdout) as SummaryEvent[];
    expect(summarized).toEqual([expect.objectContaining({ type: 'summary', unit: `pid-${pid}`, samples: 20 })]);
    const inspected = run(['inspect', `pid-${pid}`, '--from', dir, '--window', '1h']);
    expect(inspected.code).toBe(0);
    expect(inspected.stdout).toContain(`pid-${pid}`);
    const second = run(['watch', '--pid', pid, '--count', '5', '--spill', dir, '--format', 'ndjson']);
    expect(second.code).toBe(0);
    const summary = lines(second.stdout).filter((e): e is SummaryEvent => e.type === 'summary').at(-1)!;
    expect(summary.samples).toBeGreaterThanOrEqual(25);
  }, 30_000);
});
