import { Subject } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.js';
import type { EvictedEvent, MetricEvent } from '../../src/events.js';
import { createWindowStore } from '../../src/store/create-window-store.js';
import { ingestInto } from '../../src/streams/ingest-into.js';
import { down, sample } from '../../src/testing/index.js';
import { pulledBy } from '../helpers/pulled.js';
import { testScheduler } from '../helpers/test-scheduler.js';

const evicted = (reason: EvictedEvent['reason'], ts: number, event: EvictedEvent['event']): EvictedEvent => ({
  type: 'evicted', v: 1, unit: event.unit, ts, reason, event,
});

// prettier-ignore
describe('ingestInto', () => {
  let ts: TestScheduler;
  beforeEach(() => { ts = testScheduler(); });

  it('emits nothing and keeps subscribed while the source never emits', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold<MetricEvent>('-');
      const store = createWindowStore({ retentionMs: 5_000 });
      expectObservable(src.pipe(ingestInto(store)), '^ 4999ms !').toBe('');
      expectSubscriptions(src.subscriptions).toBe('^ 4999ms !');
    });
  });

  it('completes with an empty source and holds no units', () => {
    const store = createWindowStore();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold<MetricEvent>('|');
      expectObservable(src.pipe(ingestInto(store))).toBe('|');
      expectSubscriptions(src.subscriptions).toBe('(^!)');
    });
    expect(store.units()).toEqual([]);
    expect(store.bytesUsed()).toBe(0);
  });

  it('keeps one sample in its window without emitting anything', () => {
    const store = createWindowStore();
    const a = sample('api', 0, { cpuPercent: 12.5, rssBytes: 4096 * 300, ioReadBytes: 10, ioWriteBytes: 20 });
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a }).pipe(ingestInto(store))).toBe('-|');
    });
    expect(store.units()).toEqual(['api']);
    expect(store.window('api')).toEqual([a]);
  });

  it('evicts each sample by retention, in order, on the sweeps', () => {
    const store = createWindowStore({ retentionMs: 2_000, sweepIntervalMs: 1_000 });
    const a = sample('api', 0);
    const b = sample('api', 1_000);
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a 999ms b 3999ms |', { a, b });
      // sweeps at 1000, 2000, 3000 …: a (ts 0) is older than the cutoff from t=3000 on, b from t=4000 on
      const expected =  '3000ms x 999ms (yr) 996ms |';
      expectObservable(src.pipe(ingestInto(store))).toBe(expected, {
        x: evicted('retention', 3_000, a),
        y: evicted('retention', 4_000, b),
        r: { type: 'unit-removed', v: 1, unit: 'api', ts: 4_000, reason: 'retention' },
      });
      expectSubscriptions(src.subscriptions).toBe('^ 4999ms !');
    });
    expect(store.window('api')).toEqual([]);
  });

  it('keeps a sample that is exactly at the retention cutoff', () => {
    const store = createWindowStore({ retentionMs: 2_000, sweepIntervalMs: 1_000 });
    ts.run(({ cold, expectObservable }) => {
      const src = cold('a 1999ms |', { a: sample('api', 0) });
      expectObservable(src.pipe(ingestInto(store))).toBe('2000ms |'); // the sweep at t=2000 has cutoff 0: ts 0 stays
    });
    expect(store.window('api')).toHaveLength(1);
  });

  it('ages out a unit that falls silent and then removes it', () => {
    const store = createWindowStore({ retentionMs: 1_000, sweepIntervalMs: 1_000 });
    const a = sample('quiet', 0);
    ts.run(({ cold, expectObservable }) => {
      const src = cold('a 2999ms |', { a });
      expectObservable(src.pipe(ingestInto(store))).toBe('2000ms (xr) 996ms |', {
        x: evicted('retention', 2_000, a),
        r: { type: 'unit-removed', v: 1, unit: 'quiet', ts: 2_000, reason: 'retention' },
      });
    });
    expect(store.units()).toEqual([]);
  });

  it('keeps a down unit while its down markers keep arriving', () => {
    const store = createWindowStore({ retentionMs: 1_000, sweepIntervalMs: 1_000 });
    ts.run(({ cold, expectObservable }) => {
      const src = cold('a 999ms b 999ms c 1499ms |', { a: down('api', 0), b: down('api', 1_000), c: down('api', 2_000) });
      expectObservable(src.pipe(ingestInto(store))).toBe('2000ms x 999ms y 499ms |', {
        x: evicted('retention', 2_000, down('api', 0)),
        y: evicted('retention', 3_000, down('api', 1_000)),
      });
    });
    expect(store.units()).toEqual(['api']);
    expect(store.window('api')).toEqual([down('api', 2_000)]);
  });

  it('emits an out-of-order sample at once as evicted and keeps the window in time order', () => {
    const store = createWindowStore();
    const late = sample('api', 500);
    ts.run(({ cold, expectObservable }) => {
      const src = cold('a 999ms b 999ms c|', { a: sample('api', 0), b: sample('api', 1_000), c: late });
      expectObservable(src.pipe(ingestInto(store))).toBe('2000ms x|', { x: evicted('out-of-order', 2_000, late) });
    });
    expect(store.window('api').map((e) => e.ts)).toEqual([0, 1_000]);
  });

  it('forwards a source error and stops sweeping', () => {
    const store = createWindowStore({ retentionMs: 1_000, sweepIntervalMs: 1_000 });
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a 499ms #', { a: sample('api', 0) });
      expectObservable(src.pipe(ingestInto(store))).toBe('500ms #');
      expectSubscriptions(src.subscriptions).toBe('^ 499ms !');
    });
    expect(store.window('api')).toHaveLength(1); // no sweep ran after the error
  });

  it('stops sweeping and unsubscribes the source on early unsubscribe', () => {
    const store = createWindowStore({ retentionMs: 1_000, sweepIntervalMs: 1_000 });
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a 9999ms |', { a: sample('api', 0) });
      expectObservable(src.pipe(ingestInto(store)), '^ 1500ms !').toBe('');
      expectSubscriptions(src.subscriptions).toBe('^ 1500ms !');
    });
    expect(store.window('api')).toHaveLength(1);
  });

  it('gives a late subscriber of a hot source only what arrives after it subscribed', () => {
    const store = createWindowStore();
    ts.run(({ hot, expectObservable }) => {
      const src = hot('a 999ms b 999ms c|', { a: sample('api', 0), b: sample('api', 1_000), c: sample('api', 2_000) });
      expectObservable(src.pipe(ingestInto(store)), '500ms ^').toBe('2001ms |');
    });
    expect(store.window('api').map((e) => e.ts)).toEqual([1_000, 2_000]);
  });

  it('feeds the one store from a second subscription: nothing resets, each subscription gets the evictions it causes', () => {
    const store = createWindowStore({ maxMemoryBytes: 1_000 }); // one chunk of ~32 rows
    const first = new Subject<MetricEvent>();
    const second = new Subject<MetricEvent>();
    const out1: EvictedEvent[] = [];
    const out2: EvictedEvent[] = [];
    first.pipe(ingestInto(store)).subscribe((e) => out1.push(e as EvictedEvent));
    for (let t = 0; t < 10; t++) first.next(sample('api', t));
    second.pipe(ingestInto(store)).subscribe((e) => out2.push(e as EvictedEvent));
    expect(store.size('api')).toBe(10); // the second subscription did not empty the store
    for (let t = 10; t < 100; t++) second.next(sample('api', t));
    expect(out1).toEqual([]);
    expect(out2.length + store.size('api')).toBe(100); // every row is either held or was reported, once
    expect(store.window('api').map((e) => e.ts)).toEqual(Array.from({ length: store.size('api') }, (_, i) => 100 - store.size('api') + i));
  });

  it('turns a throw while ingesting (an event whose field getter throws) into the error notification', () => {
    const bad = { ...sample('api', 1_000), get rssBytes(): number { throw new Error('bad rssBytes'); } };
    const store = createWindowStore({ retentionMs: 1_000, sweepIntervalMs: 1_000 });
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a 499ms b 999ms c|', { a: sample('api', 0), b: bad, c: sample('api', 2_000) });
      expectObservable(src.pipe(ingestInto(store))).toBe('500ms #', undefined, new Error('bad rssBytes'));
      expectSubscriptions(src.subscriptions).toBe('^ 499ms !');
    });
    expect(store.window('api').map((e) => e.ts)).toEqual([0]); // and the sweep timer stopped with it
  });

  it('rejects options out of range with E_USAGE', () => {
    for (const bad of [{ maxMemoryBytes: 10 }, { retentionMs: 0 }, { sweepIntervalMs: -1 }, { retentionMs: Number.NaN }]) {
      expect(() => createWindowStore(bad)).toThrow(PipelineError);
    }
  });

  it('validates its options by name', () => {
    expect(() => createWindowStore({ maxMemoryBytes: 10 })).toThrow(/maxMemoryBytes/);
    expect(() => createWindowStore({ retentionMs: 0 })).toThrow(/retentionMs/);
  });

  it('lets take(2) stop a synchronous source: it pulls only the events that caused the two evictions', async () => {
    const store = createWindowStore({ maxMemoryBytes: 1_000, clock: 'events' }); // one chunk: the second evicts the first
    const { pulled, taken } = await pulledBy((i) => sample('api', i), ingestInto(store));
    expect(taken.map((e) => [e.type, (e as EvictedEvent).reason, (e as EvictedEvent).event.ts])).toEqual([
      ['evicted', 'budget', 0],
      ['evicted', 'budget', 1],
    ]);
    // The first sample that needs a second chunk evicts the whole first chunk; take(2) closes during that, and the
    // source is not asked for one more sample: the store holds that evicting sample alone, the last one pulled.
    expect(pulled).toBeLessThan(100);
    expect(store.window('api').map((e) => e.ts)).toEqual([pulled - 1]);
  });
});

