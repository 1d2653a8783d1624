// The positions live change streams still need, in memory every thread shares, so the one thread that purges the log keeps them.

/** Streams that can hold the log at once; one more streams unprotected (and is logged). */
export const STREAM_HOLD_SLOTS = 256;
export const STREAM_HOLDS_BYTES = STREAM_HOLD_SLOTS * 8;

/** One stream's claim: the first sequence it may still have to send again. */
export interface StreamHold {
  move(sequence: bigint): void;
  release(): void;
}

/**
 * Slots of a BigInt64Array in a SharedArrayBuffer: 0 is free, else the lowest sequence a
 * stream (on any worker thread) may still need. The purger never deletes from the lowest one on.
 */
export class StreamHolds {
  private readonly slots: BigInt64Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(STREAM_HOLDS_BYTES)) {
    this.slots = new BigInt64Array(buffer, 0, STREAM_HOLD_SLOTS);
  }

  /** Claims a slot at `sequence` (at least 1); undefined when every slot is taken. */
  claim(sequence: bigint): StreamHold | undefined {
    const at = sequence < 1n ? 1n : sequence;
    for (let i = 0; i < this.slots.length; i++) {
      if (Atomics.compareExchange(this.slots, i, 0n, at) !== 0n) continue;
      let released = false;
      return {
        move: (s) => {
          if (!released) Atomics.store(this.slots, i, s < 1n ? 1n : s);
        },
        release: () => {
          if (released) return;
          released = true;
          Atomics.store(this.slots, i, 0n);
        },
      };
    }
    return undefined;
  }

  /** The lowest sequence any live stream needs, and how many streams hold; undefined when none does. */
  lowest(): { sequence: bigint; streams: number } | undefined {
    let low: bigint | undefined;
    let streams = 0;
    for (let i = 0; i < this.slots.length; i++) {
      const v = Atomics.load(this.slots, i);
      if (v === 0n) continue;
      streams++;
      if (low === undefined || v < low) low = v;
    }
    return low === undefined ? undefined : { sequence: low, streams };
  }
}
