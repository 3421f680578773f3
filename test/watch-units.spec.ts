import { copyFileSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom, map, type Observable, type SchedulerLike, take, takeUntil, timer, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricEvent, SampleEvent, TickEvent } from '../src/events.js';
import { listCommands } from '../src/sources/process-groups.js';
import { procSampler } from '../src/sources/proc-sampler.js';
import type { Sampler } from '../src/sources/sampler.js';
import { sample, tick } from '../src/testing/index.js';
import { watchUnits } from '../src/watch-units.js';
import { testScheduler } from './helpers/test-scheduler.js';
import { killAll, startChild, startNode } from './helpers/children.js';

afterEach(killAll);

const vmRssBytes = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

describe('watchUnits', () => {
  it('samples a real child into the store, and emits summaries and samples on one stream', async () => {
    const child = await startNode('setInterval(() => {}, 1000); console.log("ready")', true);
    const { events$, store } = watchUnits({ targets: [{ unit: 'child', pid: child.pid! }], intervalMs: 100, summaryEveryMs: 250 });
    const events = await firstValueFrom(events$.pipe(filter((e) => e.type === 'summary'), take(1), toArray()));
    expect(events[0]!.unit).toBe('child');
    const window = store.window('child');
    expect(window.length).toBeGreaterThanOrEqual(2);
    const last = window.at(-1) as SampleEvent;
    expect(last.type).toBe('sample');
    expect(last.pid).toBe(child.pid);
    expect(Math.abs(last.rssBytes - vmRssBytes(child.pid!)) / vmRssBytes(child.pid!)).toBeLessThan(0.05);
    expect((window[0] as SampleEvent).cpuPercent).toBeNull(); // the first observation has no baseline
  });

  it('calls the sampler once per tick although the store and the summary both consume the samples', () => {
    let calls = 0;
    const real = procSampler();
    const counting: Sampler = { sample: (targets) => { calls++; return real.sample(targets); }, close: () => real.close() };
    testScheduler().run(({ expectObservable }) => {
      const { events$ } = watchUnits({ targets: [{ unit: 'self', pid: process.pid }], sampler: counting, intervalMs: 1_000, summaryEveryMs: 2_000 });
      const counts$ = events$.pipe(takeUntil(timer(4_500)), toArray(), map((all) => ({
        samples: all.filter((e) => e.type === 'sample').length,
        summaries: all.filter((e) => e.type === 'summary').length,
      })));
      // ticks at 0, 1000, …, 4000 give five samples; summaries come at 2000 and 4000
      expectObservable(counts$).toBe('4500ms (n|)', { n: { samples: 5, summaries: 2 } });
    });
    expect(calls).toBe(5);
  });

  it('groups every process of the machine by command name when given no target', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procstream-groups-'));
    const binary = join(dir, 'pst-grouped');
    copyFileSync('/bin/sleep', binary); // keeps the mode: a command of our own name, so no other process shares it
    const a = await startChild(binary, ['30']);
    const b = await startChild(binary, ['30']);
    await new Promise((r) => setTimeout(r, 100));
    expect(listCommands('/proc')).toContain('pst-grouped');
    expect(listCommands('/proc')).not.toContain('kthreadd'); // kernel threads are nobody's unit
    const { events$ } = watchUnits({ intervalMs: 100 });
    const sample = await firstValueFrom(events$.pipe(
      filter((e: MetricEvent): e is SampleEvent => e.type === 'sample' && e.unit === 'pst-grouped'),
    ));
    expect(sample.processes).toBe(2);
    expect(Math.abs(sample.rssBytes - vmRssBytes(a.pid!) - vmRssBytes(b.pid!))).toBeLessThanOrEqual(64 * 1024);
    expect(readdirSync(dir)).toEqual(['pst-grouped']);
  });

  it('stops after count rounds, completing so the final summaries come out', () => {
    const real = procSampler();
    testScheduler().run(({ expectObservable }) => {
      const { events$ } = watchUnits({ targets: [{ unit: 'self', pid: process.pid }], sampler: real, intervalMs: 1_000, count: 3 });
      const kinds$ = events$.pipe(toArray(), map((all) => all.map((e) => e.type).filter((t) => t !== 'unit-added')));
      // rounds at 0, 1000 and 2000, each followed by its tick; the final summary round follows the last one at once
      expectObservable(kinds$).toBe('2000ms (k|)', { k: ['sample', 'tick', 'sample', 'tick', 'sample', 'tick', 'summary'] });
    });
    real.close();
  });

  it('stops when until emits or durationMs has passed, whichever comes first, and still summarizes', () => {
    const real = procSampler();
    testScheduler().run(({ cold, expectObservable }) => {
      const stopped = (options: { until?: Observable<unknown>; durationMs?: number }) =>
        watchUnits({ targets: [{ unit: 'self', pid: process.pid }], sampler: real, intervalMs: 1_000, ...options }).events$.pipe(
          toArray(), map((all) => all.filter((e) => e.type === 'sample' || e.type === 'summary').map((e) => e.type)),
        );
      expectObservable(stopped({ until: cold('1500ms x'), durationMs: 10_000 })).toBe('1500ms (k|)', { k: ['sample', 'sample', 'summary'] });
      expectObservable(stopped({ durationMs: 2_500 })).toBe('2500ms (k|)', { k: ['sample', 'sample', 'sample', 'summary'] });
    });
    real.close();
  });
});

