import {
  type BucketEvent,
  type BucketReason,
  EVENT_FORMAT_VERSION,
  type EvictedEvent,
  type EvictionReason,
  type MetricEvent,
  type SampleEvent,
  type SummaryEvent,
  type UnitDownEvent,
  type UnitRemovedEvent,
} from '../events.js';
import { COUNT, emptyBucket } from './bucket.js';
import { bucketFromEvent, toBucketEvent } from './bucket-codec.js';
import { ChunkPool } from './chunk-pool.js';
import { foldRows } from './fold-rows.js';
import { BucketMerger } from './merge-buckets.js';
import { OwnerRanking, type Ranked } from './owner-ranking.js';
import { RowCodec } from './row-codec.js';
import { type Series, type SeriesOptions, type SeriesPoint, seriesOf } from './series.js';
import { QuantileWindow } from './quantile-window.js';
import { WeightedPoints } from './sketch.js';
import { summarizeTiers, type TierProbes } from './summarize-tiers.js';
import { createTierTotals, type TierTotals } from './tier-totals.js';
import { noIoCursor, type P95Guess, SummaryScratch, summarizeWindow } from './summarize-window.js';
import { type TierPlan, type TierRefs, Tiers } from './tiers.js';
import { UnitWindow } from './unit-window.js';

/** What the store itself emits: every row that leaves it raw, every bucket that leaves it, and every unit it forgets. */
export type StoreEvent = EvictedEvent | UnitRemovedEvent | BucketEvent;

export interface WindowStoreLimits {
  retentionMs: number;
  maxMemoryBytes: number;
  /** Bucket tiers that rows fold into as they age; none (raw rows only) when absent. */
  tiers?: TierPlan;
}

interface UnitState extends P95Guess, Ranked<UnitState> {
  readonly name: string;
  readonly window: UnitWindow;
  /** Newest ts of any event about the unit (sample, down marker, unit-added): a down unit still has a target. */
  lastActivityTs: number;
  /** Pool chunks the unit holds: rows and buckets. */
  owned: number;
  /** Its buckets, and the last row folded into one (where the IO delta of the first raw row starts); created with the
   * first bucket. */
  tiers: TierRefs | undefined;
  /** Times of its newest `unit-restarted` events within the retention, oldest first, at most MAX_RESTARTS; created
   * with the first. Buckets keep no process identity, so charts mark older restarts from these. */
  restartsTs?: number[];
  /** The running totals of its buckets for summaries, created by the first summary over buckets. */
  totals: TierTotals | undefined;
}

/** Restart times kept per unit: 8 bytes each, outside the byte budget, and only for units that restart. */
const MAX_RESTARTS = 32;

/**
 * The synchronous state behind `windowedStore`: per-unit windows of columnar rows, and with a `TierPlan` the buckets
 * they fold into as they age (tiers.ts), within a time and memory budget. Every method that removes rows or buckets
 * reports each one through `emit`, so nothing leaves silently.
 */
export class WindowStore {
  private readonly pool: ChunkPool;
  private readonly unitsByName = new Map<string, UnitState>();
  /** The units by the chunks they own: the budget victim is the first of the fullest rank (owner-ranking.ts). */
  private readonly ranking = new OwnerRanking<UnitState>();
  /** At most the oldest head row's ts and the oldest idle unit's activity: until a sweep's cutoff passes it, the sweep
   * has nothing to do and need not visit every unit (rows usually leave by budget long before retention). */
  private oldestTs = Number.POSITIVE_INFINITY;
  private readonly codec = new RowCodec();
  private readonly scratch = new SummaryScratch();
  private readonly merger = new BucketMerger();
  private readonly probes: TierProbes = {
    cpu: new QuantileWindow(), rss: new QuantileWindow(), keptCpu: new WeightedPoints(), keptRss: new WeightedPoints(),
  };
  private readonly tiers: Tiers<UnitState> | undefined;
  /** The IO cursor of the unit being folded or summarized, copied out of its TierRefs. */
  private readonly cursor = noIoCursor();
  /** Buckets in flight: one folded or replayed in, one for `Tiers.add` to work in, one evicted. */
  private readonly incoming = emptyBucket();
  private readonly working = emptyBucket();
  private readonly outgoing = emptyBucket();
  /** The time and output of the call in progress, for evictions that tier folds cause deep inside it. */
  private nowTs = 0;
  private emitTo: (e: StoreEvent) => void = () => {};

