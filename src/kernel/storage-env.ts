// Adapts the storage layer to what statements use: transactions spanning the engines, table readers and writers, the catalog.
import type { KvEntry, KvRange, KvReader, KvSnapshot, KvStore, KvWriter } from '../storage/kv.js';
import type { StorageManager } from '../storage/storage-manager.js';
import type { Catalog } from '../storage/catalog.js';
import type { IndexDef, SchemaDef, TableDef, ViewDef } from '../storage/table-def.js';
import { METER_TICK_ROWS, type ScanMeter, type TableStore } from '../storage/table-store.js';
import type { KeyBound } from '../storage/key-codec.js';
import type { Row } from '../base/value.js';
import type { AccessPath } from '../sql/planner/access-path.js';
import type { CatalogWriter, ReadTx, TableReader, TableWriter, WriteTx } from '../sql/executor/statement-env.js';
import type { Transaction } from './transactions/transaction.js';
import { LockConflict } from './transactions/lock-manager.js';
import { PAUSE, type Pause } from '../sql/executor/pause.js';
import { ChangeRecorder } from '../storage/change-log/recorder.js';
import type { ReplicatedOrigin } from '../storage/change-log/applied-position.js';
import type { ChangeLog } from './change-log.js';
import { isTemporaryName } from './temporary-tables.js';

/** Runs `fn` inside nested transactions of every store, collecting each store's reader or writer. */
function nest<R extends KvReader, T>(stores: KvStore[], open: (s: KvStore, f: (r: R) => T) => T, fn: (byStore: Map<KvStore, R>) => T): T {
  const map = new Map<KvStore, R>();
  const step = (i: number): T => {
    if (i === stores.length) return fn(map);
    return open(stores[i], (r) => {
      map.set(stores[i], r);
      return step(i + 1);
    });
  };
  return step(0);
}

function scanPath(ts: TableStore, r: KvReader, path: AccessPath | undefined, meter: ScanMeter | undefined, columns: readonly boolean[] | undefined): Iterable<Row> {
  if (!path) return ts.scan(r, { index: 0, meter, columns });
  if (path.unique && path.index === 0 && ts.hasPrimaryKey) return primaryKeyGets(ts, r, path, meter, columns);
  if (path.ranges.length === 1) {
    const range = path.ranges[0];
    return ts.scan(r, { index: path.index, lower: range.lower, upper: range.upper, reverse: path.reverse, meter, columns });
  }
  return (function* () {
    for (const range of path.ranges) yield* ts.scan(r, { index: path.index, lower: range.lower, upper: range.upper, reverse: path.reverse, meter, columns });
  })();
}

function metered<R extends Reader>(reader: R, meter: ScanMeter | undefined): R {
  reader.meter = meter;
  return reader;
}

/**
 * Point lookups on the whole primary key (`WHERE id = ?`, `id IN (...)`): a
 * direct get per key, much cheaper than opening a cursor for a one-key range.
 */
function primaryKeyGets(ts: TableStore, r: KvReader, path: AccessPath, meter: ScanMeter | undefined, columns: readonly boolean[] | undefined): Row[] {
  const out: Row[] = [];
  const ranges = path.reverse ? [...path.ranges].reverse() : path.ranges;
  for (const range of ranges) {
    const values = (range.lower as KeyBound).values;
    const row = ts.get(r, values, columns);
    if (row === undefined) continue;
    if (meter !== undefined && ++meter.rows % METER_TICK_ROWS === 0) meter.tick();
    out.push(row);
  }
  return out;
}

class Reader implements TableReader {
  /** Set by the statement's environment: counts rows examined and interrupts long scans. */
  meter: ScanMeter | undefined;
  constructor(readonly def: TableDef, protected readonly ts: TableStore, protected readonly r: KvReader, protected readonly catalog: Catalog) {}
  peekAutoIncrement(): number | bigint {
    return this.catalog.peekAutoIncrement(this.r, this.def.id);
  }
  scan(path: AccessPath | undefined, columns?: readonly boolean[]): Iterable<Row> {
    return scanPath(this.ts, this.r, path, this.meter, columns);
  }
  findConflicts(row: Row): Row[] {
    return this.ts.findConflicts(this.r, row);
  }
  count(): number {
    return this.ts.count(this.r);
  }
}