describe('watchUnits tick events', () => {
  const ticksOf = (events$: Observable<MetricEvent>, untilMs: number) =>
    events$.pipe(takeUntil(timer(untilMs)), filter((e): e is TickEvent => e.type === 'tick'), toArray());

  it('follows each round\'s samples with a tick saying how long the sampler took, from the duration clock', () => {
    let clockMs = 0;
    const slow: Sampler = {
      sample: (targets) => { clockMs += 12.5; return targets.map((t) => sample(t.unit, 0, { processes: 3 })); },
      close: () => undefined,
    };
    testScheduler().run(({ expectObservable }) => {
      const { events$ } = watchUnits({
        targets: [{ unit: 'x', pid: 1 }, { unit: 'y', pid: 2 }], sampler: slow, intervalMs: 1_000, durationClock: { now: () => clockMs },
      });
      expectObservable(ticksOf(events$, 2_500)).toBe('2500ms (n|)', { n: [0, 1_000, 2_000].map((t) =>
        tick(t, { ts: t, samplingMs: 12.5, units: 2, processes: 6 })) });
      const kinds$ = events$.pipe(takeUntil(timer(1_500)), map((e) => e.type), filter((t) => t !== 'unit-added'), toArray());
      expectObservable(kinds$).toBe('1500ms (k|)', { k: ['sample', 'sample', 'tick', 'sample', 'sample', 'tick'] });
    });
  });

  it('reports each round\'s lag behind its deadline, counting deadlines skipped in full, and the missed count', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      // From 1.5 s the clock reads 2.3 s ahead, as if the loop had been blocked: the tick due at 2 s runs when the
      // clock reads 4.3 s, so deadlines 2 s, 3 s and 4 s passed; the lag runs from the first of them.
      let aheadMs = 0;
      ts.schedule(() => { aheadMs = 2_300; }, 1_500);
      const lagging = { now: () => ts.now() + aheadMs, schedule: ts.schedule.bind(ts) } as SchedulerLike;
      const idle: Sampler = { sample: () => [], close: () => undefined };
      const { events$ } = watchUnits({ targets: [{ unit: 'x', pid: 1 }], sampler: idle, intervalMs: 1_000, scheduler: lagging });
      const lags$ = ticksOf(events$, 2_500).pipe(map((ticks) => ticks.map((t) => [t.deadlineMs, t.lagMs, t.missed])));
      expectObservable(lags$).toBe('2500ms (n|)', { n: [[0, 0, 0], [1_000, 0, 0], [4_000, 2_300, 2]] });
    });
  });

  it('ticks with the units and live processes of a real round, and the store keeps no tick', async () => {
    const a = await startNode('setInterval(() => {}, 1000); console.log("ready")', true);
    const { events$, store } = watchUnits({ targets: [{ unit: 'a', pid: a.pid! }, { unit: 'gone', pid: 2 ** 22 + 1 }], intervalMs: 100 });
    const [first] = await firstValueFrom(events$.pipe(filter((e): e is TickEvent => e.type === 'tick'), take(1), toArray()));
    expect(first).toMatchObject({ unit: '*', units: 2, processes: 1, missed: 0 });
    expect(first!.samplingMs).toBeGreaterThan(0);
    expect(store.units().sort()).toEqual(['a', 'gone']); // a sample and a down marker; no '*' unit for the tick
  });
});
