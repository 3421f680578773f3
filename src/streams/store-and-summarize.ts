import { connect, merge, type OperatorFunction } from 'rxjs';
import type { MetricEvent } from '../events.js';
import { summarize, type SummarizeOptions } from './summarize.js';
import type { WindowedStore } from './windowed-store.js';

export interface StoreAndSummarizeOptions extends Omit<SummarizeOptions, 'store'> {
  store: WindowedStore;
  /** Also pass the input events through to the output (default true), e.g. to print samples as NDJSON. */
  passThrough?: boolean;
}

/**
 * Shares one event stream between a windowed store and the summary of that store, so nothing is sampled twice: the
 * source is subscribed once, the store sees each event before the summary does, and the output merges the input (when
 * `passThrough`), the store's evictions and removals, and the summaries.
 */
export function storeAndSummarize(options: StoreAndSummarizeOptions): OperatorFunction<MetricEvent, MetricEvent> {
  const { store, passThrough = true, ...summaryOptions } = options;
  return connect((shared$) =>
    merge(
      shared$.pipe(store), // first, so the store has ingested an event before anything downstream reacts to it
      shared$.pipe(summarize({ store, ...summaryOptions })),
      ...(passThrough ? [shared$] : []),
    ),
  );
}
