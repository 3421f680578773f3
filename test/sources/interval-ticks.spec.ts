import { beforeEach, describe, expect, it } from 'vitest';
import { firstValueFrom, map, take, toArray, type SchedulerLike } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { intervalTicks, type IntervalTick } from '../../src/sources/interval-ticks.js';
import { testScheduler } from '../helpers/test-scheduler.js';

const tick = (index: number, deadlineMs: number, missed = 0): IntervalTick => ({ index, deadlineMs, missed });

// prettier-ignore
describe('intervalTicks', () => {
  let ts: TestScheduler;
  beforeEach(() => { ts = testScheduler(); });

  it('ticks at once and then every intervalMs', () => {
    ts.run(({ expectObservable }) => {
      expectObservable(intervalTicks({ intervalMs: 10 }).pipe(take(3))).toBe(
        'a 9ms b 9ms (c|)', { a: tick(0, 0), b: tick(1, 10), c: tick(2, 20) });
      //  0     10    20
    });
  });

  it('never ends on its own and stops on unsubscribe', () => {
    ts.run(({ expectObservable }) => {
      expectObservable(intervalTicks({ intervalMs: 10 }), '25ms !').toBe(
        'a 9ms b 9ms c', { a: tick(0, 0), b: tick(1, 10), c: tick(2, 20) });
    });
  });

  it('skips and counts deadlines passed while the loop was blocked, then keeps the original grid', () => {
    ts.run(({ expectObservable }) => {
      // From frame 5 the clock reads 25 ms ahead, as if a sample had blocked the loop for 25 ms.
      let lagMs = 0;
      const lagging: SchedulerLike = { now: () => ts.now() + lagMs, schedule: ts.schedule.bind(ts) as SchedulerLike['schedule'] };
      ts.schedule(() => { lagMs = 25; }, 5);
      expectObservable(intervalTicks({ intervalMs: 10, scheduler: lagging }).pipe(take(4))).toBe(
        'a 9ms b 4ms c 9ms (d|)', { a: tick(0, 0), b: tick(3, 30, 2), c: tick(4, 40), d: tick(5, 50) });
      //  0     10    15    25   (clock reads +25)
    });
  });

  it('emits synchronously for take(1) on a real scheduler and stops', async () => {
    const [first] = await firstValueFrom(intervalTicks({ intervalMs: 1000 }).pipe(take(1), toArray()));
    expect(first?.index).toBe(0);
    expect(first?.missed).toBe(0);
  });

  it('never ticks before its deadline on a real scheduler, even after a tick whose work blocked the loop', async () => {
    // After 30 ms of work the next delay is 10 ms each time, so rxjs keeps one setInterval(10) running from its last
    // firing, which wakes the ticker 10 ms early. Such a wake-up must wait for its deadline, not tick.
    const intervalMs = 40;
    const emitted = await firstValueFrom(intervalTicks({ intervalMs }).pipe(
      take(8),
      map((tick) => {
        const nowMs = Date.now();
        while (Date.now() - nowMs < 30) { /* the work of a long sample */ }
        return { ...tick, nowMs };
      }),
      toArray(),
    ));
    expect(emitted).toHaveLength(8);
    for (const { nowMs, deadlineMs } of emitted) expect(nowMs).toBeGreaterThanOrEqual(deadlineMs);
  });
});
