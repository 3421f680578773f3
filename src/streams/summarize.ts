import { asyncScheduler, interval, Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { PipelineError } from '../errors.js';
import type { MetricEvent, SummaryEvent } from '../events.js';
import type { StoreQuery } from './windowed-store.js';

/** Options of {@link summarize}: the store to read, how often (default 10 s) and over how long. */
export interface SummarizeOptions {
  /** The store whose windows are summarized; feed it the same (shared) stream first, see `storeAndSummarize`. */
  store: StoreQuery;
  /** How often to emit a summary for every unit that has changed. Default 10 s. */
  everyMs?: number;
  /** The sampling interval: a unit whose newest row is older than two of them is `stale`. Default 1 s. */
  intervalMs?: number;
  /** Summarize only the last `windowMs` (default: the store's whole retention period). */
  windowMs?: number;
  /** `'events'` emits by event time (replays), `'scheduler'` by the clock (live). Default: scheduler. */
  clock?: 'scheduler' | 'events';
  scheduler?: SchedulerLike;
}

/**
 * Per-unit `summary` events from a windowed store: every `everyMs` for every unit the store holds (stale ones included,
 * so a reader sees them go stale), and once more for every unit when the input completes.
 */
export function summarize(options: SummarizeOptions): OperatorFunction<MetricEvent, SummaryEvent> {
  const { store, everyMs = 10_000, intervalMs = 1_000, windowMs, clock = 'scheduler', scheduler = asyncScheduler } =
    options;
  if (!(everyMs > 0)) throw new PipelineError('E_USAGE', `everyMs must be positive, got ${everyMs}`);
  if (!(intervalMs > 0)) throw new PipelineError('E_USAGE', `intervalMs must be positive, got ${intervalMs}`);

  // new Observable: the output completes with the input (after a final round) although the timer never does.
  return (source) =>
    new Observable<SummaryEvent>((subscriber) => {
      let nextEmitTs = Number.NEGATIVE_INFINITY;
      const emitFor = (units: Iterable<string>): void => {
        const now = store.now();
        for (const unit of units) {
          const summary = store.summary(unit, { now, intervalMs, ...(windowMs === undefined ? {} : { windowMs }) });
          if (summary !== undefined) subscriber.next(summary);
        }
      };
      const ticks =
        clock === 'scheduler' ? interval(everyMs, scheduler).subscribe(() => emitFor(store.units())) : undefined;
      const input = source.subscribe({
        next: (event) => {
          if (clock === 'events' && event.ts >= nextEmitTs) {
            if (nextEmitTs !== Number.NEGATIVE_INFINITY) emitFor(store.units());
            nextEmitTs = event.ts + everyMs;
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          emitFor(store.units());
          subscriber.complete();
        },
      });
      return () => {
        ticks?.unsubscribe();
        input.unsubscribe();
      };
    });
}
