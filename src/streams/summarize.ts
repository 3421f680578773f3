import type { OperatorFunction } from 'rxjs';
import type { MetricEvent, SummaryEvent } from '../events.js';
import { summaries, type SummariesOptions, type SummarizedStore } from './summaries.js';

/** @deprecated Options of `summarize`; use `summaries(store, options)`. */
export interface SummarizeOptions extends SummariesOptions {
  /** The store whose windows are summarized. */
  store: SummarizedStore;
}

/**
 * `summaries(store, options)` with the store among the options.
 * @deprecated Use `summaries(store, options)`, or `ingestAndSummarize(store, options)` to feed the store too.
 */
export function summarize({ store, ...options }: SummarizeOptions): OperatorFunction<MetricEvent, SummaryEvent> {
  return summaries(store, options);
}
