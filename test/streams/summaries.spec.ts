import { config, firstValueFrom, map, of, Subject, toArray } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.js';
import type { MetricEvent, SummaryEvent } from '../../src/events.js';
import { createWindowStore } from '../../src/store/create-window-store.js';
import { ingestAndSummarize } from '../../src/streams/ingest-and-summarize.js';
import { summaries } from '../../src/streams/summaries.js';
import { sample } from '../../src/testing/index.js';
import { pulledBy } from '../helpers/pulled.js';
import { testScheduler } from '../helpers/test-scheduler.js';

/** A scheduler-clock store that already holds `events` (fed directly, outside any stream). */
const holding = (...events: MetricEvent[]) => {
  const store = createWindowStore();
  for (const e of events) store.ingest(e, () => undefined);
  return store;
};
const brief = (s: SummaryEvent) => ({ unit: s.unit, ts: s.ts, samples: s.samples, mean: s.cpuPercent.mean, stale: s.stale });

// prettier-ignore
describe('summaries', () => {
  let ts: TestScheduler;
  beforeEach(() => { ts = testScheduler(); });

  it('emits nothing for a source that never emits, and unsubscribes on teardown', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const store = createWindowStore();
      const src = cold<MetricEvent>('-');
      expectObservable(src.pipe(summaries(store, { everyMs: 1_000 })), '^ 2500ms !').toBe('');
      expectSubscriptions(src.subscriptions).toBe('^ 2500ms !');
    });
  });

  it('completes without summaries for an empty source', () => {
    ts.run(({ cold, expectObservable }) => {
      const store = createWindowStore();
      expectObservable(cold<MetricEvent>('|').pipe(ingestAndSummarize(store, { passThrough: false }))).toBe('|');
    });
  });

  it('emits every everyMs and a final round on completion, marking a silent unit stale', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const store = createWindowStore();
      const src = cold('a 999ms b 3499ms |', { a: sample('api', 0, { cpuPercent: 10 }), b: sample('api', 1_000, { cpuPercent: 30 }) });
      //                 summaries at 2000 and 4000 (everyMs), then the final one at 4500 with the completion
      const expected =  '2000ms x 1999ms y 499ms (z|)';
      expectObservable(src.pipe(ingestAndSummarize(store, { everyMs: 2_000, passThrough: false }), map((e) => brief(e as SummaryEvent)))).toBe(expected, {
        x: { unit: 'api', ts: 2_000, samples: 2, mean: 20, stale: false },
        y: { unit: 'api', ts: 4_000, samples: 2, mean: 20, stale: true },
        z: { unit: 'api', ts: 4_500, samples: 2, mean: 20, stale: true },
      });
      expectSubscriptions(src.subscriptions).toBe('^ 4499ms !');
    });
  });

  it('forwards a source error', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const store = createWindowStore();
      const src = cold('a 499ms #', { a: sample('api', 0) });
      expectObservable(src.pipe(ingestAndSummarize(store, { passThrough: false }))).toBe('500ms #');
      expectSubscriptions(src.subscriptions).toBe('^ 499ms !');
    });
  });

  it('gives a late subscriber summaries from when it subscribed', () => {
    ts.run(({ hot, expectObservable }) => {
      const store = createWindowStore();
      const src = hot('a 999ms b 999ms c 999ms |', { a: sample('api', 0), b: sample('api', 1_000), c: sample('api', 2_000) });
      expectObservable(src.pipe(ingestAndSummarize(store, { everyMs: 1_000, passThrough: false }), map((s) => (s as SummaryEvent).samples)),
        '1500ms ^').toBe('2500ms x 499ms (y|)', { x: 1, y: 1 }); // the store saw only c: a and b came before
    });
  });

  it('emits by event time with the events clock, for replays', async () => {
    const store = createWindowStore({ clock: 'events' });
    const events = [0, 1_000, 2_000, 3_000, 4_000].map((t) => sample('api', t));
    const out = await firstValueFrom(of(...events).pipe(ingestAndSummarize(store, { everyMs: 2_000, passThrough: false }), toArray()));
    expect(out.map((s) => [s.ts, (s as SummaryEvent).samples])).toEqual([[2_000, 3], [4_000, 5], [4_000, 5]]);
  });

  it('summarizes a store filled elsewhere, at the store\'s time, every everyMs', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const store = holding(sample('api', 0, { cpuPercent: 10 }), sample('web', 0, { cpuPercent: 30 }));
      const src = cold<MetricEvent>('- 2500ms |');
      expectObservable(src.pipe(summaries(store, { everyMs: 1_000 }), map((e) => `${e.unit}@${e.ts}`))).toBe(
        '1000ms (ab) 996ms (cd) 497ms (ef|)',
        { a: 'api@1000', b: 'web@1000', c: 'api@2000', d: 'web@2000', e: 'api@2501', f: 'web@2501' });
      expectSubscriptions(src.subscriptions).toBe('^ 2500ms !');
    });
  });

  it('completes an empty source with one final round over the store', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const store = holding(sample('api', 0));
      const src = cold<MetricEvent>('|');
      expectObservable(src.pipe(summaries(store), map((e) => `${e.unit}@${e.ts}`))).toBe('(a|)', { a: 'api@0' });
      expectSubscriptions(src.subscriptions).toBe('(^!)');
    });
  });

  it('forwards a source error without a final round', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const store = holding(sample('api', 0));
      const src = cold<MetricEvent>('-- 1500ms #');
      expectObservable(src.pipe(summaries(store, { everyMs: 1_000 }), map((e) => e.ts))).toBe('1000ms a 501ms #', { a: 1_000 });
      expectSubscriptions(src.subscriptions).toBe('^ 1501ms !');
    });
  });

  it('gives each subscription its own schedule over the one store', () => {
    ts.run(({ cold, expectObservable }) => {
      const store = holding(sample('api', 0));
      const rounds = cold<MetricEvent>('- 2500ms |').pipe(summaries(store, { everyMs: 1_000 }), map((e) => e.ts));
      expectObservable(rounds).toBe('1000ms a 999ms b 500ms (c|)', { a: 1_000, b: 2_000, c: 2_501 });
      expectObservable(rounds, '500ms ^').toBe('1500ms a 999ms b 500ms (c|)', { a: 1_500, b: 2_500, c: 3_001 });
    });
  });

  it('turns a store that throws on a timer round into the error notification, with no unhandled error', () => {
    const unhandled: unknown[] = [];
    config.onUnhandledError = (e) => unhandled.push(e);
    try {
      ts.run(({ cold, expectObservable, expectSubscriptions }) => {
        const store = holding(sample('api', 0));
        const failing = { ...store, summary: () => { throw new Error('store broke'); } };
        const src = cold<MetricEvent>('-');
        expectObservable(src.pipe(summaries(failing, { everyMs: 1_000 }))).toBe('1000ms #', undefined, new Error('store broke'));
        expectSubscriptions(src.subscriptions).toBe('^ 999ms !');
      });
    } finally {
      config.onUnhandledError = null;
    }
    expect(unhandled).toEqual([]);
  });

  it('turns an event whose ts getter throws into the error notification (events clock)', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const store = createWindowStore({ clock: 'events' });
      const bad = { ...sample('api', 0), get ts(): number { throw new Error('bad ts'); } };
      const src = cold('a-b-a|', { a: sample('api', 0), b: bad });
      expectObservable(src.pipe(summaries(store, { everyMs: 1_000 }))).toBe('--#', undefined, new Error('bad ts'));
      expectSubscriptions(src.subscriptions).toBe('^-!');
    });
  });

  it('rejects everyMs and intervalMs out of range with E_USAGE, when called', () => {
    const store = createWindowStore();
    expect(() => summaries(store, { everyMs: 0 })).toThrow(PipelineError);
    expect(() => summaries(store, { intervalMs: -5 })).toThrow(/intervalMs/);
  });

  it('lets take(2) stop a synchronous source after the event that completed the second round', async () => {
    const store = createWindowStore({ clock: 'events' });
    for (let t = 0; t < 100; t++) store.ingest(sample('api', t * 1_000), () => undefined);
    const { pulled, taken } = await pulledBy((i) => sample('api', i * 1_000), summaries(store, { everyMs: 1_000 }));
    expect(taken.map((e) => e.type)).toEqual(['summary', 'summary']);
    expect(pulled).toBe(3); // the first event starts the schedule; the 2nd and 3rd are each due a round
  });
});

