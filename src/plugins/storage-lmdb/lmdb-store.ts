// The persistent KvStore: one LMDB environment with binary keys and values, synchronous durable write transactions.
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { open, type RootDatabase, type Transaction } from 'lmdb';
import type { KvEntry, KvRange, KvReader, KvSnapshot, KvStore, KvWriter } from '../../storage/kv.js';
import { CommitThread } from './commit-thread.js';
import type { BatchChunk } from '../../storage/commit-batch.js';

/** Options of the LMDB store, resolved from the plugin's declared options. */
export interface LmdbStoreOptions {
  /** fsync every commit (true) or let the OS flush (false: faster, may lose recent commits on a crash). */
  sync: boolean;
  /** Initial map size in bytes; 0 lets lmdb-js start small and grow the map as needed. */
  mapSize: number;
  /** lmdb-js's `encryptionKey` (32 characters): pages are encrypted on disk. */
  encryptionKey?: string;
  /** Called after `copyTo` wrote a copy (the plugin puts its encryption marker beside it). */
  afterCopy?: (destDir: string) => void;
  /** With sync off: whether this store flushes the data file every second (false for a second handle on the same environment). */
  flushTimer?: boolean;
}

/** Pairs copied per write transaction by an encrypted backup. */
const BACKUP_BATCH = 10_000;

/** How often relaxed mode (sync off) flushes the data file. */
const RELAXED_FLUSH_INTERVAL_MS = 1000;

/** Keys up to 4026 bytes need 8 KiB pages; see MAX_KEY_BYTES in storage/key-layout. */
const PAGE_SIZE = 8192;
/**
 * Values as views of lmdb-js's reusable read buffer rather than fresh copies: a copy
 * (a new off-heap allocation) per row cost more than decoding the row. lmdb-js
 * hands a decoder that copies nothing the shared buffer itself; KvReader documents
 * how long such a view stays valid. Writes pass buffers through unchanged.
 */
const VIEW_VALUES = {
  encode: (value: Buffer): Buffer => value,
  decode: (bytes: Uint8Array, size: unknown): Buffer => bufferView(bytes, typeof size === 'number' ? size : bytes.length),
};

/** lmdb-js reads its declarations leave out: both accept a read transaction. */
interface BinaryReads {
  /** A copy of the value. */
  getBinary(key: Buffer, options?: { transaction?: Transaction }): Buffer | undefined;
  /**
   * The value, valid until the next read: usually lmdb-js's reusable Buffer (its `length`
   * is the value's), but a plain Uint8Array over the memory map for values of 16 MiB and up.
   */
  getBinaryFast(key: Buffer, options?: { transaction?: Transaction }): Uint8Array | undefined;
}

/** Views kept per value size; past it the cache starts over. */
const VIEWS_MAX = 256;

/**
 * Buffer views of the memory lmdb-js reads values into. It reuses one buffer for every value
 * below 16 MiB, so a view of a given size over it can be reused too: building a Buffer view
 * per row read cost more than a Map lookup. A value in other memory resets the cache.
 */
const views = {
  memory: undefined as ArrayBufferLike | undefined,
  offset: 0,
  bySize: new Map<number, Buffer>(),
};

/** A Buffer over the first `size` bytes of `bytes`, without copying (whatever kind of view lmdb-js returned). */
function bufferView(bytes: Uint8Array, size: number): Buffer {
  if (bytes.buffer !== views.memory || bytes.byteOffset !== views.offset) {
    views.memory = bytes.buffer;
    views.offset = bytes.byteOffset;
    views.bySize.clear();
  }
  let view = views.bySize.get(size);
  if (view === undefined) {
    if (views.bySize.size >= VIEWS_MAX) views.bySize.clear();
    view = Buffer.from(bytes.buffer, bytes.byteOffset, size);
    views.bySize.set(size, view);
  }
  return view;
}

/** A Buffer view of exactly the value getBinaryFast returned (the reusable buffer's byteLength is all of it). */
function exact(bytes: Uint8Array | undefined): Buffer | undefined {
  return bytes === undefined ? undefined : bufferView(bytes, bytes.length);
}

/** delRange deletes in batches of this many keys, so no unbounded key list is built. */
const DELETE_BATCH = 1024;

/**
 * A KvStore over one LMDB environment. `write` runs a synchronous LMDB write
 * transaction that is committed (and, with sync, flushed) when it returns; a
 * throw aborts it. `read` pins one read snapshot for its duration. A read or
 * write started inside a write joins that write.
 */
export class LmdbStore implements KvStore {
  readonly persistent = true;
  private inWrite = false;
  private readonly writer: KvWriter;

