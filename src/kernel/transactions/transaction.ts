// One transaction: its snapshots, buffered writes per store, row locks, statement savepoints, commit and rollback.
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { KvReader, KvSnapshot, KvStore, KvWriter } from '../../storage/kv.js';
import { INDEX_PREFIX_BYTES } from '../../storage/key-layout.js';
import { WriteSet, overlayReader, overlayWriter } from '../../storage/write-set.js';
import { CommitBatchWriter } from '../../storage/commit-batch.js';
import { SLICE_MS } from '../session/statement-driver.js';
import { ChangeRecorder } from '../../storage/change-log/recorder.js';
import type { LockOwner, RowLocks } from './lock-manager.js';
import type { PreparedLog } from '../change-log.js';

export type IsolationLevel = 'READ-UNCOMMITTED' | 'READ-COMMITTED' | 'REPEATABLE-READ' | 'SERIALIZABLE';

let lastTransactionId = 0;

/** Where one statement stands in each write set and in the recorded changes, to undo it alone. */
export interface StatementMark {
  sets: Map<WriteSet, number>;
  changes: number;
}

/** Writes a transaction's change-log message inside a store's write (kernel/change-log). */
export interface CommitLog {
  /** The store whose write transaction carries the log (the primary, catalog store). */
  store: KvStore;
  /** Encodes the message before the write, so the write itself (which holds LMDB's write lock) stays short. */
  prepare(changes: ChangeRecorder): PreparedLog;
  /** Inside the write: numbers and stores the prepared message. */
  append(w: KvWriter, prepared: PreparedLog): void;
  /** The same as entries of a commit batch, numbered when the batch is applied; false when it cannot be (a replica's applied position). */
  appendToBatch(batch: CommitBatchWriter, prepared: PreparedLog): boolean;
  /** After the write that carried a message is durable. */
  committed(): void;
}

/**
 * A store's writes of at least this many keys commit as a batch on the store's own commit thread
 * (KvStore.commitBatch), built here in slices: applying them in the session thread would hold it
 * for the whole write (tens of milliseconds per 10,000 keys). Fewer commit in the thread, where
 * concurrent small commits share a write and its flush.
 */
export const BATCH_COMMIT_KEYS = 1024;

/** Keys put in a batch, or locks released after a commit, between two looks at the clock. */
const BATCH_STEP_KEYS = 256;

/** One store's part of a commit: its pending writes, and the change-log message when it carries it. */
interface StoreCommit {
  store: KvStore;
  ws: WriteSet | undefined;
  prepared: PreparedLog | undefined;
}

/** Whether a key is a clustered row (index id 0 of a user table): the keys row locks protect. */
function isRowKey(key: Buffer): boolean {
  return key.length > INDEX_PREFIX_BYTES && key.readUInt32BE(0) !== 0 && key.readUInt16BE(4) === 0;
}

export class Transaction implements LockOwner {
  readonly id = ++lastTransactionId;
  waitingFor: Set<LockOwner> | undefined;
  /** Set when the session began it explicitly (BEGIN / autocommit=0), not for one autocommit statement. */
  readonly explicit: boolean;
  readonly readOnly: boolean;
  readonly isolation: IsolationLevel;
  private readonly snapshots = new Map<KvStore, KvSnapshot>();
  private readonly writes = new Map<KvStore, WriteSet>();
  private readonly storeIds = new Map<KvStore, number>();
  private finished = false;
  /** When it started, for the idle-transaction timeout and SHOW PROCESSLIST. */
  readonly startedMs = Date.now();
  /** The row changes its statements made, for the change log (undefined when the log is off). */
  readonly changes: ChangeRecorder | undefined;
  private readonly log: CommitLog | undefined;

  /** Commits of this thread's transactions still running (DDL waits for them: see Kernel.batchCommitsSettled). */
  private readonly inFlight: Set<Promise<void>> | undefined;

