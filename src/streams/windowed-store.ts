import { asyncScheduler, interval, Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { PipelineError } from '../errors.js';
import type { MetricEvent, SampleEvent, SummaryEvent, UnitDownEvent } from '../events.js';
import { CHUNK_BYTES } from '../store/chunk-pool.js';
import type { SeriesOptions, SeriesPoint } from '../store/series.js';
import { DEFAULT_TIER_PLAN, type TierPlan } from '../store/tiers.js';
import { WindowStore, type StoreEvent } from '../store/window-store.js';

/** Where the store's "now" comes from: the scheduler (live), or the newest event `ts` seen (replaying history). */
export type StoreClock = 'scheduler' | 'events';

export interface WindowedStoreOptions {
  /** How long a row stays, measured against the clock; a row exactly at the cutoff stays. Default 12 h. */
  retentionMs?: number;
  /** Bytes the row columns may hold across all units. Default 10 MiB; at least one chunk (952 bytes). */
  maxMemoryBytes?: number;
  /** How often retention runs over every unit. Default 1 s, the default sampling interval. */
  sweepIntervalMs?: number;
  clock?: StoreClock;
  scheduler?: SchedulerLike;
  /** Bucket tiers rows fold into as they age (docs/store.md#tiers); `false` keeps raw rows only. Default
   * `DEFAULT_TIER_PLAN`: the current minute raw, 1-minute buckets for the current quarter hour, then 15-minute ones. */
  tiers?: TierPlan | false;
}

/** Synchronous queries over the store's current contents. */
export interface StoreQuery {
  readonly retentionMs: number;
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
  /** Chart points of `unit` over `[fromTs, toTs]` from raw rows and buckets, at most about `maxPoints` of them, with
   * min/mean/max bands and the resolution they have (docs/store.md#series). */
  series(unit: string, options: SeriesOptions): { resolutionMs: number; points: SeriesPoint[] };
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
    tiers = DEFAULT_TIER_PLAN,
  } = options;
  if (!(retentionMs > 0)) throw new PipelineError('E_USAGE', `retentionMs must be positive, got ${retentionMs}`);
  if (!(maxMemoryBytes >= CHUNK_BYTES)) {
    throw new PipelineError('E_USAGE', `maxMemoryBytes must be at least ${CHUNK_BYTES} (one chunk), got ${maxMemoryBytes}`);
  }
  if (!(sweepIntervalMs > 0)) throw new PipelineError('E_USAGE', `sweepIntervalMs must be positive, got ${sweepIntervalMs}`);
  const limits = { retentionMs, maxMemoryBytes, ...(tiers === false ? {} : { tiers }) };

  let store = new WindowStore(limits);
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
      store = new WindowStore(limits);
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
    series: (unit: string, query: SeriesOptions) => store.series(unit, query),
  });
}
