import type { OperatorFunction } from 'rxjs';
import type { MetricEvent } from '../events.js';
import { createWindowStore, type MetricStore, type WindowStoreOptions } from '../store/create-window-store.js';
import type { StoreEvent } from '../store/window-store.js';
import { ingestInto } from './ingest-into.js';

export type { StoreClock, StoreQuery } from '../store/store-query.js';

/** @deprecated Use `WindowStoreOptions` with `createWindowStore`. */
export type WindowedStoreOptions = WindowStoreOptions;

/** An operator (pipe samples in, get evictions and removals out) that is also its store. */
export type WindowedStore = OperatorFunction<MetricEvent, StoreEvent> & MetricStore;

/**
 * `ingestInto(createWindowStore(options))`, with the store's methods on the operator.
 * @deprecated Use `createWindowStore(options)` and `ingestInto(store)`. Unlike before 0.2, every subscription feeds
 * the one store (none starts empty, none fails with `E_USAGE`).
 */
export function windowedStore(options: WindowStoreOptions = {}): WindowedStore {
  const store = createWindowStore(options);
  return Object.assign(ingestInto(store), store);
}
