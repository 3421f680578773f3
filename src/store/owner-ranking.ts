/**
 * The fairness order of the budget: owners ranked by the chunks they own, and among owners of equally many, by when
 * they got there. The budget victim is the first owner of the fullest rank, so it takes from the unit holding the
 * most and round-robins among equals.
 *
 * Each rank is a circular list linked through the owners themselves (two fields on each), not a `Set` per rank: with
 * 1,000 units whose chunk counts change every minute, the Sets' hash tables grew and were rebuilt as units moved
 * between them, and cost a few hundred bytes a unit that the budget does not see (BENCHMARKS.md, "Tiered store").
 */

/** The two links an owner carries for its rank's list; `null` while it is in none. */
export interface Ranked<T> {
  rankPrev: T | null;
  rankNext: T | null;
}

/** Owners by chunk count, each count's owners in the order they reached it. */
export class OwnerRanking<T extends Ranked<T>> {
  /** The first owner of each non-empty rank; its `rankPrev` is the rank's last. */
  private readonly heads = new Map<number, T>();
  private fullest = 0;

  /** Appends `owner` to rank `count` (it must be in none). */
  enter(owner: T, count: number): void {
    const head = this.heads.get(count);
    if (head === undefined) {
      owner.rankPrev = owner;
      owner.rankNext = owner;
      this.heads.set(count, owner);
    } else {
      const last = head.rankPrev!;
      owner.rankPrev = last;
      owner.rankNext = head;
      last.rankNext = owner;
      head.rankPrev = owner;
    }
    if (count > this.fullest) this.fullest = count;
  }

  /** Takes `owner` out of rank `count`; an emptied rank is forgotten, and the fullest rank recomputed. */
  leave(owner: T, count: number): void {
    const next = owner.rankNext;
    if (next === null) return;
    if (next === owner) this.heads.delete(count);
    else {
      const prev = owner.rankPrev!;
      prev.rankNext = next;
      next.rankPrev = prev;
      if (this.heads.get(count) === owner) this.heads.set(count, next);
    }
    owner.rankPrev = null;
    owner.rankNext = null;
    while (this.fullest > 0 && !this.heads.has(this.fullest)) this.fullest--;
  }

  /** Moves `owner` from rank `from` to the end of rank `to`. */
  move(owner: T, from: number, to: number): void {
    this.leave(owner, from);
    this.enter(owner, to);
  }

  /** The owner the budget takes from next: the first of the fullest rank, or undefined when nobody owns a chunk. */
  victim(): T | undefined {
    return this.fullest > 0 ? this.heads.get(this.fullest) : undefined;
  }
}