/**
 * A reader that locks every row it hands out (a lock conflict aborts the statement, which then
 * waits and retries). Once the statement has paused, its scans may read a view older than the
 * newest state: each row is then read again by its key once locked, and handed out as it is now.
 */
class LockingReader extends Reader {
  constructor(def: TableDef, ts: TableStore, r: KvReader, catalog: Catalog, private readonly lockKey: (key: Buffer) => void, private readonly reads: RenewableReads | undefined) {
    super(def, ts, r, catalog);
  }

  override scan(path: AccessPath | undefined, columns?: readonly boolean[]): Iterable<Row> {
    return this.locked(super.scan(path, columns), columns);
  }

  private *locked(rows: Iterable<Row>, columns: readonly boolean[] | undefined): Generator<Row> {
    for (const row of rows) {
      const key = this.ts.clusteredKey(row);
      if (!lockFound(key, this.lockKey, this.reads)) {
        yield row;
        continue;
      }
      const value = this.r.peek(key);
      if (value !== undefined) yield this.ts.decodeEntry(key, value, columns);
    }
  }
}

/**
 * Locks the row at `key`, found by a scan; true when it must be read again because the reads
 * may be older than it (the statement paused since it began, or another thread committed to it
 * after these reads began: they are renewed then, as the lock is granted all the same).
 */
function lockFound(key: Buffer, lock: (key: Buffer) => void, reads: RenewableReads | undefined): boolean {
  try {
    lock(key);
  } catch (e) {
    if (!(e instanceof LockConflict && e.stale && reads)) throw e;
    reads.renew();
  }
  // Until the statement's first pause its scans read the newest state, in this same synchronous run.
  return reads !== undefined && reads.renewals > 0;
}

/**
 * The newest committed state of one store, for a write that runs in slices: renewed after every
 * pause, so a row locked in a later slice is read as it is once locked, never from an older view.
 */
class RenewableReader implements KvReader {
  snapshot: KvSnapshot;
  constructor(private readonly store: KvStore) {
    this.snapshot = store.snapshot();
  }
  get(key: Buffer): Buffer | undefined {
    return this.snapshot.reader.get(key);
  }
  peek(key: Buffer): Buffer | undefined {
    return this.snapshot.reader.peek(key);
  }
  /** A scan started now reads this view to its end (the engine keeps it for the scan), even past a renewal. */
  range(range: KvRange): Iterable<KvEntry> {
    return this.snapshot.reader.range(range);
  }
  renew(): void {
    this.snapshot.release();
    this.snapshot = this.store.snapshot();
  }
}

/** Every store's newest state for one write statement, renewed together (see RenewableReader). */
class RenewableReads {
  readonly readers: RenewableReader[] = [];
  /** `fresh` drops this thread's cached read views (and notes when, for the worker threads' lock table). */
  constructor(private readonly fresh: () => void) {}
  add(store: KvStore): RenewableReader {
    const r = new RenewableReader(store);
    this.readers.push(r);
    return r;
  }
  /** How often the reads were renewed: 0 while the statement has not paused. */
  renewals = 0;
  renew(): void {
    this.fresh();
    for (const r of this.readers) r.renew();
    this.renewals++;
  }
  release(): void {
    for (const r of this.readers) r.snapshot.release();
  }
  /** Runs `steps`, passing its pauses up and renewing the reads after each. */
  *across<T>(steps: Generator<Pause, T>): Generator<Pause, T> {
    try {
      for (;;) {
        const step = steps.next();
        if (step.done) return step.value;
        yield PAUSE;
        this.renew();
      }
    } finally {
      steps.return(undefined as T);
    }
  }
}

