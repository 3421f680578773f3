/**
 * The bucket tiers of the units of one store. Tier k holds buckets `bucketMs[k]` wide, oldest first, eight to a pool
 * chunk. A tier that is not the last holds only the buckets of the current slot of the next tier: when a bucket of a
 * newer slot arrives, the whole tier folds into one bucket of the next tier first. So a unit's memory is bounded by
 * its tier widths (docs/store.md has the arithmetic), not by how long it has run; the last tier's buckets leave by
 * retention or the budget, as `bucket` events.
 *
 * Per unit, the tiers are a few numbers (`TierRefs`): the chunks of a tier form a list linked through their headers.
 * One array per unit rather than objects and arrays per tier, because at 1,000 units every 100 bytes of bookkeeping
 * is 1 % of the default budget.
 */
import { BUCKETS_PER_CHUNK, bucketFirstTs, bucketLastTs, FIRST_TS, loadBucket, storeBucket } from './bucket.js';
import type { ChunkPool } from './chunk-pool.js';
import * as layout from './chunk-pool.js';
import type { BucketMerger } from './merge-buckets.js';

/** How rows age into buckets: rows of one `rawSlotMs` slot fold into tier 0 when a row of a newer slot arrives
 * (`Infinity`: rows never fold), and tier k holds buckets `bucketMs[k]` wide. */
export interface TierPlan {
  rawSlotMs: number;
  bucketMs: readonly number[];
}

/** Raw rows of the current minute, 1-minute buckets of the current quarter hour, 15-minute buckets to the retention. */
export const DEFAULT_TIER_PLAN: TierPlan = { rawSlotMs: 60_000, bucketMs: [60_000, 15 * 60_000] };

/** A unit's tiers: per tier [first chunk, last chunk, index of the oldest live bucket in the first], -1 when empty;
 * then the IO cursor (see summarize-window.ts) of the last row folded; then three counters that tell a summary's
 * running totals (tier-totals.ts) what changed: every change but two, a bucket added after all others (at the end of
 * tier 0), and the oldest bucket removed (retention or the budget). */
export type TierRefs = number[];

/** What the tiers need from their store: chunks within the budget for `owner` (the allocation may take the owner's
 * oldest buckets), and a way to give one back. */
export interface TierHost<Owner> {
  allocate(owner: Owner): number;
  release(owner: Owner, chunk: number): void;
}

const HEAD = 0, TAIL = 1, INDEX = 2;
const NEXT = layout.USER_BASE; // header slot (f64) of a bucket chunk: the next chunk of its tier, -1 at the tail

/** Folds, adds, visits and drops buckets of any unit's `TierRefs`. */
export class Tiers<Owner> {
  constructor(private readonly pool: ChunkPool, readonly plan: TierPlan, private readonly host: TierHost<Owner>,
    private readonly merger: BucketMerger) {}

  /** Empty tiers, and the IO cursor of a unit that has folded nothing yet. */
  create(): TierRefs {
    // Sized once and filled with doubles: pushing grew it to 17 slots, and mixing small integers with NaN boxed them.
    const refs: TierRefs = new Array<number>(this.plan.bucketMs.length * 3 + 8).fill(-1.5);
    for (let k = 0; k < this.plan.bucketMs.length; k++) { refs[k * 3 + HEAD] = -1; refs[k * 3 + TAIL] = -1; refs[k * 3 + INDEX] = 0; }
    const at = this.cursorAt;
    refs[at] = -1; refs[at + 1] = 0; refs[at + 2] = 0; refs[at + 3] = Number.NaN; refs[at + 4] = Number.NaN;
    refs[at + 5] = 0; refs[at + 6] = 0; refs[at + 7] = 0;
    return refs;
  }

  /** Counts every change to `refs`' buckets except adding one after all others and removing the oldest. */
  revisionOf(refs: TierRefs): number {
    return refs[this.cursorAt + 5]!;
  }

  /** Counts the buckets added after all others (at the end of tier 0, the last a visit reaches). */
  appendsOf(refs: TierRefs): number {
    return refs[this.cursorAt + 6]!;
  }

  /** Counts the oldest buckets removed (`dropOldest`): a summary whose span left them out keeps its totals. */
  dropsOf(refs: TierRefs): number {
    return refs[this.cursorAt + 7]!;
  }