  constructor(private readonly locks: RowLocks, opts: { explicit: boolean; readOnly: boolean; isolation: IsolationLevel; storeIds: Map<KvStore, number>; log?: CommitLog; inFlight?: Set<Promise<void>> }) {
    this.inFlight = opts.inFlight;
    this.explicit = opts.explicit;
    this.readOnly = opts.readOnly;
    this.isolation = opts.isolation;
    this.storeIds = opts.storeIds;
    this.log = opts.log;
    this.changes = opts.log ? new ChangeRecorder() : undefined;
  }

  get wrote(): boolean {
    for (const ws of this.writes.values()) if (ws.size > 0) return true;
    return false;
  }

  private writeSet(store: KvStore): WriteSet {
    let ws = this.writes.get(store);
    if (!ws) this.writes.set(store, (ws = new WriteSet()));
    return ws;
  }

  /** Pins snapshots of every store now (START TRANSACTION WITH CONSISTENT SNAPSHOT). */
  pinSnapshots(stores: KvStore[]): void {
    for (const s of stores) this.snapshotOf(s);
  }

  private snapshotOf(store: KvStore): KvSnapshot {
    let snap = this.snapshots.get(store);
    if (!snap) this.snapshots.set(store, (snap = store.snapshot()));
    return snap;
  }

  /** The consistent-read view of a store: the snapshot plus this transaction's own writes. */
  reader(store: KvStore): KvReader {
    return overlayReader(this.snapshotOf(store).reader, this.writeSet(store));
  }

  /**
   * The current-read writer of a store (`latest` reads the newest committed state):
   * every changed row is locked exclusively first, as InnoDB's UPDATE/DELETE do.
   */
  writer(store: KvStore, latest: KvReader): KvWriter {
    const storeId = this.storeIds.get(store) ?? 0;
    const lockKey = (key: Buffer) => `${storeId}:${key.toString('latin1')}`;
    return overlayWriter(
      latest,
      this.writeSet(store),
      (key) => {
        if (isRowKey(key)) this.locks.acquire(this, lockKey(key), 'X');
      },
      (key) => this.locks.acquire(this, 'u' + lockKey(key), 'X'),
    );
  }

  /** The current-read view of a store (`latest` reads the newest committed state) with this transaction's writes on top. */
  currentReader(store: KvStore, latest: KvReader): KvReader {
    return overlayReader(latest, this.writeSet(store));
  }

  /** Locks a row read by SELECT ... FOR UPDATE / FOR SHARE. */
  lockRow(store: KvStore, key: Buffer, mode: 'S' | 'X'): void {
    this.locks.acquire(this, `${this.storeIds.get(store) ?? 0}:${key.toString('latin1')}`, mode);
  }

  markStatement(): StatementMark {
    const sets = new Map<WriteSet, number>();
    for (const ws of this.writes.values()) sets.set(ws, ws.savepoint());
    return { sets, changes: this.changes?.mark() ?? 0 };
  }

  /** Undoes the writes of the current statement (statement atomicity). */
  rollbackStatement(mark: StatementMark): void {
    for (const ws of this.writes.values()) ws.rollbackTo(mark.sets.get(ws) ?? 0);
    this.changes?.rollbackTo(mark.changes);
  }

  /**
   * The stores to commit, each with what to write: the log's store also carries the change-log
   * message (even when only other engines' tables changed), so message and rows commit together.
   * The message is encoded here, before any write starts.
   */
  private commitPlan(): StoreCommit[] {
    const plan: StoreCommit[] = [];
    const log = this.log;
    const changes = this.changes;
    const prepared = log !== undefined && changes !== undefined && changes.pending ? log.prepare(changes) : undefined;
    for (const [store, ws] of this.writes) {
      if (prepared && store === log?.store) plan.push({ store, ws, prepared });
      else if (ws.size > 0) plan.push({ store, ws, prepared: undefined });
    }
    if (prepared && log && !this.writes.has(log.store)) plan.push({ store: log.store, ws: undefined, prepared });
    return plan;
  }

