import { asyncScheduler, interval, type OperatorFunction, type SchedulerLike, type Subscriber } from 'rxjs';
import { PipelineError } from '../errors.js';
import type { MetricEvent, SummaryEvent } from '../events.js';
import type { StoreClock, StoreQuery } from '../store/store-query.js';
import { guarded, operate, type OperatorHandlers } from './operate.js';

/** Options of {@link summaries}; every field has a default. */
export interface SummariesOptions {
  /** How often to emit a summary for every unit the store holds, ms. Default 10 s. */
  everyMs?: number;
  /** The sampling interval, ms: a unit whose newest row is older than two of them is `stale`. Default 1 s. */
  intervalMs?: number;
  /** Summarize only the last `windowMs` (default: the store's whole retention period). */
  windowMs?: number;
  /** `'events'` emits as the input's `ts` passes each `everyMs`, `'scheduler'` on a timer. Default: the store's. */
  clock?: StoreClock;
  /** The timer's scheduler. Default: the store's, else `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

/** A store to summarize: any `StoreQuery`; a `createWindowStore` value also lends its clock and scheduler. */
export type SummarizedStore = StoreQuery & { readonly clock?: StoreClock; readonly scheduler?: SchedulerLike };

/**
 * Per-unit `summary` events from `store`, at the store's time: every `everyMs` for every unit it holds (stale ones
 * included, so a reader sees them go stale), and once more for every unit when the input completes. The input only
 * paces the rounds (events clock) and ends them; feed the store first (`ingestAndSummarize` does both in order).
 * Each subscription keeps its own schedule; the operator holds no state of its own.
 */
export function summaries(store: SummarizedStore, options: SummariesOptions = {}): OperatorFunction<MetricEvent, SummaryEvent> {
  return operate(summaryHandlers(store, options));
}

/** The per-subscription wiring of {@link summaries} (validated once), also composed by `ingestAndSummarize`. */
export function summaryHandlers(
  store: SummarizedStore,
  options: SummariesOptions,
): (subscriber: Subscriber<SummaryEvent>) => Required<OperatorHandlers<MetricEvent>> {
  const { everyMs = 10_000, intervalMs = 1_000, windowMs } = options;
  const { clock = store.clock ?? 'scheduler', scheduler = store.scheduler ?? asyncScheduler } = options;
  if (!(everyMs > 0)) throw new PipelineError('E_USAGE', `everyMs must be positive, got ${everyMs}`);
  if (!(intervalMs > 0)) throw new PipelineError('E_USAGE', `intervalMs must be positive, got ${intervalMs}`);
  const query = { intervalMs, ...(windowMs === undefined ? {} : { windowMs }) };

  return (subscriber) => {
    const round = (): void => {
      const now = store.now();
      for (const unit of store.units()) {
        const summary = store.summary(unit, { now, ...query });
        if (summary !== undefined) subscriber.next(summary);
      }
    };
    if (clock === 'scheduler') subscriber.add(interval(everyMs, scheduler).subscribe(guarded(subscriber, round)));
    let nextRoundTs = Number.NEGATIVE_INFINITY;
    return {
      next: (event) => {
        if (clock !== 'events' || event.ts < nextRoundTs) return;
        if (nextRoundTs !== Number.NEGATIVE_INFINITY) round();
        nextRoundTs = event.ts + everyMs;
      },
      error: (error) => subscriber.error(error),
      complete: () => {
        round();
        subscriber.complete();
      },
    };
  };
}
