import type { OperatorFunction } from 'rxjs';
import type { MetricEvent } from '../events.js';
import type { MetricStore } from '../store/create-window-store.js';
import { ingestAndSummarize, type IngestAndSummarizeOptions } from './ingest-and-summarize.js';

/** @deprecated Options of `storeAndSummarize`; use `ingestAndSummarize(store, options)`. */
export interface StoreAndSummarizeOptions extends IngestAndSummarizeOptions {
  /** The store to feed and summarize (a `windowedStore` or a `createWindowStore` value). */
  store: MetricStore;
}

/**
 * `ingestAndSummarize(store, options)` with the store among the options.
 * @deprecated Use `ingestAndSummarize(store, options)`.
 */
export function storeAndSummarize({ store, ...options }: StoreAndSummarizeOptions): OperatorFunction<MetricEvent, MetricEvent> {
  return ingestAndSummarize(store, options);
}
