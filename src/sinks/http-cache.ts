/**
 * Remembers one value per key until {@link BodyCache.invalidate}: an HTTP body depends only on the events seen so
 * far, so between two sampling rounds every request for it gets the same bytes, and a client that asks 10,000 times
 * a second costs one rendering per round instead of 10,000 (a flood then cannot delay the next tick).
 */
export class BodyCache<T> {
  private generation = 0;
  private readonly values = new Map<string, { generation: number; value: T }>();

  /** @param maxKeys keys kept at most; past it the cache starts over, so many distinct queries cannot grow it. */
  constructor(private readonly maxKeys = 64) {}

  /** Forgets every value: called for each event, and costs one increment. */
  invalidate(): void {
    this.generation += 1;
  }

  /** The value for `key` made since the last invalidation, or `make()`'s, remembered. */
  get(key: string, make: () => T): T {
    const hit = this.values.get(key);
    if (hit && hit.generation === this.generation) return hit.value;
    if (!hit && this.values.size >= this.maxKeys) this.values.clear();
    const value = make();
    this.values.set(key, { generation: this.generation, value });
    return value;
  }
}