  /** Visits the newest `n` buckets of tier 0, oldest first. */
  forEachNewest(refs: TierRefs, n: number, into: Float64Array, visit: (b: Float64Array) => void, load = loadBucket): void {
    let total = 0;
    for (let c = refs[HEAD]!, first = true; c >= 0; c = this.nextOf(c), first = false) {
      total += this.countOf(c) - (first ? refs[INDEX]! : 0);
    }
    let skip = total - n;
    for (let c = refs[HEAD]!, first = true; c >= 0; c = this.nextOf(c), first = false) {
      for (let j = first ? refs[INDEX]! : 0, end = this.countOf(c); j < end; j++) {
        if (skip-- <= 0) visit(load(this.pool, c, j, into));
      }
    }
  }

  private changed(refs: TierRefs): void {
    refs[this.cursorAt + 5]!++;
  }

  /** Offset of the IO cursor in `refs`. */
  get cursorAt(): number {
    return this.plan.bucketMs.length * 3;
  }

  /** The tier a bucket `widthMs` wide belongs to: the first at least as wide, else the last. */
  tierFor(widthMs: number): number {
    const k = this.plan.bucketMs.findIndex((w) => w >= widthMs);
    return k < 0 ? this.plan.bucketMs.length - 1 : k;
  }

  /** Adds bucket value `v` to tier `k` of `refs`, folding tier k down first when `v` starts a new slot of tier k+1.
   * Returns false (adding nothing) when `v` is older than tier k's newest bucket. `scratch` is overwritten: it must
   * be neither `v` nor what the host's evictions load buckets into. */
  add(owner: Owner, refs: TierRefs, v: Float64Array, k: number, scratch: Float64Array): boolean {
    const width = this.plan.bucketMs[k]!;
    const slot = Math.floor(v[FIRST_TS]! / width);
    const last = this.plan.bucketMs.length - 1;
    const group = k < last ? Math.floor(v[FIRST_TS]! / this.plan.bucketMs[k + 1]!) : Math.floor(slot / BUCKETS_PER_CHUNK);
    let tail = refs[k * 3 + TAIL]!;
    if (tail >= 0) {
      const j = this.countOf(tail) - 1;
      const tailSlot = Math.floor(bucketFirstTs(this.pool, tail, j) / width);
      if (slot < tailSlot) return false;
      if (slot === tailSlot) { // the same slot again (a replayed bucket, or raw slots narrower than the tier)
        loadBucket(this.pool, tail, j, scratch);
        this.merger.reset();
        this.merger.add(scratch);
        this.merger.add(v);
        storeBucket(this.pool, tail, j, this.merger.finish());
        this.changed(refs);
        return true;
      }
      if (k < last && this.groupOf(tail) !== group) this.foldDown(owner, refs, k, scratch);
    }
    tail = refs[k * 3 + TAIL]!;
    if (tail >= 0 && this.groupOf(tail) === group && this.countOf(tail) < BUCKETS_PER_CHUNK) {
      const j = this.countOf(tail);
      storeBucket(this.pool, tail, j, v);
      this.setHeader(tail, j + 1, group);
      this.added(refs, k);
      return true;
    }
    const chunk = this.host.allocate(owner); // may take this unit's oldest buckets; `v` stays
    this.setHeader(chunk, 1, group);
    this.setNext(chunk, -1);
    storeBucket(this.pool, chunk, 0, v);
    tail = refs[k * 3 + TAIL]!;
    if (tail >= 0) this.setNext(tail, chunk);
    else refs[k * 3 + HEAD] = chunk;
    refs[k * 3 + TAIL] = chunk;
    this.added(refs, k);
    return true;
  }

  private added(refs: TierRefs, k: number): void {
    if (k === 0) refs[this.cursorAt + 6]!++;
    else this.changed(refs);
  }

  /** Visits every live bucket, oldest first (the last tier first), loading each into `into` with `load`. */
  forEach(refs: TierRefs, into: Float64Array, visit: (b: Float64Array, tier: number) => void, load = loadBucket): void {
    for (let k = this.plan.bucketMs.length - 1; k >= 0; k--) {
      for (let c = refs[k * 3 + HEAD]!, first = true; c >= 0; c = this.nextOf(c), first = false) {
        for (let j = first ? refs[k * 3 + INDEX]! : 0, n = this.countOf(c); j < n; j++) {
          visit(load(this.pool, c, j, into), k);
        }
      }
    }
  }

