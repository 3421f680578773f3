import { beforeEach, describe, expect, it } from 'vitest';
import { firstValueFrom, map, of, take, timer, toArray } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { EVENT_FORMAT_VERSION, NO_UNIT, type MetricEvent } from '../../src/events.js';
import { sampleTicks } from '../../src/streams/sample-ticks.js';
import { down, sample } from '../../src/testing/index.js';
import { testScheduler } from '../helpers/test-scheduler.js';

const t = (missed = 0) => ({ missed });
const dropped = (ts: number, count: number, total: number): MetricEvent =>
  ({ type: 'dropped', v: EVENT_FORMAT_VERSION, unit: NO_UNIT, ts, source: 'interval', reason: 'overlap', count, total });

// prettier-ignore
describe('sampleTicks', () => {
  let ts: TestScheduler;
  beforeEach(() => { ts = testScheduler(); });
  const s = sample('api', 0);
  const d = down('api', 0);

  it('emits the events of a synchronous sample on each tick', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const ticks = cold('a    9ms b    9ms |', { a: t(), b: t() });
      expectObservable(ticks.pipe(sampleTicks(() => [s, d]))).toBe('(sd) 6ms (sd) 6ms |', { s, d });
      expectSubscriptions(ticks.subscriptions).toBe('^ 19ms !');
    });
  });

  it('skips a tick that arrives while an async sample runs, and counts it', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const ticks = cold('a 9ms b 9ms c 9ms d|', { a: t(), b: t(), c: t(), d: t() });
      // Every sample takes 15 ms: the ticks at 10 and 30 land while one is running; the tick at 20 does not.
      const slow = () => timer(15).pipe(map(() => [s]));
      expectObservable(ticks.pipe(sampleTicks(slow))).toBe(
        '10ms x 4ms s 14ms z 4ms (s|)', { s, x: dropped(10, 1, 1), z: dropped(30, 1, 2) });
      //       10      15       30      35
      expectSubscriptions(ticks.subscriptions).toBe('^ 30ms !');
    });
  });

  it('reports deadlines the ticker missed before sampling', () => {
    ts.run(({ cold, expectObservable }) => {
      const ticks = cold('(a|)', { a: t(3) });
      expectObservable(ticks.pipe(sampleTicks(() => [s]))).toBe('(xs|)', { s, x: dropped(0, 3, 3) });
    });
  });

  it('turns a throwing sampler into an error event and goes on', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const ticks = cold('a-b|', { a: t(), b: t() });
      let calls = 0;
      const flaky = () => { if (++calls === 1) throw Object.assign(new Error('boom'), { code: 'EMFILE' }); return [s]; };
      expectObservable(ticks.pipe(sampleTicks(flaky))).toBe('e-s|', {
        s, e: { type: 'error', v: EVENT_FORMAT_VERSION, unit: NO_UNIT, ts: 0, source: 'sampler', code: 'EMFILE', message: 'boom', count: 1 },
      });
      expectSubscriptions(ticks.subscriptions).toBe('^--!');
    });
  });

  it('passes a tick error through and unsubscribes', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const ticks = cold('a-#', { a: t() });
      expectObservable(ticks.pipe(sampleTicks(() => [s]))).toBe('s-#', { s });
      expectSubscriptions(ticks.subscriptions).toBe('^-!');
    });
  });

  it('emits nothing for never and completes for empty', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const never = cold<{ missed: number }>('-');
      const empty = cold<{ missed: number }>('|');
      expectObservable(never.pipe(sampleTicks(() => [s])), '---!').toBe('---');
      expectObservable(empty.pipe(sampleTicks(() => [s]))).toBe('|');
      expectSubscriptions(never.subscriptions).toBe('^--!');
    });
  });

  it('stops a synchronous source with take', async () => {
    expect(await firstValueFrom(of(t(), t(), t()).pipe(sampleTicks(() => [s, d]), take(3), toArray()))).toEqual([s, d, s]);
  });
});