/** Whether a table's changes are logged: a session's temporary tables are not (as MySQL's row-based log). */
function logged(def: TableDef, changes: ChangeRecorder | undefined): ChangeRecorder | undefined {
  return changes === undefined || def.temporary === true || isTemporaryName(def.name) ? undefined : changes;
}

class Writer extends Reader implements TableWriter {
  private readonly changes: ChangeRecorder | undefined;
  constructor(
    def: TableDef,
    ts: TableStore,
    private readonly w: KvWriter,
    private readonly storage: StorageManager,
    changes: ChangeRecorder | undefined,
    private readonly ddl?: DdlNotes,
    private readonly reads?: RenewableReads,
  ) {
    super(def, ts, w, storage.catalog);
    this.changes = logged(def, changes);
  }
  lockCurrent(row: Row): Row | undefined {
    const key = this.ts.clusteredKey(row);
    if (!this.w.lockRow || !lockFound(key, this.w.lockRow, this.reads)) return row;
    const value = this.w.peek(key);
    return value === undefined ? undefined : this.ts.decodeEntry(key, value);
  }
  insert(row: Row): void {
    this.ts.insert(this.w, row);
    this.changes?.insert(this.def, row);
  }
  update(oldRow: Row, newRow: Row): void {
    this.ts.update(this.w, oldRow, newRow);
    this.changes?.update(this.def, oldRow, newRow);
  }
  delete(row: Row): boolean {
    const deleted = this.ts.delete(this.w, row);
    if (deleted) this.changes?.delete(this.def, row);
    return deleted;
  }
  lockRow(row: Row): void {
    if (this.w.lockRow) this.w.lockRow(this.ts.clusteredKey(row));
  }
  truncate(): void {
    this.ts.truncate(this.w);
    this.ddl?.touch(this.def.schema, this.def.name);
    this.storage.catalog.setAutoIncrement(this.w, this.def.id, 1);
  }
  nextAutoIncrement(count: number): number | bigint {
    return this.storage.catalog.nextAutoIncrement(this.w, this.def.id, count);
  }
  observeAutoIncrement(value: number | bigint): void {
    this.storage.catalog.observeAutoIncrement(this.w, this.def.id, value);
  }
}

/**
 * What one schema-changing statement touched, for its change-log entry: the tables whose
 * definitions it left (resolved at commit) and the ones it removed. Temporary tables are left out.
 */
class DdlNotes {
  readonly tables: { schema: string; name: string }[] = [];
  readonly dropped: string[] = [];
  changed = false;

  touch(schema: string, name: string): void {
    if (isTemporaryName(name)) return;
    this.changed = true;
    if (!this.tables.some((t) => t.schema === schema && t.name === name)) this.tables.push({ schema, name });
  }

  drop(schema: string, name: string): void {
    if (isTemporaryName(name)) return;
    this.changed = true;
    this.tables.splice(0, this.tables.length, ...this.tables.filter((t) => t.schema !== schema || t.name !== name));
    this.dropped.push(`${schema}.${name}`);
  }

  /** A change to no table (schemas, views). */
  other(): void {
    this.changed = true;
  }
}

/** The catalog as a statement changes it, all inside the primary store's write. */
class CatalogAccess implements CatalogWriter {
  constructor(private readonly storage: StorageManager, private readonly writers: Map<KvStore, KvWriter> | undefined, private readonly ddl?: DdlNotes) {}

  private get w(): KvWriter {
    const w = this.writers?.get(this.storage.primary);
    if (!w) throw new Error('catalog change outside a write transaction');
    return w;
  }

  private writerFor(def: TableDef): KvWriter {
    const w = this.writers?.get(this.storage.storeFor(def));
    if (!w) throw new Error('table change outside a write transaction');
    return w;
  }

