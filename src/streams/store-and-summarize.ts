import { merge, Observable, type OperatorFunction, type Subscriber } from 'rxjs';
import type { MetricEvent } from '../events.js';
import { summarize, type SummarizeOptions } from './summarize.js';
import type { WindowedStore } from './windowed-store.js';

/** Options of {@link storeAndSummarize}: those of {@link summarize}, with the store to feed and read. */
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
  // What `connect()` does, without its Subject: rxjs's Subject.next allocates a closure and an iterator per event,
  // and at a few million events a second that plumbing cost a quarter of the whole pipeline (measured, see
  // BENCHMARKS.md). Consumers are called in the order they subscribed: the store first.
  return (source) =>
    new Observable<MetricEvent>((subscriber) => {
      let consumers: Subscriber<MetricEvent>[] = [];
      const shared$ = new Observable<MetricEvent>((consumer) => {
        consumers = [...consumers, consumer];
        return () => { consumers = consumers.filter((c) => c !== consumer); }; // a new array: a loop in progress keeps its own
      });
      const output = merge(
        shared$.pipe(store), // first, so the store has ingested an event before anything downstream reacts to it
        shared$.pipe(summarize({ store, ...summaryOptions })),
        ...(passThrough ? [shared$] : []),
      ).subscribe(subscriber);
      const input = source.subscribe({
        next: (event) => {
          const current = consumers;
          for (let i = 0; i < current.length; i++) current[i]!.next(event);
        },
        error: (error: unknown) => { for (const c of consumers) c.error(error); },
        complete: () => { for (const c of consumers) c.complete(); },
      });
      return () => {
        input.unsubscribe();
        output.unsubscribe();
      };
    });
}
