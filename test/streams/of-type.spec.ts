import { beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { config, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import type { MetricEvent, SampleEvent, TickEvent, UnitDownEvent } from '../../src/events.js';
import { ofType } from '../../src/streams/of-type.js';
import { down, sample, tick } from '../../src/testing/index.js';
import { pulledBy } from '../helpers/pulled.js';
import { testScheduler } from '../helpers/test-scheduler.js';

/** Events of an application's own, mixed with procstream's. */
interface DeployEvent { type: 'deploy'; unit: string; ts: number; version: string }
interface AlertEvent { type: 'alert'; unit: string; ts: number; level: 'warn' | 'page' }
type AppEvent = MetricEvent | DeployEvent | AlertEvent;

// prettier-ignore
describe('ofType', () => {
  let ts: TestScheduler;
  beforeEach(() => { ts = testScheduler(); });
  const s = sample('api', 0);
  const d = down('api', 1000);
  const deploy: DeployEvent = { type: 'deploy', unit: 'api', ts: 500, version: '1.2.3' };
  const alert: AlertEvent = { type: 'alert', unit: 'api', ts: 600, level: 'page' };

  it('keeps subscribed and emits nothing while the source never emits', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold<MetricEvent>('-');
      expectObservable(src.pipe(ofType('sample')), '--!').toBe('');
      expectSubscriptions(src.subscriptions).toBe('^-!');
    });
  });

  it('completes with an empty source', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold<MetricEvent>('|');
      expectObservable(src.pipe(ofType('sample'))).toBe('|');
      expectSubscriptions(src.subscriptions).toBe('(^!)');
    });
  });

  it('keeps only the requested types', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a-b-a-|', { a: s, b: d });
      expectObservable(src.pipe(ofType('unit-down'))).toBe('--b---|', { b: d });
      expectSubscriptions(src.subscriptions).toBe('^-----!');
    });
  });

  it('keeps several types', () => {
    ts.run(({ cold, expectObservable }) => {
      const src = cold<MetricEvent>('a-b-t|', { a: s, b: d, t: tick(0) });
      expectObservable(src.pipe(ofType('sample', 'tick'))).toBe('a---t|', { a: s, t: tick(0) });
    });
  });

  it('filters custom event types mixed with procstream\'s, narrowing to them', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold<AppEvent>('a-x-b-y|', { a: s, x: deploy, b: d, y: alert });
      const deploys = src.pipe(ofType('deploy'));
      expectTypeOf(deploys).toEqualTypeOf<Observable<DeployEvent>>();
      expectObservable(deploys).toBe('--x----|', { x: deploy });
      expectObservable(src.pipe(ofType('alert', 'unit-down'))).toBe('----b-y|', { b: d, y: alert });
      expectSubscriptions(src.subscriptions).toBe(['^------!', '^------!']);
    });
  });

  it('narrows procstream\'s own union', () => {
    ts.run(({ cold }) => {
      const src = cold<MetricEvent>('|');
      expectTypeOf(src.pipe(ofType('sample'))).toEqualTypeOf<Observable<SampleEvent>>();
      expectTypeOf(src.pipe(ofType('unit-down', 'tick'))).toEqualTypeOf<Observable<UnitDownEvent | TickEvent>>();
    });
  });

  it('passes errors through and unsubscribes', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a-#', { a: s });
      expectObservable(src.pipe(ofType('sample'))).toBe('a-#', { a: s });
      expectSubscriptions(src.subscriptions).toBe('^-!');
    });
  });

  it('turns an event whose type getter throws into the error notification', () => {
    const unhandled: unknown[] = [];
    config.onUnhandledError = (e) => unhandled.push(e);
    try {
      ts.run(({ cold, expectObservable, expectSubscriptions }) => {
        const bad = { ...s, get type(): 'sample' { throw new Error('no type'); } };
        const src = cold('a-b-a|', { a: s, b: bad });
        expectObservable(src.pipe(ofType('sample'))).toBe('a-#', { a: s }, new Error('no type'));
        expectSubscriptions(src.subscriptions).toBe('^-!');
      });
    } finally {
      config.onUnhandledError = null;
    }
    expect(unhandled).toEqual([]);
  });

  it('lets take(2) stop a synchronous source after the second match', async () => {
    const { pulled, taken } = await pulledBy((i) => (i % 2 === 0 ? sample('api', i) : down('api', i)), ofType('unit-down'));
    expect(taken).toEqual([down('api', 1), down('api', 3)]);
    expect(pulled).toBe(4);
  });
});
