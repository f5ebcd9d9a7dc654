/**
 * A least-recently-used cache bounded both by its number of entries and by the total cost of its values
 * (bytes, for images), whichever binds first: thumbnails of a 60,000-image split must not grow without end,
 * and a few large images must not push out memory the way thousands of small ones would not.
 */
export class LruCache<K, V> {
  // A Map iterates in insertion order, so re-inserting on every read keeps the oldest entry first.
  private readonly entries = new Map<K, { value: V; cost: number }>();
  private totalCost = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxCost = Number.POSITIVE_INFINITY,
  ) {
    if (!(maxEntries >= 1)) throw new RangeError(`an LRU cache needs room for at least one entry`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The summed cost of the values held. */
  get cost(): number {
    return this.totalCost;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** The value, marking it most recently used. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** The value, without touching its recency. */
  peek(key: K): V | undefined {
    return this.entries.get(key)?.value;
  }

  /**
   * Stores a value as the most recently used, then evicts the least recently used ones until both bounds
   * hold. A value that alone costs more than the whole budget is not kept.
   */
  set(key: K, value: V, cost = 0): void {
    this.delete(key);
    if (cost > this.maxCost) return;
    this.entries.set(key, { value, cost });
    this.totalCost += cost;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.totalCost <= this.maxCost) break;
      this.entries.delete(oldest);
      this.totalCost -= entry.cost;
    }
  }

  delete(key: K): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    this.entries.delete(key);
    this.totalCost -= entry.cost;
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.totalCost = 0;
  }

  /** Keys from least to most recently used. */
  keys(): K[] {
    return [...this.entries.keys()];
  }
}