  constructor(readonly limits: WindowStoreLimits) {
    this.pool = new ChunkPool(limits.maxMemoryBytes);
    if (limits.tiers !== undefined) {
      const host = {
        allocate: (unit: UnitState): number => {
          const chunk = this.allocateChunk(this.nowTs, this.emitTo);
          this.own(unit, 1);
          return chunk;
        },
        release: (unit: UnitState, chunk: number): void => { this.pool.release(chunk); this.own(unit, -1); },
      };
      this.tiers = new Tiers(this.pool, limits.tiers, host, this.merger);
    }
  }

  /** Applies one event at time `now`; samples and down markers become rows, other events only mark activity. */
  ingest(event: MetricEvent, now: number, emit: (e: StoreEvent) => void): void {
    this.nowTs = now;
    this.emitTo = emit;
    if (event.type === 'sample' || event.type === 'unit-down') {
      this.append(event, now, emit);
    } else if (event.type === 'bucket') {
      this.addBucket(event, now, emit);
    } else if (event.type === 'unit-added' || event.type === 'unit-restarted') {
      const unit = this.unitState(event.unit);
      unit.lastActivityTs = Math.max(unit.lastActivityTs, event.ts);
      if (event.ts < this.oldestTs) this.oldestTs = event.ts;
      if (event.type === 'unit-restarted' && !(event.ts < (unit.restartsTs?.at(-1) ?? -Infinity))) {
        (unit.restartsTs ??= []).push(event.ts);
        if (unit.restartsTs.length > MAX_RESTARTS) unit.restartsTs.shift();
      }
    }
  }

  /** Evicts rows older than the retention period from every unit, and forgets units idle for longer than it. */
  sweep(now: number, emit: (e: StoreEvent) => void): void {
    const cutoff = now - this.limits.retentionMs;
    if (!(cutoff > this.oldestTs)) return;
    this.oldestTs = Number.POSITIVE_INFINITY; // recomputed below; an event ingested meanwhile (from emit) lowers it too
    this.nowTs = now;
    this.emitTo = emit;
    for (const unit of this.unitsByName.values()) {
      const { window, tiers } = unit;
      while (tiers !== undefined && this.tiers!.oldestLastTs(tiers) < cutoff) this.evictBucket(unit, 'retention', now, emit);
      while (window.length > 0 && window.tsAt(0) < cutoff) this.evictHeadRow(unit, 'retention', now, emit);
      while (unit.restartsTs !== undefined && unit.restartsTs[0]! < cutoff) unit.restartsTs.shift();
      if (window.length === 0 && unit.owned === 0 && unit.lastActivityTs < cutoff) {
        this.ranking.leave(unit, 0);
        this.unitsByName.delete(unit.name);
        emit({ type: 'unit-removed', v: EVENT_FORMAT_VERSION, unit: unit.name, ts: now, reason: 'retention' });
        continue;
      }
      const oldestBucketTs = tiers === undefined ? Infinity : this.tiers!.oldestLastTs(tiers);
      const unitOldestTs = Math.min(oldestBucketTs, window.length > 0 ? window.tsAt(0) : unit.lastActivityTs);
      if (unitOldestTs < this.oldestTs) this.oldestTs = unitOldestTs;
    }
  }

  units(): string[] {
    return [...this.unitsByName.keys()];
  }

  /** Rows of `unit`, oldest first, as the events the store keeps. */
  window(unit: string): (SampleEvent | UnitDownEvent)[] {
    return this.latest(unit, Number.POSITIVE_INFINITY);
  }

