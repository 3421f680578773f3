import { asyncScheduler, interval, Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { PipelineError } from '../errors.js';
import type { MetricEvent, SampleEvent, SummaryEvent, UnitDownEvent } from '../events.js';
import { CHUNK_BYTES } from '../store/chunk-pool.js';
import { WindowStore, type StoreEvent } from '../store/window-store.js';

/** Where the store's "now" comes from: the scheduler (live), or the newest event `ts` seen (replaying history). */
export type StoreClock = 'scheduler' | 'events';

/** Options of {@link windowedStore}: limits of the window, default 12 h and 10 MiB, and its clock. */
export interface WindowedStoreOptions {
  /** How long a row stays, measured against the clock; a row exactly at the cutoff stays. Default 12 h. */
  retentionMs?: number;
  /** Bytes the row columns may hold across all units. Default 10 MiB; at least one chunk (952 bytes). */
  maxMemoryBytes?: number;
  /** How often retention runs over every unit. Default 1 s, the default sampling interval. */
  sweepIntervalMs?: number;
  clock?: StoreClock;
  scheduler?: SchedulerLike;
}

/** Synchronous queries over the store's current contents. */
export interface StoreQuery {
  readonly retentionMs: number;
  /** Names of the units the store knows, in the order it first saw them. */
  units(): string[];
  /** Rows of `unit`, oldest first: samples as the store keeps them, and `unit-down` markers. */
  window(unit: string): (SampleEvent | UnitDownEvent)[];
  /** The newest `n` rows of `unit`, oldest first. */
  latest(unit: string, n: number): (SampleEvent | UnitDownEvent)[];
  /** How many rows `unit` holds (samples and down markers), without decoding them. */
  size(unit: string): number;
  /** Summary over the window (or the last `windowMs`) at `now` (default: the store's clock). */
  summary(unit: string, options?: { now?: number; windowMs?: number; intervalMs?: number }): SummaryEvent | undefined;
  /** Bytes the row columns hold; never more than `maxMemoryBytes`. */
  bytesUsed(): number;
  /** The store's current time: the scheduler's, or with `clock: 'events'` the newest event `ts` seen. */
  now(): number;
}

/** An operator (pipe samples in, get evictions and removals out) that is also the query handle of its store. */
export type WindowedStore = OperatorFunction<MetricEvent, StoreEvent> & StoreQuery;

const DEFAULT_INTERVAL_MS = 1_000;

/**
 * A bounded per-unit window of samples and down markers. Emits an `evicted` event for every row that leaves (by
 * retention, the memory budget, or arriving out of order) and `unit-removed` for units idle past the retention period.
 * Each subscription starts an empty store; queries read the newest subscription's store, even after it completes.
 */
export function windowedStore(options: WindowedStoreOptions = {}): WindowedStore {
  const {
    retentionMs = 12 * 60 * 60 * 1000,
    maxMemoryBytes = 10 * 1024 * 1024,
    sweepIntervalMs = DEFAULT_INTERVAL_MS,
    clock = 'scheduler',
    scheduler = asyncScheduler,
  } = options;
  if (!(retentionMs > 0)) throw new PipelineError('E_USAGE', `retentionMs must be positive, got ${retentionMs}`);
  if (!(maxMemoryBytes >= CHUNK_BYTES)) {
    throw new PipelineError('E_USAGE', `maxMemoryBytes must be at least ${CHUNK_BYTES} (one chunk), got ${maxMemoryBytes}`);
  }
  if (!(sweepIntervalMs > 0)) throw new PipelineError('E_USAGE', `sweepIntervalMs must be positive, got ${sweepIntervalMs}`);

  let store = new WindowStore({ retentionMs, maxMemoryBytes });
  let eventTime = Number.NEGATIVE_INFINITY;
  let subscribed = false;
  const now = (): number => (clock === 'events' ? eventTime : scheduler.now());

  // new Observable rather than a composition: the source and the sweep timer must share one store, and the output must
  // complete with the source even though the timer never does.
  const operator = (source: Observable<MetricEvent>): Observable<StoreEvent> =>
    new Observable<StoreEvent>((subscriber) => {
      if (subscribed) {
        subscriber.error(new PipelineError('E_USAGE', 'windowedStore is already subscribed; share() its input instead'));
        return undefined;
      }
      subscribed = true;
      store = new WindowStore({ retentionMs, maxMemoryBytes });
      eventTime = Number.NEGATIVE_INFINITY;
      let nextSweepTs = Number.NEGATIVE_INFINITY;
      const emit = (e: StoreEvent): void => subscriber.next(e);
      const sweeps =
        clock === 'scheduler' ? interval(sweepIntervalMs, scheduler).subscribe(() => store.sweep(now(), emit)) : undefined;
      const input = source.subscribe({
        next: (event) => {
          if (clock === 'events' && event.ts > eventTime) eventTime = event.ts;
          store.ingest(event, now(), emit);
          if (clock === 'events' && eventTime >= nextSweepTs) {
            store.sweep(eventTime, emit);
            nextSweepTs = eventTime + sweepIntervalMs;
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      return () => {
        subscribed = false;
        sweeps?.unsubscribe();
        input.unsubscribe();
      };
    });

  return Object.assign(operator, {
    retentionMs,
    units: () => store.units(),
    window: (unit: string) => store.window(unit),
    latest: (unit: string, n: number) => store.latest(unit, n),
    size: (unit: string) => store.size(unit),
    summary: (unit: string, query: { now?: number; windowMs?: number; intervalMs?: number } = {}) =>
      store.summary(unit, { now: query.now ?? now(), intervalMs: query.intervalMs ?? DEFAULT_INTERVAL_MS,
        ...(query.windowMs === undefined ? {} : { windowMs: query.windowMs }) }),
    bytesUsed: () => store.bytesUsed(),
    now,
  });
}
