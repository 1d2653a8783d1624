// Named gauges in shared memory: a slot per name, claimed by hash, changed with atomic adds.
import type { SharedGauge } from '../gauges.js';

/** Names the table holds over the server's life (slots are never freed); a power of two. */
export const GAUGE_SLOTS = 4096;

export function sharedGaugeBytes(): number {
  return GAUGE_SLOTS * 8;
}

/** FNV-1a of the name, never 0 (0 marks a free slot). */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h === 0 ? 1 : h | 0;
}

/**
 * Gauges keyed by a 32-bit hash of their name (two names colliding would share one
 * number: one in four billion). When every slot is taken, a name gets a gauge of
 * this thread alone and a note in the log says so.
 */
export class SharedGauges {
  private readonly keys: Int32Array;
  private readonly values: Int32Array;
  private readonly mine = new Map<number, SharedGauge>();

  constructor(buffer: SharedArrayBuffer, private readonly full: (name: string) => void) {
    this.keys = new Int32Array(buffer, 0, GAUGE_SLOTS);
    this.values = new Int32Array(buffer, GAUGE_SLOTS * 4, GAUGE_SLOTS);
  }

  gauge(name: string): SharedGauge {
    const key = nameHash(name);
    const known = this.mine.get(key);
    if (known) return known;
    let i = (key >>> 0) & (GAUGE_SLOTS - 1);
    for (let probes = 0; probes < GAUGE_SLOTS; probes++, i = (i + 1) & (GAUGE_SLOTS - 1)) {
      const k = Atomics.compareExchange(this.keys, i, 0, key);
      if (k === 0 || k === key) {
        const values = this.values;
        const slot = i;
        const g: SharedGauge = { add: (d) => Atomics.add(values, slot, d) + d, get: () => Atomics.load(values, slot) };
        this.mine.set(key, g);
        return g;
      }
    }
    this.full(name);
    let v = 0;
    const alone: SharedGauge = { add: (d) => (v += d), get: () => v };
    this.mine.set(key, alone);
    return alone;
  }
}
