// Per-table counters (auto-increment, hidden row id), stored beside the table's rows in its own engine's store.
import type { KvReader, KvWriter } from './kv.js';
import { COUNTER_AUTO_INCREMENT, COUNTER_ROW_ID, counterKey } from './key-layout.js';

const U64_MAX = 0xffffffffffffffffn;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function toValue(n: bigint): number | bigint {
  return n <= SAFE ? Number(n) : n;
}

/**
 * Where the live counter values are kept between allocations: a cache in this thread
 * (one thread serves every session), or shared memory every worker thread updates
 * atomically. `load` reads the stored value the first time a counter is used.
 */
export interface CounterCells {
  /** The current value. */
  read(table: number, tag: number, load: () => bigint): bigint;
  /** Adds `n` and returns the value before. */
  add(table: number, tag: number, n: bigint, load: () => bigint): bigint;
  /** Moves the value up to `v` when it is below; returns whether it moved. */
  raise(table: number, tag: number, v: bigint, load: () => bigint): boolean;
  set(table: number, tag: number, v: bigint): void;
  forget(table: number, tag: number): void;
}

/** Largest cached counters; beyond this the least recently loaded entries are dropped (they reload from the store). */
const MAX_CACHED = 4096;

/** Counters cached in this thread, the least recently loaded dropped first. */
export class LocalCounterCells implements CounterCells {
  private readonly cache = new Map<string, bigint>();

  read(table: number, tag: number, load: () => bigint): bigint {
    const k = `${table}:${tag}`;
    const hit = this.cache.get(k);
    if (hit !== undefined) return hit;
    const v = load();
    this.remember(k, v);
    return v;
  }

  add(table: number, tag: number, n: bigint, load: () => bigint): bigint {
    const v = this.read(table, tag, load);
    this.remember(`${table}:${tag}`, v + n);
    return v;
  }

  raise(table: number, tag: number, v: bigint, load: () => bigint): boolean {
    if (v <= this.read(table, tag, load)) return false;
    this.remember(`${table}:${tag}`, v);
    return true;
  }

  set(table: number, tag: number, v: bigint): void {
    this.remember(`${table}:${tag}`, v);
  }

  forget(table: number, tag: number): void {
    this.cache.delete(`${table}:${tag}`);
  }

  private remember(k: string, v: bigint): void {
    this.cache.delete(k);
    if (this.cache.size >= MAX_CACHED) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(k, v);
  }
}

/**
 * Hands out auto-increment values and hidden row ids. Each allocation also writes the
 * new counter in the caller's transaction (merged by maximum at commit), so it
 * survives a restart; the live value is in `cells`. After an aborted write the live
 * value may be ahead of the store, which only leaves a gap (as InnoDB does), never a reuse.
 */
export class Counters {
  constructor(private readonly cells: CounterCells = new LocalCounterCells()) {}

  private loader(r: KvReader, tableId: number, tag: number): () => bigint {
    return () => {
      const stored = r.get(counterKey(tableId, tag));
      return stored === undefined ? 1n : stored.readBigUInt64BE(0);
    };
  }

  private store(w: KvWriter, tableId: number, tag: number, v: bigint): void {
    const b = Buffer.allocUnsafe(8);
    b.writeBigUInt64BE(v > U64_MAX ? U64_MAX : v, 0);
    w.put(counterKey(tableId, tag), b);
  }

  /** Reserves `count` auto-increment values and returns the first. */
  nextAutoIncrement(w: KvWriter, tableId: number, count = 1): number | bigint {
    const n = BigInt(count);
    const first = this.cells.add(tableId, COUNTER_AUTO_INCREMENT, n, this.loader(w, tableId, COUNTER_AUTO_INCREMENT));
    this.store(w, tableId, COUNTER_AUTO_INCREMENT, first + n);
    return toValue(first);
  }

  /** An explicit value was inserted: move the counter past it when it is larger (InnoDB's rule). */
  observeAutoIncrement(w: KvWriter, tableId: number, value: number | bigint): void {
    if (typeof value === 'number' && !Number.isInteger(value)) value = Math.floor(value);
    const v = BigInt(value);
    if (v < 1n) return;
    if (this.cells.raise(tableId, COUNTER_AUTO_INCREMENT, v + 1n, this.loader(w, tableId, COUNTER_AUTO_INCREMENT))) this.store(w, tableId, COUNTER_AUTO_INCREMENT, v + 1n);
  }

  /** The next auto-increment value, without reserving it (SHOW TABLE STATUS, information_schema). */
  peekAutoIncrement(r: KvReader, tableId: number): number | bigint {
    return toValue(this.cells.read(tableId, COUNTER_AUTO_INCREMENT, this.loader(r, tableId, COUNTER_AUTO_INCREMENT)));
  }

  /** Sets the next auto-increment value (ALTER TABLE ... AUTO_INCREMENT = n, TRUNCATE resets to 1). */
  setAutoIncrement(w: KvWriter, tableId: number, next: number | bigint): void {
    const v = BigInt(next) < 1n ? 1n : BigInt(next);
    this.cells.set(tableId, COUNTER_AUTO_INCREMENT, v);
    this.store(w, tableId, COUNTER_AUTO_INCREMENT, v);
  }

  /** Allocates a hidden row id for a table without a primary key. */
  nextRowId(w: KvWriter, tableId: number): number {
    const id = this.cells.add(tableId, COUNTER_ROW_ID, 1n, this.loader(w, tableId, COUNTER_ROW_ID));
    this.store(w, tableId, COUNTER_ROW_ID, id + 1n);
    return Number(id);
  }

  /** Forgets a table's counters (after DROP or a rebuild moved it). */
  forget(tableId: number): void {
    this.cells.forget(tableId, COUNTER_AUTO_INCREMENT);
    this.cells.forget(tableId, COUNTER_ROW_ID);
  }
}