describe('ingestAndSummarize', () => {
  it('subscribes the sampler once although the store and the summary both consume it', () => {
    const ts = testScheduler();
    let sampled = 0;
    let subscriptions = -1;
    ts.run(({ cold, expectObservable, flush }) => {
      const store = createWindowStore();
      const ticks = cold('a 999ms a 999ms a|');
      const samples$ = ticks.pipe(map(() => sample('api', ts.now(), { cpuPercent: ++sampled })));
      const out = samples$.pipe(ingestAndSummarize(store, { everyMs: 10_000 }), map((e) => e.type));
      expectObservable(out).toBe('a 999ms a 999ms a (s|)', { a: 'sample', s: 'summary' });
      flush();
      subscriptions = ticks.subscriptions.length;
    });
    expect(subscriptions).toBe(1); // one subscription to the ticks for three consumers
    expect(sampled).toBe(3); // one sample per tick, not one per consumer
  });

  it('gives the store every event before the summary reads it', () => {
    const store = createWindowStore({ clock: 'events' });
    const input = new Subject<MetricEvent>();
    const summaries: SummaryEvent[] = [];
    input.pipe(ingestAndSummarize(store, { everyMs: 1_000, passThrough: false }))
      .subscribe((e) => summaries.push(e as SummaryEvent));
    input.next(sample('api', 0));
    input.next(sample('api', 1_000));
    expect(summaries.map((s) => s.samples)).toEqual([2]);
  });
});

// prettier-ignore
describe('ingestAndSummarize anatomy', () => {
  it('lets take(2) stop a synchronous source: the first event passes, the second is due a round', async () => {
    const store = createWindowStore({ clock: 'events' });
    const { pulled, taken } = await pulledBy((i) => sample('api', i * 1_000), ingestAndSummarize(store, { everyMs: 1_000 }));
    // the summary due at ts 1000 comes before that event passes through: the store already holds it
    expect(taken.map((e) => [e.type, e.ts])).toEqual([['sample', 0], ['summary', 1_000]]);
    expect(pulled).toBe(2);
    expect(store.size('api')).toBe(2);
  });

  it('turns an event whose field getter throws into the error notification, before passing it through', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const store = createWindowStore();
      const bad = { ...sample('api', 0), get cpuUserSeconds(): number { throw new Error('bad cpu'); } };
      const src = cold('a-b-a|', { a: sample('api', 0), b: bad });
      expectObservable(src.pipe(ingestAndSummarize(store, { everyMs: 10_000 }))).toBe('a-#', { a: sample('api', 0) }, new Error('bad cpu'));
      expectSubscriptions(src.subscriptions).toBe('^-!');
    });
  });

  it('emits nothing and keeps subscribed to a source that never emits, until unsubscribed', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold<MetricEvent>('-');
      expectObservable(src.pipe(ingestAndSummarize(createWindowStore(), { everyMs: 1_000 })), '--!').toBe('');
      expectSubscriptions(src.subscriptions).toBe('^-!');
    });
  });
});
