// The memory worker threads share: the lock table, the counters, and a board of small numbers (catalog generation, connection ids, load).
import type { CatalogBoard } from '../../storage/catalog.js';
import { SHARED_COUNTER_SLOTS, sharedCounterBytes } from '../../storage/shared-counter-cells.js';
import { sharedGaugeBytes } from './shared-gauges.js';
import { COMMIT_SIGNAL_BYTES } from '../replication/commit-signal.js';
import { STREAM_HOLDS_BYTES } from '../replication/stream-holds.js';
import { DEFAULT_LOCK_TABLE_SIZES, lockTableBytes, type LockTableSizes } from './shared-lock-table.js';

/** Everything a worker needs to join the others; it crosses to each worker in its workerData. */
export interface SharedMemory {
  workers: number;
  board: SharedArrayBuffer;
  locks: SharedArrayBuffer;
  lockSizes: LockTableSizes;
  counters: SharedArrayBuffer;
  gauges: SharedArrayBuffer;
  /** The commit counter change streams wait on (replication/commit-signal.ts). */
  commits: SharedArrayBuffer;
  /** The positions live change streams hold against purging (replication/stream-holds.ts). */
  streamHolds: SharedArrayBuffer;
}

// Board words.
const CATALOG_GENERATION = 0;
const LAST_CONNECTION_ID = 1;
/** The number the next event relayed to the main thread gets (threads/relay-order.ts). */
const RELAY_SEQUENCE = 2;
/** Then one word per worker: the connections it serves; then one per worker: 1 once it serves (see markServing). */
const CONNECTIONS = 3;

export function createSharedMemory(workers: number): SharedMemory {
  return {
    workers,
    board: new SharedArrayBuffer((CONNECTIONS + 2 * workers) * 4),
    locks: new SharedArrayBuffer(lockTableBytes(DEFAULT_LOCK_TABLE_SIZES)),
    lockSizes: DEFAULT_LOCK_TABLE_SIZES,
    counters: new SharedArrayBuffer(sharedCounterBytes(SHARED_COUNTER_SLOTS)),
    gauges: new SharedArrayBuffer(sharedGaugeBytes()),
    commits: new SharedArrayBuffer(COMMIT_SIGNAL_BYTES),
    streamHolds: new SharedArrayBuffer(STREAM_HOLDS_BYTES),
  };
}

/** Typed access to the board. */
export class Board {
  private readonly words: Uint32Array;

  constructor(private readonly memory: SharedMemory) {
    this.words = new Uint32Array(memory.board);
  }

  get workers(): number {
    return this.memory.workers;
  }

  /** The catalog generation every thread compares its cache with. */
  readonly catalog: CatalogBoard = {
    read: () => Atomics.load(this.words, CATALOG_GENERATION),
    publish: (generation) => {
      Atomics.store(this.words, CATALOG_GENERATION, generation);
    },
  };

  /** Connection ids are unique across workers; they wrap below 2^32 and skip 0, as MySQL's do. */
  nextConnectionId(): number {
    for (;;) {
      const id = (Atomics.add(this.words, LAST_CONNECTION_ID, 1) + 1) >>> 0;
      if (id !== 0) return id;
    }
  }

  /** The number of an event relayed to the main thread: one counter for every worker, so the main thread can merge them in order. */
  nextRelaySequence(): number {
    return Atomics.add(this.words, RELAY_SEQUENCE, 1) >>> 0;
  }

  connectionOpened(worker: number): void {
    Atomics.add(this.words, CONNECTIONS + worker, 1);
  }

  connectionClosed(worker: number): void {
    Atomics.sub(this.words, CONNECTIONS + worker, 1);
  }

  connections(worker: number): number {
    return Atomics.load(this.words, CONNECTIONS + worker);
  }

  /**
   * Whether a worker takes connections handed to it: set once it listens on every protocol, cleared
   * when it stops or dies. A connection handed to a worker still starting would wait for it, or be
   * lost with it.
   */
  markServing(worker: number, serving: boolean): void {
    Atomics.store(this.words, CONNECTIONS + this.memory.workers + worker, serving ? 1 : 0);
  }

  serving(worker: number): boolean {
    return Atomics.load(this.words, CONNECTIONS + this.memory.workers + worker) === 1;
  }

  /** Among the workers that serve, and `self` (which asks because it accepted), the one with the fewest connections (the lowest index among equals). */
  leastLoaded(self: number): number {
    let best = self;
    for (let w = 0; w < this.memory.workers; w++) {
      if (w === self || !this.serving(w)) continue;
      if (this.connections(w) < this.connections(best) || (this.connections(w) === this.connections(best) && w < best)) best = w;
    }
    return best;
  }
}
