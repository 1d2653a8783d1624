// Per-table counters (auto-increment, hidden row id), stored beside the table's rows in its own engine's store.
import type { KvReader, KvWriter } from './kv.js';
import { COUNTER_AUTO_INCREMENT, COUNTER_ROW_ID, counterKey } from './key-layout.js';

/** Largest cached tables; beyond this the least recently loaded entries are dropped (they reload from the store). */
const MAX_CACHED = 4096;
const U64_MAX = 0xffffffffffffffffn;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function toValue(n: bigint): number | bigint {
  return n <= SAFE ? Number(n) : n;
}

/**
 * Hands out auto-increment values and hidden row ids. Each allocation writes the
 * new counter in the caller's transaction; a small cache avoids re-reading it.
 * After an aborted write the cache may be ahead of the store, which only leaves
 * a gap (as InnoDB does), never a reuse.
 */
export class Counters {
  private readonly cache = new Map<string, bigint>();

  private load(r: KvReader, tableId: number, tag: number): bigint {
    const k = `${tableId}:${tag}`;
    const hit = this.cache.get(k);
    if (hit !== undefined) return hit;
    const stored = r.get(counterKey(tableId, tag));
    const v = stored === undefined ? 1n : stored.readBigUInt64BE(0);
    this.remember(k, v);
    return v;
  }

  private remember(k: string, v: bigint): void {
    this.cache.delete(k);
    if (this.cache.size >= MAX_CACHED) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(k, v);
  }

  private store(w: KvWriter, tableId: number, tag: number, v: bigint): void {
    const b = Buffer.allocUnsafe(8);
    b.writeBigUInt64BE(v > U64_MAX ? U64_MAX : v, 0);
    w.put(counterKey(tableId, tag), b);
    this.remember(`${tableId}:${tag}`, v);
  }

  /** Reserves `count` auto-increment values and returns the first. */
  nextAutoIncrement(w: KvWriter, tableId: number, count = 1): number | bigint {
    const first = this.load(w, tableId, COUNTER_AUTO_INCREMENT);
    this.store(w, tableId, COUNTER_AUTO_INCREMENT, first + BigInt(count));
    return toValue(first);
  }

  /** An explicit value was inserted: move the counter past it when it is larger (InnoDB's rule). */
  observeAutoIncrement(w: KvWriter, tableId: number, value: number | bigint): void {
    if (typeof value === 'number' && !Number.isInteger(value)) value = Math.floor(value);
    const v = BigInt(value);
    if (v < 1n) return;
    if (v >= this.load(w, tableId, COUNTER_AUTO_INCREMENT)) this.store(w, tableId, COUNTER_AUTO_INCREMENT, v + 1n);
  }

  /** The next auto-increment value, without reserving it (SHOW TABLE STATUS, information_schema). */
  peekAutoIncrement(r: KvReader, tableId: number): number | bigint {
    return toValue(this.load(r, tableId, COUNTER_AUTO_INCREMENT));
  }

  /** Sets the next auto-increment value (ALTER TABLE ... AUTO_INCREMENT = n, TRUNCATE resets to 1). */
  setAutoIncrement(w: KvWriter, tableId: number, next: number | bigint): void {
    this.store(w, tableId, COUNTER_AUTO_INCREMENT, BigInt(next) < 1n ? 1n : BigInt(next));
  }

  /** Allocates a hidden row id for a table without a primary key. */
  nextRowId(w: KvWriter, tableId: number): number {
    const id = this.load(w, tableId, COUNTER_ROW_ID);
    this.store(w, tableId, COUNTER_ROW_ID, id + 1n);
    return Number(id);
  }

  /** Forgets a table's cached counters (after DROP or a rebuild moved it). */
  forget(tableId: number): void {
    this.cache.delete(`${tableId}:${COUNTER_AUTO_INCREMENT}`);
    this.cache.delete(`${tableId}:${COUNTER_ROW_ID}`);
  }
}
