import { describe, expect, it } from 'vitest';
import { OwnerRanking, type Ranked } from '../../src/store/owner-ranking.js';

interface Owner extends Ranked<Owner> { name: string; owned: number }
const owner = (name: string): Owner => ({ name, owned: 0, rankPrev: null, rankNext: null });

/** Moves `o` by `delta` chunks, as the store does when it allocates or releases one. */
function own(ranking: OwnerRanking<Owner>, o: Owner, delta: number): void {
  ranking.move(o, o.owned, o.owned + delta);
  o.owned += delta;
}

describe('OwnerRanking: the budget victim', () => {
  it('is nobody while nobody owns a chunk', () => {
    const ranking = new OwnerRanking<Owner>();
    ranking.enter(owner('a'), 0);
    expect(ranking.victim()).toBeUndefined();
  });

  it('is the owner of the most chunks, and the first to get there among equals (round robin)', () => {
    const ranking = new OwnerRanking<Owner>();
    const [a, b, c] = [owner('a'), owner('b'), owner('c')];
    for (const o of [a, b, c]) ranking.enter(o, 0);
    own(ranking, b, 1); own(ranking, a, 1); own(ranking, c, 1); own(ranking, c, 1);
    expect(ranking.victim()?.name).toBe('c');
    own(ranking, c, -1); // c gave a chunk up: now b, a, c own one each, in the order they got there
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      const v = ranking.victim()!;
      order.push(v.name);
      own(ranking, v, -1);
    }
    expect(order).toEqual(['b', 'a', 'c']);
    expect(ranking.victim()).toBeUndefined();
  });

  it('forgets an owner that leaves, wherever it is in its rank', () => {
    const ranking = new OwnerRanking<Owner>();
    const [a, b, c] = [owner('a'), owner('b'), owner('c')];
    for (const o of [a, b, c]) { ranking.enter(o, 0); own(ranking, o, 2); }
    ranking.leave(b, 2);
    ranking.leave(a, 2);
    expect(ranking.victim()?.name).toBe('c');
    ranking.leave(c, 2);
    expect(ranking.victim()).toBeUndefined();
    expect([a.rankNext, b.rankPrev, c.rankNext]).toEqual([null, null, null]);
  });
});
