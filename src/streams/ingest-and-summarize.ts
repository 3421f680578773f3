import type { OperatorFunction } from 'rxjs';
import type { MetricEvent } from '../events.js';
import type { MetricStore } from '../store/create-window-store.js';
import { ingestHandlers } from './ingest-into.js';
import { operate } from './operate.js';
import { summaryHandlers, type SummariesOptions } from './summaries.js';

/** Options of {@link ingestAndSummarize}: those of `summaries`, and whether input events pass through. */
export interface IngestAndSummarizeOptions extends SummariesOptions {
  /** Also pass the input events through to the output (default true), e.g. to print samples as NDJSON. */
  passThrough?: boolean;
}

/**
 * `ingestInto(store)` and `summaries(store)` over one subscription to the source, in that order for each event: the
 * store's evictions and removals, then any summary round due, then the event itself (when `passThrough`). The two
 * operators' own handlers are called in sequence rather than through a shared Subject: a Subject's fan-out cost a
 * quarter of the whole pipeline at a few million events a second (BENCHMARKS.md). Completes after the final round.
 */
export function ingestAndSummarize(store: MetricStore, options: IngestAndSummarizeOptions = {}): OperatorFunction<MetricEvent, MetricEvent> {
  const { passThrough = true, ...summaryOptions } = options;
  const ingestInit = ingestHandlers(store);
  const summaryInit = summaryHandlers(store, summaryOptions);
  return operate((subscriber) => {
    const ingest = ingestInit(subscriber);
    const summary = summaryInit(subscriber);
    return {
      next: passThrough
        ? (event) => { ingest.next(event); summary.next(event); subscriber.next(event); }
        : (event) => { ingest.next(event); summary.next(event); },
      complete: summary.complete,
    };
  });
}