  /** Writes one store's part inside its write transaction. */
  private apply(part: StoreCommit, w: KvWriter): void {
    part.ws?.applyTo(w);
    if (part.prepared !== undefined) this.log?.append(w, part.prepared);
  }

  /**
   * Commits one store's part: a big one as a commit batch built in slices (the thread is given back
   * every SLICE_MS) and applied off this thread; others in one write here.
   */
  private async commitPart(part: StoreCommit): Promise<void> {
    const { store, ws, prepared } = part;
    if (store.commitBatch === undefined || ws === undefined || ws.size < BATCH_COMMIT_KEYS) return store.commit((w) => this.apply(part, w));
    this.bigWrite = true;
    const batch = new CommitBatchWriter();
    let sliceStart = performance.now();
    for (const _ of ws.batchSteps(batch, BATCH_STEP_KEYS)) {
      if (performance.now() - sliceStart < SLICE_MS) continue;
      await nextTurn();
      sliceStart = performance.now();
    }
    if (prepared !== undefined && !this.log?.appendToBatch(batch, prepared)) return store.commit((w) => this.apply(part, w));
    await store.commitBatch(batch.take());
  }

  /** Ends a statement: READ COMMITTED reads a fresh snapshot at the next statement. */
  endStatement(): void {
    if (this.isolation === 'READ-COMMITTED' || this.isolation === 'READ-UNCOMMITTED') this.releaseSnapshots();
  }

  private releaseSnapshots(): void {
    for (const s of this.snapshots.values()) s.release();
    this.snapshots.clear();
  }

  /**
   * Makes everything durable (one group-committed write per store), then releases
   * snapshots and locks: locks are held until the commit is on disk, so nobody
   * builds on a change that could still be lost.
   */
  commit(): Promise<void> {
    if (this.finished) return Promise.resolve();
    this.finished = true;
    const inFlight = this.inFlight;
    if (inFlight === undefined || !this.wrote) return this.commitNow();
    // Registered from the start: a big commit spends a while building its batch before it is written,
    // and DDL on its tables must not run in between (it would rebuild or drop them under the batch).
    const running = this.commitNow();
    inFlight.add(running);
    const done = () => void inFlight.delete(running);
    running.then(done, done);
    return running;
  }

  private async commitNow(): Promise<void> {
    const logged = this.changes?.pending === true;
    try {
      for (const part of this.commitPlan()) await this.commitPart(part);
      if (logged) this.log?.committed();
      await this.releaseInSlices();
    } finally {
      this.end(true);
    }
  }

  /**
   * Once committed, a transaction that holds many locks gives them back in slices (when the lock
   * table can), so releasing them does not hold the thread either; `end` releases what is left.
   */
  private async releaseInSlices(): Promise<void> {
    const locks = this.locks;
    if (locks.releaseSome === undefined || !this.bigWrite) return;
    let sliceStart = performance.now();
    while (!locks.releaseSome(this, BATCH_STEP_KEYS)) {
      if (performance.now() - sliceStart < SLICE_MS) continue;
      await nextTurn();
      sliceStart = performance.now();
    }
  }

  /** Set when some store's part of the commit was big enough for a batch. */
  private bigWrite = false;

  /** The same, synchronously (before DDL, which must not start until the transaction is committed). */
  commitSync(): void {
    if (this.finished) return;
    this.finished = true;
    const logged = this.changes?.pending === true;
    try {
      for (const part of this.commitPlan()) part.store.write((w) => this.apply(part, w));
      if (logged) this.log?.committed();
    } finally {
      this.end(true);
    }
  }

  rollback(): void {
    if (this.finished) return;
    this.end();
  }

  private end(committed = false): void {
    // Only a commit that wrote changed the keys it locked.
    const changed = committed && this.wrote;
    this.finished = true;
    this.releaseSnapshots();
    for (const ws of this.writes.values()) ws.clear();
    this.writes.clear();
    this.changes?.clear();
    this.locks.releaseAll(this, changed);
  }
}
