import { filter, from, type Observable, type ObservableInput, type OperatorFunction, Subject, take } from 'rxjs';
import type { MetricEvent } from '../events.js';
import { operate, subscribeLinked } from './operate.js';

/** Options of {@link besideRebuild}. */
export interface BesideRebuildOptions {
  /** Pass live events held during the rebuild on at once (default true); false when `stored` does not pass them through. */
  passThrough?: boolean;
  /**
   * Turns a failed rebuild into an event that is passed on, after which the live input goes on into the store with
   * what was rebuilt so far (a broken log must not stop sampling). Default: the output errors.
   */
  rebuildFailed?: (error: unknown) => MetricEvent;
  /**
   * Gives up a rebuild still running when this emits (a stop asked for: exiting must not wait for it): the store
   * keeps what it has, `stored` is ended without its final output (summaries of a half-read log would mislead), and
   * the output completes with the live input. Default: never.
   */
  stop?: ObservableInput<unknown>;
}

/**
 * Runs a store's pipeline (`stored`, e.g. `ingestAndSummarize(store)`) over `rebuild$` first and the live input after
 * it, without holding the live input back: while `rebuild$` runs, live events go downstream at once and are kept
 * aside, in order, for the store; when it completes they go into the store (not downstream again), and from then on
 * every live event goes through `stored`. So the store sees rows in time order and each row once, and a rebuild that
 * takes seconds delays no sampling round. What `stored` emits while the rebuild runs (summaries of a half-built store,
 * evictions of rows that were only being re-read) is not passed on, nor are the rebuild's own events. Completes once
 * both inputs have and `stored` has; an error of either input errors the output (see `rebuildFailed`).
 */
export function besideRebuild(
  rebuild$: Observable<MetricEvent>,
  stored: OperatorFunction<MetricEvent, MetricEvent>,
  { passThrough = true, rebuildFailed, stop }: BesideRebuildOptions = {},
): OperatorFunction<MetricEvent, MetricEvent> {
  return operate((subscriber) => {
    let state: 'rebuilding' | 'live' | 'abandoned' = 'rebuilding';
    let liveDone = false;
    const held: MetricEvent[] = [];
    const quiet = new WeakSet<MetricEvent>(); // the held live events: passed on already
    const input = new Subject<MetricEvent>();
    // A subscription of its own rather than `subscriber`, so that abandoning ends it alone.
    const storedSub = subscribeLinked(input.pipe(stored, filter((e) => state === 'live' && !quiet.has(e))), subscriber, {
      next: (e) => subscriber.next(e),
    });
    const rebuilt = (): void => {
      state = 'live';
      for (const e of held.splice(0)) input.next(e);
      if (liveDone) input.complete();
    };
    const rebuildSub = subscribeLinked(rebuild$, subscriber, {
      next: (e) => input.next(e), // passed on while rebuilding, so filtered out below
      error: (error: unknown) => {
        if (!rebuildFailed) return subscriber.error(error);
        subscriber.next(rebuildFailed(error));
        rebuilt();
      },
      complete: rebuilt,
    });
    if (stop) {
      subscribeLinked(from(stop).pipe(take(1)), subscriber, {
        next: () => {
          if (state !== 'rebuilding') return;
          state = 'abandoned';
          held.length = 0;
          rebuildSub.unsubscribe();
          storedSub.unsubscribe(); // and its summary timer: no final round over a half-read log
          if (liveDone) subscriber.complete();
        },
        complete: () => undefined, // a stop that ends without a value stops nothing
      });
    }
    return {
      next: (e) => {
        if (state === 'live') return input.next(e);
        if (state === 'rebuilding') {
          quiet.add(e);
          held.push(e);
        }
        if (passThrough) subscriber.next(e);
      },
      complete: () => {
        liveDone = true;
        if (state === 'live') input.complete();
        else if (state === 'abandoned') subscriber.complete();
      },
    };
  });
}
