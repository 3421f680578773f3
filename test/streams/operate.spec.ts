import { config, interval, map, Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { guarded, operate } from '../../src/streams/operate.js';
import { testScheduler } from '../helpers/test-scheduler.js';
import { pulledBy } from '../helpers/pulled.js';

/** Doubles each value; throws on 'x'. A hand-written operator as the library writes them. */
const doubled = () =>
  operate<string, string>((subscriber) => ({
    next: (v) => {
      if (v === 'x') throw new Error('bad x');
      subscriber.next(v + v);
    },
  }));

// prettier-ignore
describe('operate', () => {
  let ts: TestScheduler;
  const unhandled: unknown[] = [];
  beforeEach(() => {
    ts = testScheduler();
    unhandled.length = 0;
    config.onUnhandledError = (e) => unhandled.push(e);
  });
  afterEach(() => { config.onUnhandledError = null; });

  it('keeps subscribed to a source that never emits until unsubscribed', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold<string>('-');
      expectObservable(src.pipe(doubled()), '--!').toBe('');
      expectSubscriptions(src.subscriptions).toBe('^-!');
    });
  });

  it('completes with an empty source', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold<string>('|');
      expectObservable(src.pipe(doubled())).toBe('|');
      expectSubscriptions(src.subscriptions).toBe('(^!)');
    });
  });

  it('handles one value and many values in order', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a-b-c|', { a: 'a', b: 'b', c: 'c' });
      expectObservable(src.pipe(doubled())).toBe('a-b-c|', { a: 'aa', b: 'bb', c: 'cc' });
      expectSubscriptions(src.subscriptions).toBe('^----!');
    });
  });

  it('forwards the source error by default', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold<string>('a-#', { a: 'a' });
      expectObservable(src.pipe(doubled())).toBe('a-#', { a: 'aa' });
      expectSubscriptions(src.subscriptions).toBe('^-!');
    });
  });

  it('turns a throwing next handler into the error notification and unsubscribes the source', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a-x-c|', { a: 'a', x: 'x', c: 'c' });
      expectObservable(src.pipe(doubled())).toBe('a-#', { a: 'aa' }, new Error('bad x'));
      expectSubscriptions(src.subscriptions).toBe('^-!');
    });
    expect(unhandled).toEqual([]);
  });

  it('turns a throwing complete handler into the error notification', () => {
    const failing = operate<string, string>((s) => ({ next: (v) => s.next(v), complete: () => { throw new Error('at end'); } }));
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a: 'a' }).pipe(failing)).toBe('a#', { a: 'a' }, new Error('at end'));
    });
    expect(unhandled).toEqual([]);
  });

  it('turns a throwing init into the error notification without subscribing the source', () => {
    const failing = operate<string, string>(() => { throw new Error('no init'); });
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold<string>('a|');
      expectObservable(src.pipe(failing)).toBe('#', undefined, new Error('no init'));
      expectSubscriptions(src.subscriptions).toBe([]);
    });
  });

  it('routes a throw in a guarded timer callback to the error notification and stops the timer', () => {
    let ticks = 0;
    const timed = operate<string, string>((s) => {
      s.add(interval(2).subscribe(guarded(s, () => { if (++ticks === 2) throw new Error('tick'); })));
      return { next: (v) => s.next(v) };
    });
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold<string>('-').pipe(timed)).toBe('----#', undefined, new Error('tick'));
    });
    expect(ticks).toBe(2);
    expect(unhandled).toEqual([]);
  });

  it('lets take(2) stop a synchronous source after two values', async () => {
    const { pulled, taken } = await pulledBy((i) => String(i), doubled());
    expect(taken).toEqual(['00', '11']);
    expect(pulled).toBe(2); // a source subscribed before its teardown is linked would have emitted all 100
  });

  it('pulls the whole synchronous source when the teardown is linked late (the fault it prevents)', async () => {
    const late = (source: Observable<string>) =>
      new Observable<string>((subscriber) => {
        const sub = source.subscribe({ next: (v) => subscriber.next(v), complete: () => subscriber.complete() });
        return () => sub.unsubscribe();
      });
    const { pulled } = await pulledBy((i) => String(i), late);
    expect(pulled).toBe(100);
  });

  it('composes with map like any operator', () => {
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a: 'a' }).pipe(doubled(), map((v) => v.length))).toBe('a|', { a: 2 });
    });
  });
});