  /** In relaxed mode (sync off): the data file, flushed once a second so at most ~1 s of commits is at risk. */
  private flushTimer: NodeJS.Timeout | undefined;
  private flushFd: number | undefined;

  private readonly binary: BinaryReads;

  /** Where commit batches are applied: a thread of its own on the same environment. */
  private commitThread: CommitThread | undefined;

  private constructor(private readonly db: RootDatabase<Buffer, Buffer>, private readonly encryptionKey?: string, private readonly afterCopy?: (destDir: string) => void) {
    const binary = (this.binary = db as unknown as BinaryReads);
    this.writer = {
      get: (key) => binary.getBinary(key),
      peek: (key) => exact(binary.getBinaryFast(key)),
      range: (range) => this.rangeIn(range, undefined),
      put: (key, value) => {
        db.putSync(key, value);
      },
      del: (key) => {
        db.removeSync(key);
      },
      delRange: (start, end) => this.delRange(start, end),
    };
  }

  /**
   * Copies the environment in `dir` to `destDir` from one read snapshot, compacted
   * (LMDB's own copy), while other processes may be writing to it.
   */
  static async backup(dir: string, destDir: string, encryptionKey?: string): Promise<void> {
    const db = open<Buffer, Buffer>({ path: dir, keyEncoding: 'binary', encoding: 'binary', pageSize: PAGE_SIZE, readOnly: true, ...(encryptionKey ? { encryptionKey } : {}) });
    try {
      // LMDB writes data.mdb into the (existing, empty) destination directory.
      if (encryptionKey === undefined) await db.backup(destDir, true);
      else await LmdbStore.copyPairs(db, destDir, encryptionKey);
    } finally {
      await db.close();
    }
  }

  /**
   * An encrypted environment is copied pair by pair from one read snapshot into a new environment
   * under the same key: LMDB's own copy writes an encrypted environment's pages decrypted (and the
   * copy does not open), so it is not used for one.
   */
  private static async copyPairs(source: RootDatabase<Buffer, Buffer>, destDir: string, encryptionKey: string): Promise<void> {
    const dest = open<Buffer, Buffer>({ path: destDir, keyEncoding: 'binary', encoding: 'binary', pageSize: PAGE_SIZE, encryptionKey });
    try {
      let batch: { key: Buffer; value: Buffer }[] = [];
      const flush = () => {
        const pairs = batch;
        batch = [];
        dest.transactionSync(() => {
          for (const p of pairs) dest.putSync(p.key, p.value);
        });
      };
      // getRange reads from one snapshot for the whole iteration.
      for (const { key, value } of source.getRange({})) {
        batch.push({ key: Buffer.from(key), value: Buffer.from(value) });
        if (batch.length >= BACKUP_BATCH) flush();
      }
      if (batch.length > 0) flush();
    } finally {
      await dest.close();
    }
  }

  /** Opens (creating if needed) the environment in `dir`. */
  static open(dir: string, options: LmdbStoreOptions): LmdbStore {
    const db = open<Buffer, Buffer>({
      path: dir,
      keyEncoding: 'binary',
      encoding: 'binary',
      encoder: VIEW_VALUES,
      pageSize: PAGE_SIZE,
      noSync: !options.sync,
      // With overlapping sync a commit returns before its flush; durability wants the flush first.
      overlappingSync: false,
      ...(options.mapSize > 0 ? { mapSize: options.mapSize } : {}),
      ...(options.encryptionKey ? { encryptionKey: options.encryptionKey } : {}),
    });
    const store = new LmdbStore(db, options.encryptionKey, options.afterCopy);
    if (!options.sync && options.flushTimer !== false) store.startPeriodicFlush(join(dir, 'data.mdb'));
    store.commitThread = new CommitThread({ dir, sync: options.sync, mapSize: options.mapSize, ...(options.encryptionKey !== undefined ? { encryptionKey: options.encryptionKey } : {}) });
    return store;
  }

  /**
   * With sync off, commits return before they reach the disk; flushing the data file every
   * second bounds what an OS crash or power loss can take to about the last second of commits
   * (what innodb_flush_log_at_trx_commit=2 promises). A crash of mizzle alone loses nothing.
   */
  private startPeriodicFlush(file: string): void {
    this.flushFd = openSync(file, 'r+');
    const fd = this.flushFd;
    this.flushTimer = setInterval(() => fdatasync(fd, () => undefined), RELAXED_FLUSH_INTERVAL_MS);
    this.flushTimer.unref();
  }

