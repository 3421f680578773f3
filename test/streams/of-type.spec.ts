import { beforeEach, describe, expect, it } from 'vitest';
import { of, take, toArray, firstValueFrom } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { ofType } from '../../src/streams/of-type.js';
import { down, sample } from '../../src/testing/index.js';
import { testScheduler } from '../helpers/test-scheduler.js';

// prettier-ignore
describe('ofType', () => {
  let ts: TestScheduler;
  beforeEach(() => { ts = testScheduler(); });
  const s = sample('api', 0);
  const d = down('api', 1000);

  it('keeps only the requested types', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a-b-a-|', { a: s, b: d });
      expectObservable(src.pipe(ofType('unit-down'))).toBe('--b---|', { b: d });
      expectSubscriptions(src.subscriptions).toBe('^-----!');
    });
  });

  it('passes errors through and unsubscribes', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a-#', { a: s });
      expectObservable(src.pipe(ofType('sample'))).toBe('a-#', { a: s });
      expectSubscriptions(src.subscriptions).toBe('^-!');
    });
  });

  it('stops a synchronous source with take', async () => {
    const out = await firstValueFrom(of(s, d, s, s).pipe(ofType('sample'), take(2), toArray()));
    expect(out).toEqual([s, s]);
  });
});