  /** Rows held for `unit` (samples and down markers), without decoding any. */
  size(unit: string): number {
    return this.unitsByName.get(unit)?.window.length ?? 0;
  }

  /** The newest `n` rows of `unit`, oldest first. */
  latest(unit: string, n: number): (SampleEvent | UnitDownEvent)[] {
    const state = this.unitsByName.get(unit);
    if (state === undefined) return [];
    const { window } = state;
    const out: (SampleEvent | UnitDownEvent)[] = [];
    for (let k = Math.max(0, window.length - Math.max(0, Math.floor(n))); k < window.length; k++) {
      out.push(this.codec.toEvent(unit, window.rowAt(k)));
    }
    return out;
  }

  summary(unit: string, options: { now: number; windowMs?: number; intervalMs: number }): SummaryEvent | undefined {
    const state = this.unitsByName.get(unit);
    if (state === undefined) return undefined;
    const span = { windowMs: this.limits.retentionMs, ...options };
    if (state.tiers === undefined || this.tiers!.oldestTier(state.tiers) < 0) {
      return summarizeWindow(unit, state.window, this.pool, span, this.scratch, state);
    }
    this.loadCursor(state.tiers);
    return summarizeTiers(unit, state.window, this.tiers!, state.tiers, this.pool, span, this.scratch, this.merger, state,
      this.cursor, this.outgoing, this.probes, (state.totals ??= createTierTotals()));
  }

  /** Points of `unit` between `fromTs` and `toTs` for a chart: raw rows where they are kept, else buckets, merged
   * down to at most `maxPoints` (see series.ts). */
  series(unit: string, options: SeriesOptions): Series {
    const state = this.unitsByName.get(unit);
    if (state === undefined) return { resolutionMs: 0, points: [], restartsTs: [], downTs: [], firstTs: NaN, lastTs: NaN };
    return seriesOf(state.window, this.tiers, state.tiers, this.pool, this.codec, options, state.restartsTs);
  }

  /** Rows plus the observations of every bucket held for `unit`: O(buckets), no row decoded. */
  observations(unit: string): number {
    const state = this.unitsByName.get(unit);
    if (state === undefined) return 0;
    let n = state.window.length;
    if (state.tiers !== undefined) this.tiers!.forEach(state.tiers, this.working, (b) => { n += b[COUNT]!; });
    return n;
  }

  /** Buckets held for `unit` across its tiers. */
  bucketCount(unit: string): number {
    const refs = this.unitsByName.get(unit)?.tiers;
    let n = 0;
    if (refs !== undefined) this.tiers!.forEach(refs, this.working, () => n++);
    return n;
  }

  /** Bytes of the column slabs allocated so far: the store's memory for rows, never above `maxMemoryBytes`. */
  bytesUsed(): number {
    return this.pool.bytes;
  }

  /** Rows held across all units. */
  rowCount(): number {
    let rows = 0;
    for (const unit of this.unitsByName.values()) rows += unit.window.length;
    return rows;
  }

  private append(event: SampleEvent | UnitDownEvent, now: number, emit: (e: StoreEvent) => void): void {
    const unit = this.unitState(event.unit);
    const ts = Math.round(event.ts);
    unit.lastActivityTs = Math.max(unit.lastActivityTs, ts);
    if (ts < this.oldestTs) this.oldestTs = ts;
    if (ts < unit.window.newestTs) {
      emit(evicted(event.unit, now, 'out-of-order', event));
      return;
    }
    const slotMs = this.limits.tiers?.rawSlotMs ?? Infinity;
    if (unit.window.length > 0 && Math.floor(ts / slotMs) > Math.floor(unit.window.newestTs / slotMs)) this.foldRaw(unit);
    const row = this.codec.toRow(event, ts);
    if (unit.window.tryAppend(row)) return;
    const chunk = this.allocateChunk(now, emit);
    unit.window.appendToNewChunk(chunk, row); // the allocation may have evicted from this very unit: owned says
    this.own(unit, 1);
  }

