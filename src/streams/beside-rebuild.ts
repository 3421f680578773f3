import { filter, type Observable, type OperatorFunction, Subject } from 'rxjs';
import type { MetricEvent } from '../events.js';
import { operate } from './operate.js';

/** Options of {@link besideRebuild}. */
export interface BesideRebuildOptions {
  /** Pass live events held during the rebuild on at once (default true); false when `stored` does not pass them through. */
  passThrough?: boolean;
  /**
   * Turns a failed rebuild into an event that is passed on, after which the live input goes on into the store with
   * what was rebuilt so far (a broken log must not stop sampling). Default: the output errors.
   */
  rebuildFailed?: (error: unknown) => MetricEvent;
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
  { passThrough = true, rebuildFailed }: BesideRebuildOptions = {},
): OperatorFunction<MetricEvent, MetricEvent> {
  return operate((subscriber) => {
    let rebuilding = true;
    let liveDone = false;
    const held: MetricEvent[] = [];
    const quiet = new WeakSet<MetricEvent>(); // the held live events: passed on already
    const input = new Subject<MetricEvent>();
    // A Subject emits nothing on subscribe, and rebuild$ reads files (asynchronous): linking after subscribing is safe.
    subscriber.add(input.pipe(stored, filter((e) => !rebuilding && !quiet.has(e))).subscribe(subscriber));
    const rebuilt = (): void => {
      rebuilding = false;
      for (const e of held.splice(0)) input.next(e);
      if (liveDone) input.complete();
    };
    subscriber.add(rebuild$.subscribe({
      next: (e) => input.next(e), // passed on while rebuilding, so filtered out below
      error: (error: unknown) => {
        if (!rebuildFailed) return subscriber.error(error);
        subscriber.next(rebuildFailed(error));
        rebuilt();
      },
      complete: rebuilt,
    }));
    return {
      next: (e) => {
        if (!rebuilding) return input.next(e);
        quiet.add(e);
        held.push(e);
        if (passThrough) subscriber.next(e);
      },
      complete: () => {
        liveDone = true;
        if (!rebuilding) input.complete();
      },
    };
  });
}
