import { concatMap, EMPTY, from, map, type MonoTypeOperatorFunction, of, take, tap } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MetricEvent } from '../../src/events.js';
import { besideRebuild } from '../../src/streams/beside-rebuild.js';
import { sample } from '../../src/testing/index.js';
import { testScheduler } from '../helpers/test-scheduler.js';

const a = sample('api', 1);
const b = sample('api', 2);
const x = sample('api', 10);
const y = sample('api', 11);
/** What a store pipeline emits of its own for an event (an eviction, a summary): here a marker of another unit. */
const note = (e: MetricEvent): MetricEvent => sample('note', e.ts);

/** A store pipeline that records the order events reach it, passes each through and adds its own note after it. */
function recorder(): { seen: number[]; stored: MonoTypeOperatorFunction<MetricEvent> } {
  const seen: number[] = [];
  return { seen, stored: (src) => src.pipe(tap((e) => seen.push(e.ts)), concatMap((e) => of(e, note(e)))) };
}

// prettier-ignore
describe('besideRebuild', () => {
  let ts: TestScheduler;
  beforeEach(() => { ts = testScheduler(); });

  it('emits nothing and keeps both inputs subscribed while neither emits', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const rebuild = cold<MetricEvent>('-');
      const live = cold<MetricEvent>('-');
      expectObservable(live.pipe(besideRebuild(rebuild, recorder().stored)), '^ 999ms !').toBe('');
      expectSubscriptions(rebuild.subscriptions).toBe('^ 999ms !');
      expectSubscriptions(live.subscriptions).toBe('^ 999ms !');
    });
  });

  it('completes when both inputs are empty', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const rebuild = cold<MetricEvent>('|');
      const live = cold<MetricEvent>('|');
      expectObservable(live.pipe(besideRebuild(rebuild, recorder().stored))).toBe('|');
      expectSubscriptions(live.subscriptions).toBe('(^!)');
    });
  });

  it('passes a live event on at once while the rebuild runs, and stores it after the rebuilt rows, once', () => {
    ts.run(({ cold, expectObservable, flush }) => {
      const { seen, stored } = recorder();
      const rebuild = cold<MetricEvent>('a-b|', { a, b });
      const live = cold<MetricEvent>(   '-x---y---|', { x, y });
      // x goes out at frame 1 as it came; its store note comes when the rebuild ends (frame 3); y goes through the store.
      expectObservable(live.pipe(besideRebuild(rebuild, stored))).toBe('-x-n-(yz)|', { x, y, n: note(x), z: note(y) });
      flush();
      expect(seen).toEqual([1, 2, 10, 11]);
    });
  });

  it("passes on nothing of the rebuild: neither its rows nor what the store emits for them", () => {
    ts.run(({ cold, expectObservable }) => {
      const rebuild = cold<MetricEvent>('ab|', { a, b });
      const live = cold<MetricEvent>(   '----y---|', { y });
      expectObservable(live.pipe(besideRebuild(rebuild, recorder().stored))).toBe('----(yz)|', { y, z: note(y) });
    });
  });

  it('completes after a slower rebuild when the live input ended first, having stored the held events', () => {
    ts.run(({ cold, expectObservable, flush }) => {
      const { seen, stored } = recorder();
      const rebuild = cold<MetricEvent>('---a|', { a });
      const live = cold<MetricEvent>(   'x|', { x });
      expectObservable(live.pipe(besideRebuild(rebuild, stored))).toBe('x---(n|)', { x, n: note(x) });
      flush();
      expect(seen).toEqual([1, 10]);
    });
  });

  it('with passThrough false, passes no held live event on (the store pipeline does not either)', () => {
    ts.run(({ cold, expectObservable }) => {
      const rebuild = cold<MetricEvent>('--a|', { a });
      const live = cold<MetricEvent>(   'x-----|', { x });
      const stored: MonoTypeOperatorFunction<MetricEvent> = map(note);
      expectObservable(live.pipe(besideRebuild(rebuild, stored, { passThrough: false }))).toBe('---n--|', { n: note(x) });
    });
  });

  it('errors when the rebuild errors, and unsubscribes the live input', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const rebuild = cold<MetricEvent>('--#', {}, new Error('unreadable'));
      const live = cold<MetricEvent>(   'x----', { x });
      expectObservable(live.pipe(besideRebuild(rebuild, recorder().stored))).toBe('x-#', { x }, new Error('unreadable'));
      expectSubscriptions(live.subscriptions).toBe('^-!');
    });
  });

  it('with rebuildFailed, passes its event on and goes on live with what was rebuilt', () => {
    ts.run(({ cold, expectObservable, flush }) => {
      const { seen, stored } = recorder();
      const failed = sample('failed', 0);
      const rebuild = cold<MetricEvent>('a-#', { a }, new Error('unreadable'));
      const live = cold<MetricEvent>(   'x-------y---|', { x, y });
      expectObservable(live.pipe(besideRebuild(rebuild, stored, { rebuildFailed: () => failed })))
        .toBe('x-(fn)--(yz)|', { x, y, f: failed, n: note(x), z: note(y) });
      flush();
      expect(seen).toEqual([1, 10, 11]);
    });
  });

  it('with stop, gives up a running rebuild: live events still pass, the store pipeline ends without its final output', () => {
    ts.run(({ cold, hot, expectObservable, expectSubscriptions, flush }) => {
      const { seen, stored } = recorder();
      const rebuild = cold<MetricEvent>('a----b|', { a, b });
      const live = cold<MetricEvent>(   'xy----|', { x, y });
      const stop = hot(                 '--s');
      expectObservable(live.pipe(besideRebuild(rebuild, stored, { stop }))).toBe('xy----|', { x, y });
      expectSubscriptions(rebuild.subscriptions).toBe('^-!');
      flush();
      expect(seen).toEqual([1]); // the held live events never went into the half-built store
    });
  });

  it('with stop, completes at the stop when the live input has ended already', () => {
    ts.run(({ cold, hot, expectObservable }) => {
      const rebuild = cold<MetricEvent>('-----a|', { a });
      const live = cold<MetricEvent>(   'x|', { x });
      expectObservable(live.pipe(besideRebuild(rebuild, recorder().stored, { stop: hot('--s') }))).toBe('x-|', { x });
    });
  });

  it('a stop after the rebuild has ended changes nothing', () => {
    ts.run(({ cold, hot, expectObservable }) => {
      const rebuild = cold<MetricEvent>('a|', { a });
      const live = cold<MetricEvent>(   '--x-----|', { x });
      expectObservable(live.pipe(besideRebuild(rebuild, recorder().stored, { stop: hot('---s') }))).toBe('--(xn)--|', { x, n: note(x) });
    });
  });

  it('errors when the live input errors', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const rebuild = cold<MetricEvent>('-----|');
      const live = cold<MetricEvent>(   '-#', {}, new Error('sampler'));
      expectObservable(live.pipe(besideRebuild(rebuild, recorder().stored))).toBe('-#', {}, new Error('sampler'));
      expectSubscriptions(rebuild.subscriptions).toBe('^!');
    });
  });

  it('unsubscribes both inputs on an early unsubscribe', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const rebuild = cold<MetricEvent>('-a-b-|', { a, b });
      const live = cold<MetricEvent>(   '--x-----y|', { x, y });
      expectObservable(live.pipe(besideRebuild(rebuild, recorder().stored)), '---!').toBe('--x', { x });
      expectSubscriptions(rebuild.subscriptions).toBe('^--!');
      expectSubscriptions(live.subscriptions).toBe('^--!');
    });
  });

  it('routes a throw of the store pipeline to the error channel', () => {
    ts.run(({ cold, expectObservable }) => {
      const rebuild = cold<MetricEvent>('|');
      const live = cold<MetricEvent>(   '-x-', { x });
      const failing: MonoTypeOperatorFunction<MetricEvent> = map(() => { throw new Error('store'); });
      expectObservable(live.pipe(besideRebuild(rebuild, failing))).toBe('-#', {}, new Error('store'));
    });
  });

  it('take(2) stops a synchronous live source after two values', () => {
    let pulled = 0;
    const out: MetricEvent[] = [];
    from([x, y, a, b]).pipe(tap(() => { pulled++; }), besideRebuild(EMPTY, (s) => s), take(2)).subscribe((e) => out.push(e));
    expect(out).toEqual([x, y]);
    expect(pulled).toBe(2);
  });
});
