// Auto-increment and row-id counters in shared memory, so every worker thread hands out values from one sequence per table.
import { sqlError } from '../base/errors.js';
import type { CounterCells } from './counters.js';

/** Counters (tables × kinds) the cells hold at once; a power of two. */
export const SHARED_COUNTER_SLOTS = 1 << 15;

export function sharedCounterBytes(slots: number): number {
  return slots * 4 + slots * 8;
}

/** Value of a slot claimed but not yet loaded from the store. */
const UNLOADED = 0n;

/**
 * An open-addressing table of (table, kind) → value in a SharedArrayBuffer. A slot is
 * claimed with compare-and-swap on its key and loaded once from the store; values move
 * with atomic adds and compare-and-swap, so no lock is needed. Slots are never freed
 * (table ids are never reused), so the table holds the counters of
 * SHARED_COUNTER_SLOTS tables over the server's life before it refuses more.
 */
export class SharedCounterCells implements CounterCells {
  private readonly keys: Int32Array;
  private readonly values: BigInt64Array;
  private readonly mask: number;

  constructor(buffer: SharedArrayBuffer, private readonly slots: number = SHARED_COUNTER_SLOTS) {
    this.keys = new Int32Array(buffer, 0, slots);
    this.values = new BigInt64Array(buffer, slots * 4, slots);
    this.mask = slots - 1;
  }

  /** The slot of a counter, claimed and loaded on first use. */
  private slot(table: number, tag: number, load: () => bigint): number {
    const key = (table * 256 + tag) | 0;
    let i = Math.imul(key, 0x9e3779b1) >>> 0 & this.mask;
    for (let probes = 0; probes < this.slots; probes++, i = (i + 1) & this.mask) {
      let k = Atomics.load(this.keys, i);
      if (k === 0) {
        k = Atomics.compareExchange(this.keys, i, 0, key);
        if (k === 0) k = key;
      }
      if (k !== key) continue;
      if (Atomics.load(this.values, i) === UNLOADED) Atomics.compareExchange(this.values, i, UNLOADED, load());
      return i;
    }
    throw sqlError('OUTOFMEMORY', `Too many tables with counters in use (more than ${this.slots}); restart the server`);
  }

  read(table: number, tag: number, load: () => bigint): bigint {
    return Atomics.load(this.values, this.slot(table, tag, load));
  }

  add(table: number, tag: number, n: bigint, load: () => bigint): bigint {
    return Atomics.add(this.values, this.slot(table, tag, load), n);
  }

  raise(table: number, tag: number, v: bigint, load: () => bigint): boolean {
    const i = this.slot(table, tag, load);
    let cur = Atomics.load(this.values, i);
    while (v > cur) {
      const seen = Atomics.compareExchange(this.values, i, cur, v);
      if (seen === cur) return true;
      cur = seen;
    }
    return false;
  }

  set(table: number, tag: number, v: bigint): void {
    Atomics.store(this.values, this.slot(table, tag, () => v), v);
  }

  /** Table ids are never reused: a dropped table's slot simply stops being asked for. */
  forget(): void {}
}