  listSchemas(): SchemaDef[] { return this.storage.catalog.listSchemas(); }
  getSchema(name: string): SchemaDef | undefined { return this.storage.catalog.getSchema(name); }
  listTables(schema: string): TableDef[] { return this.storage.catalog.listTables(schema); }
  getTable(schema: string, name: string): TableDef | undefined { return this.storage.catalog.getTable(schema, name); }
  listViews(schema: string): ViewDef[] { return this.storage.catalog.listViews(schema); }
  getView(schema: string, name: string): ViewDef | undefined { return this.storage.catalog.getView(schema, name); }

  createSchema(def: SchemaDef): void { this.storage.catalog.createSchema(this.w, def); this.ddl?.other(); }
  alterSchema(def: SchemaDef): void { this.storage.catalog.alterSchema(this.w, def); this.ddl?.other(); }
  dropSchema(name: string): void {
    for (const t of this.storage.catalog.listTables(name)) this.ddl?.drop(name, t.name);
    this.storage.catalog.dropSchema(this.w, name);
    this.ddl?.other();
  }

  createTable(def: Omit<TableDef, 'id'>, autoIncrementStart?: number | bigint): TableDef {
    const created = this.storage.catalog.createTable(this.w, def);
    if (!def.temporary) this.ddl?.touch(created.schema, created.name);
    if (autoIncrementStart !== undefined) this.storage.catalog.setAutoIncrement(this.writerFor(created), created.id, autoIncrementStart);
    return created;
  }

  dropTable(schema: string, name: string): void {
    const def = this.storage.catalog.getTable(schema, name);
    this.storage.catalog.dropTable(this.w, schema, name);
    if (def && !def.temporary) this.ddl?.drop(schema, name);
  }

  alterTable(def: TableDef, rebuild?: (row: Row) => Row): void {
    if (!def.temporary) this.ddl?.touch(def.schema, def.name);
    const old = this.storage.catalog.getTableById(def.id);
    if (rebuild && old) {
      const { id: _id, ...next } = def;
      void _id;
      this.storage.rebuildTable(this.w, old, next, rebuild);
    } else {
      this.storage.catalog.alterTable(this.w, def);
    }
  }

  addIndex(table: TableDef, index: IndexDef): TableDef {
    if (!table.temporary) this.ddl?.touch(table.schema, table.name);
    const next: TableDef = { ...table, indexes: [...table.indexes, index], nextIndexId: Math.max(table.nextIndexId, index.id + 1) };
    this.storage.buildIndex(this.w, this.writerFor(table), table, index);
    return this.storage.catalog.alterTable(this.w, next);
  }

  dropIndex(table: TableDef, name: string): TableDef {
    const index = table.indexes.find((i) => i.name.toLowerCase() === name.toLowerCase());
    if (!index) return table;
    if (!table.temporary) this.ddl?.touch(table.schema, table.name);
    this.storage.tableStore(table).dropIndex(this.writerFor(table), index.id);
    return this.storage.catalog.alterTable(this.w, { ...table, indexes: table.indexes.filter((i) => i !== index) });
  }

  renameTable(schema: string, name: string, toSchema: string, toName: string): void {
    this.storage.catalog.renameTable(this.w, schema, name, toSchema, toName);
    this.ddl?.drop(schema, name);
    this.ddl?.touch(toSchema, toName);
  }

  createView(def: ViewDef): void { this.storage.catalog.createView(this.w, def); this.ddl?.other(); }
  dropView(schema: string, name: string): void { this.storage.catalog.dropView(this.w, schema, name); this.ddl?.other(); }
}

/** The statement a write runs for, as the change log records it. */
export interface LoggedStatement {
  text: string;
  schema: string;
  origin?: ReplicatedOrigin;
}

/** Storage transactions for statements: every engine's store joins, so one statement may touch tables of several engines. */
export class StorageTransactions {
  private readonly stores: KvStore[];

  constructor(private readonly storage: StorageManager, private readonly changeLog?: ChangeLog) {
    // The primary (catalog) store first, so catalog changes and row changes of other engines nest inside it.
    this.stores = [storage.primary, ...storage.engineNames().map((n) => storage.store(n)).filter((s) => s !== storage.primary)];
  }