describe('ingestInto budget', () => {
  it('is fair: with 20 units and room for 5 units of history, every unit keeps a window within 2x of the others', () => {
    // Raw rows only: this is the budget's fairness among raw windows, counted in rows (tiers.spec.ts has it across tiers).
    const store = createWindowStore({ maxMemoryBytes: 5 * 1_000 * 30, tiers: false }); // about 5 units × 1,000 rows of ~30 bytes
    const evictedByUnit = new Map<string, number>();
    const input = new Subject<MetricEvent>();
    input.pipe(ingestInto(store)).subscribe((e) => evictedByUnit.set(e.unit, (evictedByUnit.get(e.unit) ?? 0) + 1));
    for (let t = 0; t < 1_000; t++) {
      for (let u = 0; u < 20; u++) input.next(sample(`unit-${String(u).padStart(2, '0')}`, t * 1_000));
    }
    const sizes = store.units().map((unit) => store.window(unit).length);
    expect(sizes).toHaveLength(20);
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2 * Math.min(...sizes));
    expect(store.bytesUsed()).toBeLessThanOrEqual(5 * 1_000 * 30);
    for (const unit of store.units()) expect((evictedByUnit.get(unit) ?? 0) + store.window(unit).length).toBe(1_000);
  });

  it('evicts the oldest rows of the fullest unit, not of the alphabetically first', () => {
    const store = createWindowStore({ maxMemoryBytes: 4 * 1_000 });
    const input = new Subject<MetricEvent>();
    const out: EvictedEvent[] = [];
    input.pipe(ingestInto(store)).subscribe((e) => out.push(e as EvictedEvent));
    for (let t = 0; t < 64; t++) input.next(sample('b-busy', t)); // two chunks
    input.next(sample('a-quiet', 0)); // a third
    input.next(sample('c-quiet', 0)); // a fourth: the budget is full
    input.next(sample('d-quiet', 0)); // needs a fifth: b-busy owns the most, so it gives its oldest chunk
    expect(new Set(out.map((e) => e.unit))).toEqual(new Set(['b-busy']));
    expect(out.map((e) => e.event.ts)).toEqual(Array.from({ length: 32 }, (_, i) => i));
    expect(store.window('a-quiet')).toHaveLength(1);
  });
});