  read<T>(fn: (reader: KvReader) => T): T {
    if (this.inWrite) return fn(this.writer);
    const txn = this.db.useReadTransaction();
    try {
      return fn(this.readerFor(txn));
    } finally {
      txn.done();
    }
  }

  write<T>(fn: (writer: KvWriter) => T): T {
    if (this.inWrite) return fn(this.writer);
    this.inWrite = true;
    try {
      return this.db.transactionSync(() => fn(this.writer));
    } finally {
      this.inWrite = false;
    }
  }

  /**
   * lmdb-js runs every transaction callback queued in one event turn inside one LMDB
   * write transaction and flushes it off the main thread: group commit.
   */
  async commit(fn: (writer: KvWriter) => void): Promise<void> {
    try {
      await this.db.transaction(() => {
        this.inWrite = true;
        try {
          fn(this.writer);
        } finally {
          this.inWrite = false;
        }
      });
    } catch (e) {
      // lmdb-js wraps the OS error in a second, separately rejected promise; take it (which also
      // marks it handled) and report the real cause.
      const inner = (e as { commitError?: Promise<unknown> }).commitError;
      const cause = inner ? await inner.then(() => undefined, (x: unknown) => x) : undefined;
      throw cause instanceof Error ? cause : e;
    }
  }

  /**
   * Applies a commit batch on the commit thread, in one write transaction of its own (durable when
   * this resolves, with sync on), while this thread goes on serving others. The batch's rows are
   * locked by its transaction, which holds the locks until then; afterwards this thread's reads
   * are renewed so they see it at once.
   */
  async commitBatch(chunks: readonly BatchChunk[]): Promise<void> {
    const thread = this.commitThread;
    if (thread === undefined) throw new Error('commitBatch: store not opened with LmdbStore.open');
    await thread.apply(chunks);
    this.refresh();
  }

  batchesSettled(): Promise<void> | undefined {
    return this.commitThread?.settled();
  }

  /**
   * A consistent, compacted copy of this open environment into `destDir`, made in this process: a
   * second process must not open the environment of a running server (lmdb-js 3.5.6 writes the
   * transaction id it read at open into the shared lock file, which can roll back a commit made
   * meanwhile; see scripts/lmdb-open-race.mjs).
   */
  async copyTo(destDir: string): Promise<void> {
    if (this.encryptionKey === undefined) await this.db.backup(destDir, true);
    else await LmdbStore.copyPairs(this.db, destDir, this.encryptionKey);
    this.afterCopy?.(destDir);
  }

  snapshot(): KvSnapshot {
    const txn = this.db.useReadTransaction();
    let released = false;
    return {
      reader: this.readerFor(txn),
      release: () => {
        if (!released) txn.done();
        released = true;
      },
    };
  }

  /** lmdb-js reuses one read transaction until the end of the event turn; a commit by another thread needs a new one. */
  refresh(): void {
    if (!this.inWrite) this.db.resetReadTxn();
  }

  sizeBytes(): number {
    const stats = this.db.getStats() as { pageSize?: number; treeBranchPageCount?: number; treeLeafPageCount?: number; overflowPages?: number };
    const pages = (stats.treeBranchPageCount ?? 0) + (stats.treeLeafPageCount ?? 0) + (stats.overflowPages ?? 0);
    return pages * (stats.pageSize ?? PAGE_SIZE);
  }

  async close(): Promise<void> {
    await this.commitThread?.close();
    await this.db.flushed;
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.flushFd !== undefined) {
      fdatasyncSync(this.flushFd);
      closeSync(this.flushFd);
    }
    await this.db.close();
  }

  private readerFor(transaction: Transaction): KvReader {
    const binary = this.binary;
    const options = { transaction };
    return {
      get: (key) => binary.getBinary(key, options),
      peek: (key) => exact(binary.getBinaryFast(key, options)),
      range: (range) => this.rangeIn(range, transaction),
    };
  }

  private rangeIn(range: KvRange, transaction: Transaction | undefined): Iterable<KvEntry> {
    const { start, end, reverse } = range;
    if (reverse) {
      // lmdb-js walks from `start` down to `end`: our exclusive upper end becomes its exclusive start.
      return this.db.getRange({ start: end, end: start, reverse: true, exclusiveStart: end !== undefined, inclusiveEnd: start !== undefined, transaction });
    }
    return this.db.getRange({ start, end, transaction });
  }

  private delRange(start: Buffer, end: Buffer): void {
    for (;;) {
      const batch: Buffer[] = [];
      for (const key of this.db.getKeys({ start, end, limit: DELETE_BATCH })) batch.push(key);
      for (const key of batch) this.db.removeSync(key);
      if (batch.length < DELETE_BATCH) return;
    }
  }
}
