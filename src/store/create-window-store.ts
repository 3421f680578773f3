import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { PipelineError } from '../errors.js';
import type { MetricEvent } from '../events.js';
import { CHUNK_BYTES } from './chunk-pool.js';
import type { StoreClock, StoreQuery } from './store-query.js';
import { DEFAULT_TIER_PLAN, type TierPlan } from './tiers.js';
import { type StoreEvent, WindowStore } from './window-store.js';

/** Options of {@link createWindowStore}; every field has a default. */
export interface WindowStoreOptions {
  /** How long a row stays, measured against the clock; a row exactly at the cutoff stays. Default 12 h. */
  retentionMs?: number;
  /** Bytes the row columns may hold across all units. Default 10 MiB; at least one chunk (952 bytes). */
  maxMemoryBytes?: number;
  /** How often retention runs over every unit, ms (of scheduler time, or of event time). Default 1 s. */
  sweepIntervalMs?: number;
  /** `'scheduler'` (default, live) or `'events'` (the newest event `ts` seen: replays). */
  clock?: StoreClock;
  /** The live clock, and the scheduler of the sweep timer `ingestInto` runs. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /**
   * Bucket tiers rows fold into as they age (docs/store.md#tiers). Default `DEFAULT_TIER_PLAN`: the current minute
   * raw, 1-minute buckets for the current quarter hour, then 15-minute ones, so 12 h of 1,000 units fit in 10 MiB.
   * `false`: raw rows only. With tiers, `window()`, `latest()` and `size()` cover the raw rows (the current minute);
   * `series()` and `summary()` cover every tier.
   */
  tiers?: TierPlan | false;
}

/** A windowed store as a value: the queries, plus what the store operators (`ingestInto`, `summaries`) use. */
export interface MetricStore extends StoreQuery {
  readonly clock: StoreClock;
  readonly scheduler: SchedulerLike;
  readonly sweepIntervalMs: number;
  /**
   * Applies one event at the store's time, reporting every row that leaves through `emit`. With the events clock it
   * first advances the time to the event's `ts`, and sweeps once `sweepIntervalMs` of event time has passed.
   */
  ingest(event: MetricEvent, emit: (e: StoreEvent) => void): void;
  /** Runs retention at `now()`: evicts rows past it and forgets units idle for longer than it. */
  sweep(emit: (e: StoreEvent) => void): void;
}

const DEFAULT_INTERVAL_MS = 1_000;

/**
 * A bounded per-unit window of samples and down markers that owns its limits and its clock, so operators that take it
 * need neither. It is one store for its whole life: every operator subscription that ingests into it feeds the same
 * contents (two subscriptions of the same events store each event twice), and it stays queryable after they end.
 * Throws `PipelineError('E_USAGE')` for a limit out of range.
 */
export function createWindowStore(options: WindowStoreOptions = {}): MetricStore {
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

  const store = new WindowStore({ retentionMs, maxMemoryBytes, ...(tiers === false ? {} : { tiers }) });
  const byEvents = clock === 'events';
  let eventTime = Number.NEGATIVE_INFINITY;
  let nextSweepTs = Number.NEGATIVE_INFINITY;
  const now = (): number => (byEvents ? eventTime : scheduler.now());

  return {
    clock,
    scheduler,
    sweepIntervalMs,
    retentionMs,
    ingest(event, emit) {
      if (!byEvents) return store.ingest(event, scheduler.now(), emit);
      if (event.ts > eventTime) eventTime = event.ts;
      store.ingest(event, eventTime, emit);
      if (eventTime >= nextSweepTs) {
        store.sweep(eventTime, emit);
        nextSweepTs = eventTime + sweepIntervalMs;
      }
    },
    sweep: (emit) => store.sweep(now(), emit),
    units: () => store.units(),
    window: (unit) => store.window(unit),
    latest: (unit, n) => store.latest(unit, n),
    size: (unit) => store.size(unit),
    observations: (unit) => store.observations(unit),
    summary: (unit, query = {}) =>
      store.summary(unit, { now: query.now ?? now(), intervalMs: query.intervalMs ?? DEFAULT_INTERVAL_MS,
        ...(query.windowMs === undefined ? {} : { windowMs: query.windowMs }) }),
    bytesUsed: () => store.bytesUsed(),
    now,
    series: (unit, query) => store.series(unit, query),
  };
}