  /** Every store, the primary (catalog) one first; each with a small id for lock keys. */
  storeIds(): Map<KvStore, number> {
    return new Map(this.stores.map((s, i) => [s, i]));
  }

  allStores(): KvStore[] {
    return this.stores;
  }

  /**
   * Reads for one statement: inside a transaction, its consistent snapshot with
   * its own writes on top; otherwise the latest committed state.
   */
  read<T>(fn: (tx: ReadTx) => T, txn?: Transaction, meter?: ScanMeter): T {
    if (txn) return fn(this.readTx(new Map(this.stores.map((s) => [s, txn.reader(s)])), meter));
    return nest<KvReader, T>(this.stores, (s, f) => s.read(f), (readers) => fn(this.readTx(readers, meter)));
  }

  /** Plain (non-locking) reads of a statement through one reader per store. */
  private readTx(readers: ReadonlyMap<KvStore, KvReader>, meter: ScanMeter | undefined): ReadTx {
    return {
      catalog: new CatalogAccess(this.storage, undefined),
      table: (def) => metered(new Reader(def, this.storage.tableStore(def), readers.get(this.storage.storeFor(def)) as KvReader, this.storage.catalog), meter),
    };
  }

  /**
   * Like `read`, for a statement that pauses (see executor/pause.ts): outside a transaction it
   * reads pinned snapshots of every store, held across the pauses and released when the
   * statement ends, is abandoned or fails; inside one, the transaction's own snapshot.
   */
  *readSteps<T>(fn: (tx: ReadTx) => Generator<Pause, T>, txn?: Transaction, meter?: ScanMeter): Generator<Pause, T> {
    // Taken inside the try, one by one, so a store that fails to give one cannot leak the others'.
    const snapshots: [KvStore, KvSnapshot][] = [];
    try {
      if (!txn) for (const s of this.stores) snapshots.push([s, s.snapshot()]);
      const readers = new Map(txn ? this.stores.map((s) => [s, txn.reader(s)]) : snapshots.map(([s, snap]) => [s, snap.reader]));
      return yield* fn(this.readTx(readers, meter));
    } finally {
      for (const [, snap] of snapshots) snap.release();
    }
  }

  /**
   * Locking reads (SELECT ... FOR UPDATE / FOR SHARE, and plain reads under
   * SERIALIZABLE): the latest committed rows plus the transaction's own writes,
   * each row locked as it is read.
   */
  readLocked<T>(fn: (tx: ReadTx) => T, txn: Transaction, mode: 'S' | 'X', meter?: ScanMeter): T {
    return nest<KvReader, T>(this.stores, (s, f) => s.read(f), (latest) => fn(this.lockingTx(latest, txn, mode, meter, undefined)));
  }

  /** `readLocked` for a statement that pauses: the newest state is read anew after each pause, as in `writeSteps`. */
  *readLockedSteps<T>(fn: (tx: ReadTx) => Generator<Pause, T>, txn: Transaction, mode: 'S' | 'X', fresh: () => void, meter?: ScanMeter): Generator<Pause, T> {
    const reads = new RenewableReads(fresh);
    try {
      const latest = new Map<KvStore, KvReader>();
      for (const s of this.stores) latest.set(s, reads.add(s));
      return yield* reads.across(fn(this.lockingTx(latest, txn, mode, meter, reads)));
    } finally {
      reads.release();
    }
  }

  private lockingTx(latest: ReadonlyMap<KvStore, KvReader>, txn: Transaction, mode: 'S' | 'X', meter: ScanMeter | undefined, reads: RenewableReads | undefined): ReadTx {
    const readers = new Map([...latest].map(([s, r]) => [s, txn.currentReader(s, r)]));
    return {
      catalog: new CatalogAccess(this.storage, undefined),
      table: (def) => {
        const store = this.storage.storeFor(def);
        const lockKey = (key: Buffer) => txn.lockRow(store, key, mode);
        return metered(new LockingReader(def, this.storage.tableStore(def), readers.get(store) as KvReader, this.storage.catalog, lockKey, reads), meter);
      },
    };
  }

