import type { SampleEvent, SummaryEvent, UnitDownEvent } from '../events.js';
import type { Series, SeriesOptions } from './series.js';

/** Where the store's "now" comes from: the scheduler (live), or the newest event `ts` seen (replaying history). */
export type StoreClock = 'scheduler' | 'events';

/** Synchronous queries over the store's current contents. */
export interface StoreQuery {
  readonly retentionMs: number;
  /** The units the store holds rows for. */
  units(): string[];
  /** Rows of `unit`, oldest first: samples as the store keeps them, and `unit-down` markers. */
  window(unit: string): (SampleEvent | UnitDownEvent)[];
  /** The newest `n` rows of `unit`, oldest first. */
  latest(unit: string, n: number): (SampleEvent | UnitDownEvent)[];
  /** How many rows `unit` holds (samples and down markers), without decoding them. */
  size(unit: string): number;
  /** Observations `unit` holds across its tiers: its rows, plus each bucket's count (a bucket of 60 counts 60). */
  observations(unit: string): number;
  /** Summary over the window (or the last `windowMs`) at `now` (default: the store's clock). */
  summary(unit: string, options?: { now?: number; windowMs?: number; intervalMs?: number }): SummaryEvent | undefined;
  /** Bytes the row columns hold; never more than `maxMemoryBytes`. */
  bytesUsed(): number;
  /** The store's current time: the scheduler's, or with `clock: 'events'` the newest event `ts` seen. */
  now(): number;
  /**
   * Chart points of `unit` over `[fromTs, toTs]` from raw rows and buckets, at most about `maxPoints` of them, with
   * min/mean/max bands, the resolution they have, and restart and down markers (docs/store.md#series).
   */
  series(unit: string, options: SeriesOptions): Series;
}
