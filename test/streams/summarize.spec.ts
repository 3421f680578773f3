import { firstValueFrom, map, of, Subject, take, toArray } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MetricEvent, SummaryEvent } from '../../src/events.js';
import { storeAndSummarize } from '../../src/streams/store-and-summarize.js';
import { summarize } from '../../src/streams/summarize.js';
import { windowedStore } from '../../src/streams/windowed-store.js';
import { sample } from '../../src/testing/index.js';
import { testScheduler } from '../helpers/test-scheduler.js';

const brief = (s: SummaryEvent) => ({ unit: s.unit, ts: s.ts, samples: s.samples, mean: s.cpuPercent.mean, stale: s.stale });

// prettier-ignore
describe('summarize', () => {
  let ts: TestScheduler;
  beforeEach(() => { ts = testScheduler(); });

  it('emits nothing for a source that never emits, and unsubscribes on teardown', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const store = windowedStore();
      const src = cold<MetricEvent>('-');
      expectObservable(src.pipe(summarize({ store, everyMs: 1_000 })), '^ 2500ms !').toBe('');
      expectSubscriptions(src.subscriptions).toBe('^ 2500ms !');
    });
  });

  it('completes without summaries for an empty source', () => {
    ts.run(({ cold, expectObservable }) => {
      const store = windowedStore();
      expectObservable(cold<MetricEvent>('|').pipe(storeAndSummarize({ store, passThrough: false }))).toBe('|');
    });
  });

  it('emits every everyMs and a final round on completion, marking a silent unit stale', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const store = windowedStore();
      const src = cold('a 999ms b 3499ms |', { a: sample('api', 0, { cpuPercent: 10 }), b: sample('api', 1_000, { cpuPercent: 30 }) });
      //                 summaries at 2000 and 4000 (everyMs), then the final one at 4500 with the completion
      const expected =  '2000ms x 1999ms y 499ms (z|)';
      expectObservable(src.pipe(storeAndSummarize({ store, everyMs: 2_000, passThrough: false }), map((e) => brief(e as SummaryEvent)))).toBe(expected, {
        x: { unit: 'api', ts: 2_000, samples: 2, mean: 20, stale: false },
        y: { unit: 'api', ts: 4_000, samples: 2, mean: 20, stale: true },
        z: { unit: 'api', ts: 4_500, samples: 2, mean: 20, stale: true },
      });
      expectSubscriptions(src.subscriptions).toBe('^ 4499ms !');
    });
  });

  it('forwards a source error', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const store = windowedStore();
      const src = cold('a 499ms #', { a: sample('api', 0) });
      expectObservable(src.pipe(storeAndSummarize({ store, passThrough: false }))).toBe('500ms #');
      expectSubscriptions(src.subscriptions).toBe('^ 499ms !');
    });
  });

  it('gives a late subscriber summaries from when it subscribed', () => {
    ts.run(({ hot, expectObservable }) => {
      const store = windowedStore();
      const src = hot('a 999ms b 999ms c 999ms |', { a: sample('api', 0), b: sample('api', 1_000), c: sample('api', 2_000) });
      expectObservable(src.pipe(storeAndSummarize({ store, everyMs: 1_000, passThrough: false }), map((s) => (s as SummaryEvent).samples)),
        '1500ms ^').toBe('2500ms x 499ms (y|)', { x: 1, y: 1 }); // the store saw only c: a and b came before
    });
  });

  it('emits by event time with the events clock, for replays', async () => {
    const store = windowedStore({ clock: 'events' });
    const events = [0, 1_000, 2_000, 3_000, 4_000].map((t) => sample('api', t));
    const out = await firstValueFrom(of(...events).pipe(storeAndSummarize({ store, clock: 'events', everyMs: 2_000, passThrough: false }), toArray()));
    expect(out.map((s) => [s.ts, (s as SummaryEvent).samples])).toEqual([[2_000, 3], [4_000, 5], [4_000, 5]]);
  });

  it('stops a synchronous source with take(2)', async () => {
    const store = windowedStore({ clock: 'events' });
    const events = Array.from({ length: 10 }, (_, i) => sample('api', i * 1_000));
    const out = await firstValueFrom(of(...events).pipe(storeAndSummarize({ store, clock: 'events', everyMs: 1_000 }), take(2), toArray()));
    // the summary due at ts 1000 comes before that event passes through: the store already holds it
    expect(out.map((e) => e.type)).toEqual(['sample', 'summary']);
  });
});

describe('storeAndSummarize', () => {
  it('subscribes the sampler once although the store and the summary both consume it', () => {
    const ts = testScheduler();
    let sampled = 0;
    let subscriptions = -1;
    ts.run(({ cold, expectObservable, flush }) => {
      const store = windowedStore();
      const ticks = cold('a 999ms a 999ms a|');
      const samples$ = ticks.pipe(map(() => sample('api', ts.now(), { cpuPercent: ++sampled })));
      const out = samples$.pipe(storeAndSummarize({ store, everyMs: 10_000 }), map((e) => e.type));
      expectObservable(out).toBe('a 999ms a 999ms a (s|)', { a: 'sample', s: 'summary' });
      flush();
      subscriptions = ticks.subscriptions.length;
    });
    expect(subscriptions).toBe(1); // one subscription to the ticks for three consumers
    expect(sampled).toBe(3); // one sample per tick, not one per consumer
  });

  it('gives the store every event before the summary reads it', () => {
    const store = windowedStore({ clock: 'events' });
    const input = new Subject<MetricEvent>();
    const summaries: SummaryEvent[] = [];
    input.pipe(storeAndSummarize({ store, clock: 'events', everyMs: 1_000, passThrough: false }))
      .subscribe((e) => summaries.push(e as SummaryEvent));
    input.next(sample('api', 0));
    input.next(sample('api', 1_000));
    expect(summaries.map((s) => s.samples)).toEqual([2]);
  });
});
