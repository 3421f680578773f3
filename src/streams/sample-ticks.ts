import { type Observable, type ObservableInput, type OperatorFunction, type TimestampProvider, asyncScheduler, catchError, concat, defer, finalize, from, mergeMap, of } from 'rxjs';
import { EVENT_FORMAT_VERSION, NO_UNIT, type DroppedEvent, type ErrorEvent, type MetricEvent } from '../events.js';

/** Options of {@link sampleTicks}. */
export interface SampleTicksOptions {
  /** Stamps the `dropped` events (default `asyncScheduler`). */
  scheduler?: TimestampProvider;
}

/**
 * Runs `sample` on each tick, one at a time. A tick that arrives while a sample is still running is skipped, never
 * queued, and so are deadlines the ticker `missed`; each skip is reported as `dropped` (`source: 'interval'`,
 * `reason: 'overlap'`) with a running total. `sample` may return events, or a promise or Observable of them; when it throws or
 * rejects, the tick yields an `error` event (`source: 'sampler'`) and sampling goes on.
 */
export function sampleTicks<T extends { missed: number }>(
  sample: (tick: T) => readonly MetricEvent[] | ObservableInput<readonly MetricEvent[]>,
  { scheduler = asyncScheduler }: SampleTicksOptions = {},
): OperatorFunction<T, MetricEvent> {
  return (ticks) => defer(() => {
    let busy = false;
    let total = 0;
    let errors = 0;
    const failed = (error: unknown): ErrorEvent => ({
      type: 'error', v: EVENT_FORMAT_VERSION, unit: NO_UNIT, ts: scheduler.now(), source: 'sampler',
      code: String((error as { code?: unknown } | null)?.code ?? 'E_SOURCE'), message: String((error as Error | null)?.message ?? error),
      count: ++errors,
    });
    const dropped = (count: number): DroppedEvent => {
      total += count;
      return { type: 'dropped', v: EVENT_FORMAT_VERSION, unit: NO_UNIT, ts: scheduler.now(), source: 'interval', reason: 'overlap', count, total };
    };
    return ticks.pipe(mergeMap((tick): Observable<MetricEvent> => {
      if (busy) return of(dropped(1 + tick.missed));
      busy = true;
      const skipped = tick.missed > 0 ? [dropped(tick.missed)] : [];
      const events = defer(() => {
        const out = sample(tick);
        return isArray(out) ? from(out) : from(out).pipe(mergeMap((list) => from(list)));
      }).pipe(catchError((error: unknown) => of(failed(error))));
      return concat(from(skipped), events).pipe(finalize(() => { busy = false; }));
    }));
  });
}

const isArray = (x: unknown): x is readonly MetricEvent[] => Array.isArray(x);
