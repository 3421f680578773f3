import { interval, type OperatorFunction, type Subscriber } from 'rxjs';
import type { MetricEvent } from '../events.js';
import type { MetricStore } from '../store/create-window-store.js';
import type { StoreEvent } from '../store/window-store.js';
import { guarded, operate, type OperatorHandlers } from './operate.js';

/**
 * Feeds every event into `store` and emits what leaves it: an `evicted` event for every row that goes (by retention,
 * the memory budget, or arriving out of order) and `unit-removed` for units idle past the retention period. With the
 * store's scheduler clock, retention sweeps run every `sweepIntervalMs` while subscribed; with the events clock, as
 * event time passes. Completes with its input. The state is the store's, not the operator's: each subscription
 * ingests into the same store (see `createWindowStore`), and the store keeps its contents after unsubscribe.
 */
export function ingestInto(store: MetricStore): OperatorFunction<MetricEvent, StoreEvent> {
  return operate(ingestHandlers(store));
}

/** The per-subscription wiring of {@link ingestInto}, also composed by `ingestAndSummarize`. */
export function ingestHandlers(store: MetricStore): (subscriber: Subscriber<StoreEvent>) => OperatorHandlers<MetricEvent> {
  return (subscriber) => {
    const emit = (e: StoreEvent): void => subscriber.next(e);
    if (store.clock === 'scheduler') {
      subscriber.add(interval(store.sweepIntervalMs, store.scheduler).subscribe(guarded(subscriber, () => store.sweep(emit))));
    }
    return { next: (event) => store.ingest(event, emit) };
  };
}
