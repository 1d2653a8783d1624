// A map that keeps its most recently used entries up to a bound, handing back what it lets go (to be closed).

/** Entries by key, at most `limit`; reading an entry makes it the most recent. A Map keeps insertion order, so the oldest is first. */
export class LruMap<K, V> {
  private readonly entries = new Map<K, V>();
  /** The most recent key, whose reads need no reordering (the same statement run again and again). */
  private newest: K | undefined;

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.entries.size;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  get(key: K): V | undefined {
    const v = this.entries.get(key);
    if (v !== undefined && key !== this.newest) {
      this.entries.delete(key);
      this.entries.set(key, v);
      this.newest = key;
    }
    return v;
  }

  /** Adds (or refreshes) an entry; returns the least recently used one it evicted to stay within the limit. */
  set(key: K, value: V): [K, V] | undefined {
    this.entries.delete(key);
    this.entries.set(key, value);
    this.newest = key;
    if (this.entries.size <= this.limit) return undefined;
    const oldest = this.entries.entries().next().value as [K, V];
    this.entries.delete(oldest[0]);
    return oldest;
  }

  /** Removes an entry; returns its value. */
  take(key: K): V | undefined {
    const v = this.entries.get(key);
    this.entries.delete(key);
    if (key === this.newest) this.newest = undefined;
    return v;
  }

  values(): IterableIterator<V> {
    return this.entries.values();
  }

  /** Removes every entry; returns their values. */
  clear(): V[] {
    const all = [...this.entries.values()];
    this.entries.clear();
    this.newest = undefined;
    return all;
  }
}