  /**
   * Writes for one statement: inside a transaction, buffered in its write sets over
   * the latest committed state (current reads, row locks); otherwise straight into
   * each store's write transaction (DDL and statements that need no locks).
   */
  write<T>(fn: (tx: WriteTx) => T, txn?: Transaction, meter?: ScanMeter, statement?: LoggedStatement): T {
    if (txn) {
      if (statement?.origin !== undefined && txn.changes !== undefined) txn.changes.origin = statement.origin;
      return nest<KvReader, T>(this.stores, (s, f) => s.read(f), (latest) => {
        const writers = new Map([...latest].map(([s, r]) => [s, txn.writer(s, r)]));
        return fn({
          catalog: new CatalogAccess(this.storage, writers),
          table: (def) => metered(new Writer(def, this.storage.tableStore(def), writers.get(this.storage.storeFor(def)) as KvWriter, this.storage, txn.changes), meter),
        });
      });
    }
    return this.writeOutside(fn, meter, statement);
  }

  /**
   * `write` in a transaction for a statement that pauses (UPDATE, DELETE, INSERT ... SELECT). No
   * storage write transaction is held: changes go to the transaction's write sets and commit later.
   * After each pause the reads of the newest state are renewed (`fresh` first drops this thread's
   * cached views), so other sessions' commits made during the pause are seen; a row found by a
   * scan begun before it is locked and read again by its key (TableWriter.lockCurrent).
   */
  *writeSteps<T>(fn: (tx: WriteTx) => Generator<Pause, T>, txn: Transaction, fresh: () => void, meter?: ScanMeter, statement?: LoggedStatement): Generator<Pause, T> {
    if (statement?.origin !== undefined && txn.changes !== undefined) txn.changes.origin = statement.origin;
    const reads = new RenewableReads(fresh);
    try {
      const writers = new Map<KvStore, KvWriter>();
      for (const s of this.stores) writers.set(s, txn.writer(s, reads.add(s)));
      const result = yield* reads.across(fn({
        catalog: new CatalogAccess(this.storage, writers),
        table: (def) => metered(new Writer(def, this.storage.tableStore(def), writers.get(this.storage.storeFor(def)) as KvWriter, this.storage, txn.changes, undefined, reads), meter),
      }));
      // Its log message is encoded now, in slices, rather than all at once in the commit.
      if (this.changeLog && txn.changes) yield* this.changeLog.encodeSteps(txn.changes);
      return result;
    } finally {
      reads.release();
    }
  }

  private writeOutside<T>(fn: (tx: WriteTx) => T, meter: ScanMeter | undefined, statement: LoggedStatement | undefined): T {
    // Outside a transaction (DDL): the statement's changes are logged inside the same writes, when it has a text to log.
    const log = statement !== undefined ? this.changeLog : undefined;
    const changes = log ? new ChangeRecorder() : undefined;
    if (changes) changes.origin = statement?.origin;
    const ddl = log ? new DdlNotes() : undefined;
    const result = nest<KvWriter, T>(this.stores, (s, f) => s.write(f), (writers) => {
      const primary = writers.get(this.storage.primary) as KvWriter;
      // Inside the primary store's write no other thread changes the catalog: start from what it holds.
      this.storage.catalog.syncInWrite(primary);
      const catalog = new CatalogAccess(this.storage, writers, ddl);
      const out = fn({
        catalog,
        table: (def) => metered(new Writer(def, this.storage.tableStore(def), writers.get(this.storage.storeFor(def)) as KvWriter, this.storage, changes, ddl), meter),
      });
      if (log && changes && ddl && statement) {
        if (ddl.changed) changes.ddl({ schema: statement.schema, statement: statement.text, tables: ddl.tables, dropped: ddl.dropped }, 0);
        log.append(primary, changes);
      }
      return out;
    });
    if (log && changes?.pending) log.committed();
    return result;
  }
}