  /** Folds every raw row of `unit` into one bucket of its first tier (a new slot has begun), freeing their chunks. */
  private foldRaw(unit: UnitState): void {
    const refs = this.tiersOf(unit);
    this.loadCursor(refs);
    const bucket = foldRows(unit.window, this.pool, this.scratch, this.cursor, this.incoming);
    for (let i = 0; i < this.cursor.length; i++) refs[this.tiers!.cursorAt + i] = this.cursor[i]!;
    unit.window.clear((chunk) => { this.pool.release(chunk); this.own(unit, -1); });
    this.tiers!.add(unit, refs, bucket, 0, this.working);
  }

  private loadCursor(refs: TierRefs): void {
    for (let i = 0; i < this.cursor.length; i++) this.cursor[i] = refs[this.tiers!.cursorAt + i]!;
  }

  private addBucket(event: BucketEvent, now: number, emit: (e: StoreEvent) => void): void {
    if (this.tiers === undefined) return;
    const unit = this.unitState(event.unit);
    unit.lastActivityTs = Math.max(unit.lastActivityTs, event.lastTs);
    if (event.lastTs < this.oldestTs) this.oldestTs = event.lastTs;
    const bucket = bucketFromEvent(event, this.incoming);
    if (!this.tiers.add(unit, this.tiersOf(unit), bucket, this.tiers.tierFor(event.widthMs), this.working)) {
      emit({ ...event, ts: now, reason: 'out-of-order' });
    }
  }

  private tiersOf(unit: UnitState): TierRefs {
    return (unit.tiers ??= this.tiers!.create());
  }

  private own(unit: UnitState, delta: number): void {
    this.ranking.move(unit, unit.owned, unit.owned + delta);
    unit.owned += delta;
  }

  /** Removes the oldest bucket of `unit` and reports it. */
  private evictBucket(unit: UnitState, reason: BucketReason, now: number, emit: (e: StoreEvent) => void): void {
    const k = this.tiers!.dropOldest(unit, unit.tiers!, this.outgoing);
    emit(toBucketEvent(unit.name, now, reason, this.tiers!.plan.bucketMs[k]!, this.outgoing));
  }

  private allocateChunk(now: number, emit: (e: StoreEvent) => void): number {
    for (;;) {
      const chunk = this.pool.allocate();
      if (chunk >= 0) return chunk;
      const victim = this.ranking.victim()!; // the pool is full, so some unit owns a chunk
      // Its oldest chunk goes: buckets when it has any (they are older than every row), else rows.
      const buckets = victim.tiers === undefined ? 0 : this.tiers!.oldestChunkBuckets(victim.tiers);
      if (buckets > 0) for (let n = buckets; n > 0; n--) this.evictBucket(victim, 'budget', now, emit);
      else for (let n = victim.window.headChunkRows(); n > 0; n--) this.evictHeadRow(victim, 'budget', now, emit);
    }
  }

  private evictHeadRow(unit: UnitState, reason: EvictionReason, now: number, emit: (e: StoreEvent) => void): void {
    const row = unit.window.rowAt(0, this.codec.outgoing);
    const freed = unit.window.dropHead();
    if (freed >= 0) {
      this.pool.release(freed);
      this.own(unit, -1);
    }
    emit(evicted(unit.name, now, reason, this.codec.toEvent(unit.name, row)));
  }

  private unitState(name: string): UnitState {
    let unit = this.unitsByName.get(name);
    if (unit === undefined) {
      unit = {
        name, window: new UnitWindow(this.pool), lastActivityTs: -Infinity, cpuP95: Number.NaN, rssP95: Number.NaN,
        owned: 0, tiers: undefined, totals: undefined, rankPrev: null, rankNext: null,
      };
      this.unitsByName.set(name, unit);
      this.ranking.enter(unit, 0);
    }
    return unit;
  }
}

function evicted(unit: string, ts: number, reason: EvictionReason, event: SampleEvent | UnitDownEvent): EvictedEvent {
  return { type: 'evicted', v: EVENT_FORMAT_VERSION, unit, ts, reason, event };
}
