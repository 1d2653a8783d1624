// The contract a storage engine plugin implements: an ordered, transactional key/value store.
import type { BatchChunk } from './commit-batch.js';

/**
 * One key/value pair returned by a range scan. Its buffers may be reused by the
 * engine at the iterator's next step or at the next `peek` on the same store:
 * decode or copy them before that.
 */
export interface KvEntry {
  key: Buffer;
  value: Buffer;
}

/** A key range: `start` inclusive, `end` exclusive (byte-wise order); either may be open. */
export interface KvRange {
  start?: Buffer;
  end?: Buffer;
  reverse?: boolean;
}

/** Reads from one consistent snapshot. */
export interface KvReader {
  get(key: Buffer): Buffer | undefined;
  /**
   * Like `get`, but the buffer may be reused by the engine at the next read on the
   * same store: for callers that decode it at once (row lookups), which saves a copy.
   */
  peek(key: Buffer): Buffer | undefined;
  /** Entries in key order (or reverse) within the range; lazy, so LIMIT can stop early. */
  range(range: KvRange): Iterable<KvEntry>;
}

/** A write transaction: reads see its own writes. */
export interface KvWriter extends KvReader {
  put(key: Buffer, value: Buffer): void;
  del(key: Buffer): void;
  /** Deletes every key in [start, end). */
  delRange(start: Buffer, end: Buffer): void;
  /**
   * Takes an exclusive lock on a logical key (a unique index value) for the rest of the
   * transaction, when the writer belongs to a locking transaction; absent otherwise.
   */
  lock?(key: Buffer): void;
  /** Takes the exclusive lock on a row key without changing the row (UPDATE locks every row it matches). */
  lockRow?(key: Buffer): void;
}

/** A read view pinned at one moment, kept across statements (a transaction's snapshot). */
export interface KvSnapshot {
  reader: KvReader;
  /** Lets the engine reclaim what only this snapshot still sees. */
  release(): void;
}

/**
 * An open store. `read` and `write` run a synchronous function inside one
 * transaction; `write` is atomic, and when it returns on a persistent store the
 * change is durable (fsync'd) unless the engine was opened in a relaxed mode.
 * A thrown error aborts the write transaction and leaves nothing behind.
 */
export interface KvStore {
  /** False for stores whose data does not survive a restart (memory). */
  readonly persistent: boolean;
  read<T>(fn: (reader: KvReader) => T): T;
  write<T>(fn: (writer: KvWriter) => T): T;
  /**
   * Applies `fn`'s writes atomically and resolves once they are durable. Unlike
   * `write`, concurrent commits may be batched into one storage transaction and one
   * flush (group commit), and the flush need not block the event loop.
   */
  commit(fn: (writer: KvWriter) => void): Promise<void>;
  /**
   * Optional: applies a commit batch (storage/commit-batch; the store may take its buffers over) atomically and resolves once it is durable, like `commit`, but with the
   * write transaction run off the calling thread: a big transaction's commit then does not hold
   * the event loop for the time its writes take.
   */
  commitBatch?(chunks: readonly BatchChunk[]): Promise<void>;
  /**
   * Optional, with `commitBatch`: while batches are being applied, a promise settled once those
   * sent so far are done (a synchronous `write` issued meanwhile would wait for the write lock
   * holding the calling thread); undefined when none is.
   */
  batchesSettled?(): Promise<void> | undefined;
  /** Pins the current committed state until released (REPEATABLE READ snapshots). */
  snapshot(): KvSnapshot;
  /**
   * Optional: drops any read view this thread caches between reads, so the next read sees
   * every commit made so far, by any thread (stores shared by worker threads).
   */
  refresh?(): void;
  /** Bytes used on disk (or in memory), for status and metrics. */
  sizeBytes(): number;
  close(): Promise<void>;
  /**
   * Optional: a frozen copy of everything held, cheap to take and to start other stores of the
   * same engine from (`adopt`). Stores without it are copied pair by pair.
   */
  image?(): KvImage;
  /** Optional, with `image`: makes an empty store hold what an image of its own engine holds. */
  adopt?(image: KvImage): void;
  /**
   * Optional: writes a consistent copy of the store's files into `destDir` (empty) from one snapshot,
   * made by the process that has the store open (an online backup asked of the running server).
   */
  copyTo?(destDir: string): Promise<void>;
}

/** A store's frozen contents (see KvStore.image); only the engine that made it can read it. */
export interface KvImage {
  /** The engine that made it: another engine cannot adopt it. */
  readonly engine: string;
  /** Key/value pairs held. */
  readonly size: number;
}

/** What a store is started from: its pairs in key order, or an image its engine made. */
export type KvSeed = readonly KvEntry[] | KvImage;

export function isPairSeed(seed: KvSeed): seed is readonly KvEntry[] {
  return Array.isArray(seed);
}

/** Options every engine receives when opened. */
export interface KvOpenOptions {
  /** The engine's own directory inside the datadir (created by the kernel). */
  dir: string;
  /** Engine-specific options from the plugin's declared options. */
  options: Readonly<Record<string, string | number | boolean>>;
}
