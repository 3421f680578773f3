import {
  EVENT_FORMAT_VERSION,
  type EvictedEvent,
  type EvictionReason,
  type MetricEvent,
  type SampleEvent,
  type SummaryEvent,
  type UnitDownEvent,
  type UnitRemovedEvent,
} from '../events.js';
import { ChunkPool } from './chunk-pool.js';
import { RowCodec } from './row-codec.js';
import { type P95Guess, SummaryScratch, summarizeWindow } from './summarize-window.js';
import { UnitWindow } from './unit-window.js';

/** What the store itself emits: every row that leaves it, and every unit it forgets. */
export type StoreEvent = EvictedEvent | UnitRemovedEvent;

export interface WindowStoreLimits {
  retentionMs: number;
  maxMemoryBytes: number;
}

interface UnitState extends P95Guess {
  readonly name: string;
  readonly window: UnitWindow;
  /** Newest ts of any event about the unit (sample, down marker, unit-added): a down unit still has a target. */
  lastActivityTs: number;
}

/**
 * The synchronous state behind `windowedStore`: per-unit windows of columnar rows within a time and memory budget.
 * Every method that removes rows reports each one through `emit`, so nothing leaves silently.
 */
export class WindowStore {
  private readonly pool: ChunkPool;
  private readonly unitsByName = new Map<string, UnitState>();
  /** `buckets[n]` holds the units that own n chunks, in the order they got there: the budget victim is the first of
   * the fullest bucket, which takes from the unit holding the most and round-robins among equals. */
  private readonly buckets = new Map<number, Set<UnitState>>();
  private fullestBucket = 0;
  /** At most the oldest head row's ts and the oldest idle unit's activity: until a sweep's cutoff passes it, the sweep
   * has nothing to do and need not visit every unit (rows usually leave by budget long before retention). */
  private oldestTs = Number.POSITIVE_INFINITY;
  private readonly codec = new RowCodec();
  private readonly scratch = new SummaryScratch();

  constructor(readonly limits: WindowStoreLimits) {
    this.pool = new ChunkPool(limits.maxMemoryBytes);
  }

  /** Applies one event at time `now`; samples and down markers become rows, other events only mark activity. */
  ingest(event: MetricEvent, now: number, emit: (e: StoreEvent) => void): void {
    if (event.type === 'sample' || event.type === 'unit-down') {
      this.append(event, now, emit);
    } else if (event.type === 'unit-added' || event.type === 'unit-restarted') {
      const unit = this.unitState(event.unit);
      unit.lastActivityTs = Math.max(unit.lastActivityTs, event.ts);
      if (event.ts < this.oldestTs) this.oldestTs = event.ts;
    }
  }

  /** Evicts rows older than the retention period from every unit, and forgets units idle for longer than it. */
  sweep(now: number, emit: (e: StoreEvent) => void): void {
    const cutoff = now - this.limits.retentionMs;
    if (!(cutoff > this.oldestTs)) return;
    this.oldestTs = Number.POSITIVE_INFINITY; // recomputed below; an event ingested meanwhile (from emit) lowers it too
    for (const unit of this.unitsByName.values()) {
      const { window } = unit;
      while (window.length > 0 && window.tsAt(0) < cutoff) this.evictHeadRow(unit, 'retention', now, emit);
      if (window.length === 0 && unit.lastActivityTs < cutoff) {
        this.leaveBucket(unit, 0);
        this.unitsByName.delete(unit.name);
        emit({ type: 'unit-removed', v: EVENT_FORMAT_VERSION, unit: unit.name, ts: now, reason: 'retention' });
        continue;
      }
      const unitOldestTs = window.length > 0 ? window.tsAt(0) : unit.lastActivityTs;
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
    return summarizeWindow(unit, state.window, this.pool, { windowMs: this.limits.retentionMs, ...options }, this.scratch,
      state);
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
    const row = this.codec.toRow(event, ts);
    if (unit.window.tryAppend(row)) return;
    const chunk = this.allocateChunk(now, emit);
    const before = unit.window.chunks.length; // the allocation may have evicted from this very unit
    unit.window.appendToNewChunk(chunk, row);
    this.moveBucket(unit, before, before + 1);
  }

  private allocateChunk(now: number, emit: (e: StoreEvent) => void): number {
    for (;;) {
      const chunk = this.pool.allocate();
      if (chunk >= 0) return chunk;
      const victim = this.bucket(this.fullestBucket).values().next().value as UnitState;
      for (let n = victim.window.headChunkRows(); n > 0; n--) this.evictHeadRow(victim, 'budget', now, emit);
    }
  }

  private evictHeadRow(unit: UnitState, reason: EvictionReason, now: number, emit: (e: StoreEvent) => void): void {
    const row = unit.window.rowAt(0, this.codec.outgoing);
    const chunksBefore = unit.window.chunks.length;
    const freed = unit.window.dropHead();
    if (freed >= 0) {
      this.pool.release(freed);
      this.moveBucket(unit, chunksBefore, chunksBefore - 1);
    }
    emit(evicted(unit.name, now, reason, this.codec.toEvent(unit.name, row)));
  }

  private unitState(name: string): UnitState {
    let unit = this.unitsByName.get(name);
    if (unit === undefined) {
      unit = { name, window: new UnitWindow(this.pool), lastActivityTs: -Infinity, cpuP95: Number.NaN, rssP95: Number.NaN };
      this.unitsByName.set(name, unit);
      this.bucket(0).add(unit);
    }
    return unit;
  }

  private bucket(chunks: number): Set<UnitState> {
    let bucket = this.buckets.get(chunks);
    if (bucket === undefined) this.buckets.set(chunks, (bucket = new Set()));
    return bucket;
  }

  private moveBucket(unit: UnitState, from: number, to: number): void {
    this.leaveBucket(unit, from);
    this.bucket(to).add(unit);
    if (to > this.fullestBucket) this.fullestBucket = to;
    while (this.fullestBucket > 0 && !this.buckets.has(this.fullestBucket)) this.fullestBucket--;
  }

  /** Empty buckets are deleted: one unit that owns thousands of chunks must not leave thousands of empty Sets. */
  private leaveBucket(unit: UnitState, chunks: number): void {
    const bucket = this.buckets.get(chunks);
    bucket?.delete(unit);
    if (bucket?.size === 0) this.buckets.delete(chunks);
  }
}

function evicted(unit: string, ts: number, reason: EvictionReason, event: SampleEvent | UnitDownEvent): EvictedEvent {
  return { type: 'evicted', v: EVENT_FORMAT_VERSION, unit, ts, reason, event };
}