  /** The oldest tier that holds buckets, or -1. */
  oldestTier(refs: TierRefs): number {
    for (let k = this.plan.bucketMs.length - 1; k >= 0; k--) if (refs[k * 3 + HEAD]! >= 0) return k;
    return -1;
  }

  /** The last ts of the oldest bucket (what retention compares), or +Infinity when there is none. */
  oldestLastTs(refs: TierRefs): number {
    const k = this.oldestTier(refs);
    return k < 0 ? Number.POSITIVE_INFINITY : bucketLastTs(this.pool, refs[k * 3 + HEAD]!, refs[k * 3 + INDEX]!);
  }

  /** Buckets left in the oldest chunk: a budget eviction removes them together. */
  oldestChunkBuckets(refs: TierRefs): number {
    const k = this.oldestTier(refs);
    return k < 0 ? 0 : this.countOf(refs[k * 3 + HEAD]!) - refs[k * 3 + INDEX]!;
  }

  /** Removes the oldest bucket, loaded into `into` first; returns its tier. */
  dropOldest(owner: Owner, refs: TierRefs, into: Float64Array): number {
    const k = this.oldestTier(refs);
    const head = refs[k * 3 + HEAD]!;
    const j = refs[k * 3 + INDEX]!;
    loadBucket(this.pool, head, j, into);
    refs[this.cursorAt + 7]!++;
    if (j + 1 < this.countOf(head)) refs[k * 3 + INDEX] = j + 1;
    else this.dropHeadChunk(owner, refs, k);
    return k;
  }

  /** Folds all of tier k into one bucket of tier k+1 and frees tier k's chunks. */
  private foldDown(owner: Owner, refs: TierRefs, k: number, scratch: Float64Array): void {
    this.merger.reset();
    this.forEachIn(refs, k, scratch, (b) => this.merger.add(b));
    // A copy: adding it to the next tier may merge again. Once a quarter hour per unit, so the allocation is cheap.
    const merged = this.merger.finish().slice();
    while (refs[k * 3 + HEAD]! >= 0) this.dropHeadChunk(owner, refs, k);
    this.changed(refs);
    this.add(owner, refs, merged, k + 1, scratch);
  }

  private forEachIn(refs: TierRefs, k: number, into: Float64Array, visit: (b: Float64Array) => void): void {
    for (let c = refs[k * 3 + HEAD]!, first = true; c >= 0; c = this.nextOf(c), first = false) {
      for (let j = first ? refs[k * 3 + INDEX]! : 0, n = this.countOf(c); j < n; j++) visit(loadBucket(this.pool, c, j, into));
    }
  }

  private dropHeadChunk(owner: Owner, refs: TierRefs, k: number): void {
    const head = refs[k * 3 + HEAD]!;
    const next = this.nextOf(head);
    refs[k * 3 + HEAD] = next;
    refs[k * 3 + INDEX] = 0;
    if (next < 0) refs[k * 3 + TAIL] = -1;
    this.host.release(owner, head);
  }

  private countOf(chunk: number): number {
    return this.pool.slabOf(chunk).ids[this.pool.localOf(chunk) * 2 + layout.PID]!;
  }

  private groupOf(chunk: number): number {
    return this.pool.slabOf(chunk).bases[this.pool.localOf(chunk) * 6 + layout.TS_BASE]!;
  }

  private nextOf(chunk: number): number {
    return this.pool.slabOf(chunk).bases[this.pool.localOf(chunk) * 6 + NEXT]!;
  }

  private setNext(chunk: number, next: number): void {
    this.pool.slabOf(chunk).bases[this.pool.localOf(chunk) * 6 + NEXT] = next;
  }

  private setHeader(chunk: number, count: number, group: number): void {
    const slab = this.pool.slabOf(chunk);
    const local = this.pool.localOf(chunk);
    slab.ids[local * 2 + layout.PID] = count;
    slab.bases[local * 6 + layout.TS_BASE] = group;
  }
}
