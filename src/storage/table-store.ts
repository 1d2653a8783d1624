// The row-level API of one table: clustered rows plus secondary indexes, with PRIMARY/UNIQUE enforcement.
import { sqlError } from '../base/errors.js';
import type { Row, Value } from '../base/value.js';
import type { KvEntry, KvRange, KvReader, KvWriter } from './kv.js';
import type { IndexDef, TableDef } from './table-def.js';
import { ByteWriter } from './byte-writer.js';
import { RowCodec } from './row-codec.js';
import { decodedKeyEnd, decodeKeyValue, encodeKeyValue, keyAfter, keyPartFor, keyRange, keyValueDecodable, prefixSuccessor, type KeyBound, type KeyPart } from './key-codec.js';
import { INDEX_PREFIX_BYTES, MAX_INDEX_ID, MAX_KEY_BYTES, indexBounds, indexPrefix, rowSpaceBounds } from './key-layout.js';
import { duplicateEntry } from './dup-entry.js';

/**
 * Rows of tables without a primary key carry their hidden row id under this
 * symbol (set by get/scan/insert). update/delete need it to find the row, so
 * pass such rows as they came back from the store.
 */
export const ROW_ID: unique symbol = Symbol('mizzle.rowId');

/** A row as the store returns it. */
export type StoredRow = Row & { [ROW_ID]?: number };

/** Which rows a scan visits. */
export interface ScanOptions {
  /** 0 = the primary (clustered) index; otherwise an IndexDef.id. */
  index: number;
  /** Lower bound over the index's leading columns (see keyRange for semantics). */
  lower?: KeyBound;
  upper?: KeyBound;
  reverse?: boolean;
  /** Counts the rows the scan reads (rows examined) and lets the caller stop a long scan. */
  meter?: ScanMeter;
  /** Decode only the columns marked true (see RowCodec.decode); all when absent. */
  columns?: readonly boolean[];
}

/**
 * A per-statement count of rows read. Every METER_TICK_ROWS rows the scan calls
 * `tick`, which may throw to interrupt the statement (deadline, KILL QUERY).
 */
export interface ScanMeter {
  rows: number;
  tick(): void;
}

/** How often a scan calls ScanMeter.tick: often enough to stop within milliseconds, rarely enough to cost nothing. */
export const METER_TICK_ROWS = 1024;

/** Where hidden row ids come from (the catalog's counters). */
export interface RowIdSource {
  nextRowId(w: KvWriter, tableId: number): number;
}

/** A secondary index, compiled for encoding. */
export interface IndexInfo {
  def: IndexDef;
  prefix: Buffer;
  parts: KeyPart[];
  cols: number[];
  /** Per table column: whether an entry of this index carries its value (a primary key column or a leading index column, decodable). */
  carries: boolean[];
}

/**
 * Per table column, whether an entry of secondary index `ix` carries its value so a row can be
 * built from the entry alone: the primary key (the entry's value) and the leading index columns
 * whose keys decode (decoding a value means decoding those before it). All false when the
 * primary key does not decode or the table has none (rows are built with their whole key).
 */
export function entryColumns(def: TableDef, ix: IndexDef): boolean[] {
  const carries = def.columns.map(() => false);
  const pk = def.primaryKey;
  if (pk === undefined || pk.columns.some((c, i) => !keyValueDecodable(keyPartFor(def.columns[c], def.collation, pk.prefixLengths?.[i])))) return carries;
  for (const c of pk.columns) carries[c] = true;
  for (let i = 0; i < ix.columns.length; i++) {
    if (!keyValueDecodable(keyPartFor(def.columns[ix.columns[i]], def.collation, ix.prefixLengths?.[i]))) break;
    carries[ix.columns[i]] = true;
  }
  return carries;
}

/**
 * Whether a read of only `columns` (see ScanOptions) through an index whose entries carry
 * `carries` needs no clustered row: a covering index, EXPLAIN's "Using index".
 */
export function indexCovers(carries: readonly boolean[], columns: readonly boolean[] | undefined): boolean {
  if (columns === undefined || !carries.some((c) => c)) return false;
  for (let c = 0; c < carries.length; c++) if (columns[c] === true && !carries[c]) return false;
  return true;
}

const BUILD_BATCH = 512;
const TWO32 = 4294967296;

function hasNull(cols: readonly number[], row: readonly Value[]): boolean {
  for (let i = 0; i < cols.length; i++) if (row[cols[i]] === null) return true;
  return false;
}

function tooLong(): Error {
  return sqlError('TOO_LONG_KEY', `Specified key was too long; max key length is ${MAX_KEY_BYTES} bytes`);
}

/**
 * One table's rows in a KvStore. Rows passed in must already be coerced to the
 * column types. Every check that can fail (uniqueness, key length, value/type
 * fit) runs before the first write of a call, so a caller that catches a 1062
 * (INSERT IGNORE) can go on with its transaction intact.
 */
export class TableStore {
  readonly def: TableDef;
  readonly codec: RowCodec;
  private readonly pkPrefix: Buffer;
  private readonly pkEnd: Buffer;
  /** Primary key column positions, or undefined for a hidden row id. */
  private readonly pkCols: number[] | undefined;
  private readonly pkParts: KeyPart[];
  private readonly indexes: IndexInfo[];
  private readonly uniqueIndexes: IndexInfo[];
  private readonly w = new ByteWriter(256);
  /** Length of the index-values part of the last key built by secondaryKey. */
  private lastValueEnd = 0;

  constructor(def: TableDef, private readonly rowIds: RowIdSource) {
    this.def = def;
    this.codec = new RowCodec(def.columns);
    this.pkPrefix = indexPrefix(def.id, 0);
    this.pkEnd = indexPrefix(def.id, 1);
    const pk = def.primaryKey;
    this.pkCols = pk?.columns.slice();
    this.pkParts = pk ? this.partsOf(pk) : [];
    this.indexes = def.indexes.map((ix) => this.compile(ix));
    this.uniqueIndexes = this.indexes.filter((ix) => ix.def.unique);
  }

  private partsOf(ix: IndexDef): KeyPart[] {
    return ix.columns.map((c, i) => keyPartFor(this.def.columns[c], this.def.collation, ix.prefixLengths?.[i]));
  }

  private compile(ix: IndexDef): IndexInfo {
    if (ix.id < 1 || ix.id > MAX_INDEX_ID) throw new RangeError(`storage: index id ${ix.id} out of range`);
    return { def: ix, prefix: indexPrefix(this.def.id, ix.id), parts: this.partsOf(ix), cols: ix.columns.slice(), carries: entryColumns(this.def, ix) };
  }

  /** Whether reading only `columns` through secondary index `indexId` needs no clustered row (see indexCovers). */
  covers(indexId: number, columns: readonly boolean[] | undefined): boolean {
    return indexId !== 0 && indexCovers(this.indexById(indexId).carries, columns);
  }

  // ------------------------------------------------------------------ keys

  /** The clustered key of a row with a primary key (fresh buffer). */
  private pkKey(row: readonly Value[]): Buffer {
    const w = this.w.reset();
    w.bytes(this.pkPrefix);
    const cols = this.pkCols!;
    for (let i = 0; i < cols.length; i++) encodeKeyValue(w, this.pkParts[i], row[cols[i]]);
    if (w.pos > MAX_KEY_BYTES) throw tooLong();
    return w.finish();
  }

  private rowIdKey(id: number): Buffer {
    const k = Buffer.allocUnsafe(INDEX_PREFIX_BYTES + 8);
    this.pkPrefix.copy(k, 0);
    k.writeUInt32BE(Math.floor(id / TWO32), INDEX_PREFIX_BYTES);
    k.writeUInt32BE(id % TWO32, INDEX_PREFIX_BYTES + 4);
    return k;
  }

  /** The clustered key of a row: from its primary key values, or its hidden row id (what row locks are taken on). */
  clusteredKey(row: StoredRow): Buffer {
    if (this.pkCols !== undefined) return this.pkKey(row);
    const id = row[ROW_ID];
    if (id === undefined) throw new Error(`storage: a row of ${this.def.name} (no primary key) lacks its row id; pass rows as get/scan returned them`);
    return this.rowIdKey(id);
  }

  /** Index values of `row` then the primary key suffix; sets lastValueEnd. */
  private secondaryKey(ix: IndexInfo, row: readonly Value[], pkSuffix: Buffer): Buffer {
    const w = this.w.reset();
    w.bytes(ix.prefix);
    for (let i = 0; i < ix.cols.length; i++) encodeKeyValue(w, ix.parts[i], row[ix.cols[i]]);
    this.lastValueEnd = w.pos;
    w.bytes(pkSuffix);
    if (w.pos > MAX_KEY_BYTES) throw tooLong();
    return w.finish();
  }

  /** The primary key suffix of an index entry that conflicts with `row` on unique index `ix`, if any. */
  private uniqueConflict(r: KvReader, ix: IndexInfo, row: readonly Value[], ownSuffix?: Buffer): Buffer | undefined {
    if (hasNull(ix.cols, row)) return undefined;
    const w = this.w.reset();
    w.bytes(ix.prefix);
    for (let i = 0; i < ix.cols.length; i++) encodeKeyValue(w, ix.parts[i], row[ix.cols[i]]);
    const start = w.finish();
    // In a locking transaction the unique value is locked first, so two transactions cannot both claim it.
    const locker = r as Partial<KvWriter>;
    if (typeof locker.lock === 'function') locker.lock(start);
    for (const e of r.range({ start, end: prefixSuccessor(start) })) {
      if (ownSuffix !== undefined && e.value.equals(ownSuffix)) continue;
      return Buffer.from(e.value);
    }
    return undefined;
  }

  private dupPrimary(row: readonly Value[]): Error {
    const pk = this.def.primaryKey!;
    return duplicateEntry(this.def.name, pk.name, pk.columns.map((c) => row[c]), pk.prefixLengths);
  }

  private dupIndex(ix: IndexInfo, row: readonly Value[]): Error {
    return duplicateEntry(this.def.name, ix.def.name, ix.cols.map((c) => row[c]), ix.def.prefixLengths);
  }

  private indexById(id: number): IndexInfo {
    for (const ix of this.indexes) if (ix.def.id === id) return ix;
    throw new Error(`storage: table ${this.def.name} has no index with id ${id}`);
  }

  /** Decodes a clustered entry, attaching the hidden row id when the table has no primary key. */
  decodeEntry(key: Buffer, value: Buffer, columns?: readonly boolean[]): StoredRow {
    const row: StoredRow = this.codec.decode(value, columns);
    if (this.pkCols === undefined) row[ROW_ID] = key.readUInt32BE(INDEX_PREFIX_BYTES) * TWO32 + key.readUInt32BE(INDEX_PREFIX_BYTES + 4);
    return row;
  }

  // ------------------------------------------------------------------ reads

  get hasPrimaryKey(): boolean {
    return this.pkCols !== undefined;
  }

  /** The row with these primary key values (in primary key column order), if any; `columns` as in ScanOptions. */
  get(r: KvReader, pkValues: readonly Value[], columns?: readonly boolean[]): StoredRow | undefined {
    const cols = this.pkCols;
    if (cols === undefined) throw new Error(`storage: ${this.def.name} has no primary key; use getByRowId`);
    if (pkValues.length !== cols.length) throw new RangeError('storage: wrong number of primary key values');
    const w = this.w.reset();
    w.bytes(this.pkPrefix);
    for (let i = 0; i < cols.length; i++) encodeKeyValue(w, this.pkParts[i], pkValues[i]);
    const v = r.peek(w.view());
    return v === undefined ? undefined : this.codec.decode(v, columns);
  }

  /** The row with this hidden row id (tables without a primary key). */
  getByRowId(r: KvReader, rowId: number): StoredRow | undefined {
    const k = this.rowIdKey(rowId);
    const v = r.peek(k);
    return v === undefined ? undefined : this.decodeEntry(k, v);
  }

  /**
   * Rows in index order within the bounds, lazily (stop iterating to stop
   * reading). A secondary-index scan fetches each row by its primary key.
   */
  scan(r: KvReader, opts: ScanOptions): IterableIterator<StoredRow> {
    const reverse = opts.reverse === true;
    if (opts.index === 0) {
      let range: KvRange;
      if (this.pkCols === undefined) {
        if (opts.lower !== undefined || opts.upper !== undefined) throw new Error(`storage: ${this.def.name} has no primary key to bound`);
        range = { start: this.pkPrefix, end: this.pkEnd, reverse };
      } else {
        range = keyRange(this.pkPrefix, this.pkParts, opts.lower, opts.upper, reverse);
      }
      return new PrimaryScan(this, r.range(range)[Symbol.iterator](), opts.meter, opts.columns);
    }
    const ix = this.indexById(opts.index);
    const range = keyRange(ix.prefix, ix.parts, opts.lower, opts.upper, reverse);
    if (this.covers(opts.index, opts.columns)) return new CoveringScan(this.codec.columnCount, ix, this.pkCols as number[], this.pkParts, r.range(range)[Symbol.iterator](), opts.meter, opts.columns as readonly boolean[]);
    return new SecondaryScan(this, r, this.pkPrefix, r.range(range)[Symbol.iterator](), opts.meter, opts.columns);
  }

  /** Number of rows (walks the clustered index), stopping at `limit` when given (for cheap estimates). */
  count(r: KvReader, limit = Infinity): number {
    let n = 0;
    for (const _ of r.range({ start: this.pkPrefix, end: this.pkEnd })) if (++n >= limit) break;
    return n;
  }

  /**
   * The existing rows `row` would collide with on the primary key or a unique
   * index, each once, primary first then indexes in order (for REPLACE and
   * INSERT ... ON DUPLICATE KEY UPDATE).
   */
  findConflicts(r: KvReader, row: readonly Value[]): StoredRow[] {
    const out: StoredRow[] = [];
    const seen = new Set<string>();
    if (this.pkCols !== undefined) {
      const k = this.pkKey(row);
      const v = r.peek(k);
      if (v !== undefined) {
        out.push(this.codec.decode(v));
        seen.add(k.toString('latin1', INDEX_PREFIX_BYTES));
      }
    }
    for (const ix of this.uniqueIndexes) {
      const suffix = this.uniqueConflict(r, ix, row);
      if (suffix === undefined) continue;
      const id = suffix.toString('latin1');
      if (seen.has(id)) continue;
      seen.add(id);
      const k = Buffer.concat([this.pkPrefix, suffix]);
      const v = r.peek(k);
      if (v === undefined) throw new Error(`storage: index ${ix.def.name} of ${this.def.name} points at a missing row`);
      out.push(this.decodeEntry(k, v));
    }
    return out;
  }

  // ------------------------------------------------------------------ writes

  /** Inserts a row; 1062 on a PRIMARY or UNIQUE collision. Tables without a primary key get a row id (set on `row`). */
  insert(w: KvWriter, row: StoredRow): void {
    const bytes = this.codec.encode(row);
    let key: Buffer;
    if (this.pkCols !== undefined) {
      key = this.pkKey(row);
      if (w.peek(key) !== undefined) throw this.dupPrimary(row);
    }
    for (const ix of this.uniqueIndexes) if (this.uniqueConflict(w, ix, row) !== undefined) throw this.dupIndex(ix, row);
    const entries: Buffer[] = [];
    if (this.pkCols === undefined) {
      const id = this.rowIds.nextRowId(w, this.def.id);
      key = this.rowIdKey(id);
      row[ROW_ID] = id;
    }
    const suffix = key!.subarray(INDEX_PREFIX_BYTES);
    for (const ix of this.indexes) entries.push(this.secondaryKey(ix, row, suffix));
    w.put(key!, bytes);
    for (const e of entries) w.put(e, suffix);
  }

  /**
   * Replaces `oldRow` (identified by its primary key or row id) with `newRow`,
   * maintaining every index; the primary key may change. 1062 on a collision
   * with another row. The stored row, not `oldRow`'s other values, decides
   * which index entries go.
   */
  update(w: KvWriter, oldRow: StoredRow, newRow: StoredRow): void {
    const oldKey = this.clusteredKey(oldRow);
    const storedBytes = w.peek(oldKey);
    if (storedBytes === undefined) throw new Error(`storage: the row to update in ${this.def.name} does not exist`);
    // Decoded before the next read, which may reuse the peeked buffer.
    const stored = this.indexes.length > 0 ? this.codec.decode(storedBytes) : undefined;
    const newKey = this.pkCols !== undefined ? this.pkKey(newRow) : oldKey;
    const pkChanged = !newKey.equals(oldKey);
    if (pkChanged && w.peek(newKey) !== undefined) throw this.dupPrimary(newRow);
    const bytes = this.codec.encode(newRow);
    const oldSuffix = oldKey.subarray(INDEX_PREFIX_BYTES);
    const newSuffix = newKey.subarray(INDEX_PREFIX_BYTES);
    const changes: Buffer[] = [];
    if (stored !== undefined) {
      for (const ix of this.indexes) {
        const before = this.secondaryKey(ix, stored, oldSuffix);
        const beforeEnd = this.lastValueEnd;
        const after = this.secondaryKey(ix, newRow, newSuffix);
        if (before.equals(after)) continue;
        const valuesChanged = beforeEnd !== this.lastValueEnd || before.compare(after, 0, beforeEnd, 0, beforeEnd) !== 0;
        if (ix.def.unique && valuesChanged && this.uniqueConflict(w, ix, newRow, oldSuffix) !== undefined) throw this.dupIndex(ix, newRow);
        changes.push(before, after);
      }
    }
    if (pkChanged) w.del(oldKey);
    w.put(newKey, bytes);
    for (let i = 0; i < changes.length; i += 2) {
      w.del(changes[i]);
      w.put(changes[i + 1], newSuffix);
    }
    if (this.pkCols === undefined) newRow[ROW_ID] = oldRow[ROW_ID];
  }

  /** Deletes a row (identified by its primary key or row id) and its index entries; false if it was not there. */
  delete(w: KvWriter, row: StoredRow): boolean {
    const key = this.clusteredKey(row);
    const storedBytes = w.peek(key);
    if (storedBytes === undefined) return false;
    if (this.indexes.length > 0) {
      const stored = this.codec.decode(storedBytes);
      const suffix = key.subarray(INDEX_PREFIX_BYTES);
      for (const ix of this.indexes) w.del(this.secondaryKey(ix, stored, suffix));
    }
    w.del(key);
    return true;
  }

  /** Deletes every row and index entry (counters stay; reset auto-increment through the catalog for TRUNCATE TABLE). */
  truncate(w: KvWriter): void {
    const b = rowSpaceBounds(this.def.id);
    w.delRange(b.start, b.end);
  }

  /**
   * Builds entries of a new secondary index from the existing rows; 1062 if a
   * unique index meets a duplicate (then the caller's write aborts and nothing
   * stays). Afterwards record the index in the catalog and use a new TableStore.
   */
  addIndex(w: KvWriter, def: IndexDef): void {
    const ix = this.newIndex(def);
    for (let at: Buffer | undefined = this.pkPrefix; at !== undefined;) at = this.buildIndexBatch(w, ix, at);
  }

  /** A new secondary index compiled for building (see buildIndexBatch); its id must be unused. */
  newIndex(def: IndexDef): IndexInfo {
    if (this.indexes.some((ix) => ix.def.id === def.id)) throw new Error(`storage: index id ${def.id} already in use`);
    return this.compile(def);
  }

  /**
   * Writes the index entries of one batch of rows from the stored key `start` on (the first is
   * `firstKey`); 1062 if a unique index meets a duplicate. Returns where the next batch starts,
   * undefined after the last row.
   */
  buildIndexBatch(w: KvWriter, ix: IndexInfo, start: Buffer): Buffer | undefined {
    // Read a batch, then write: no engine has to iterate over keys being written.
    const batch: KvEntry[] = [];
    for (const e of w.range({ start, end: this.pkEnd })) {
      batch.push({ key: Buffer.from(e.key), value: Buffer.from(e.value) });
      if (batch.length === BUILD_BATCH) break;
    }
    for (const e of batch) {
      const row = this.codec.decode(e.value);
      if (ix.def.unique && this.uniqueConflict(w, ix, row) !== undefined) throw this.dupIndex(ix, row);
      const suffix = Buffer.from(e.key.subarray(INDEX_PREFIX_BYTES));
      w.put(this.secondaryKey(ix, row, suffix), suffix);
    }
    return batch.length < BUILD_BATCH ? undefined : keyAfter(batch[batch.length - 1].key);
  }

  /**
   * Calls `fn` with the rows in primary key order, `batchSize` at a time, reading
   * each batch completely before `fn` runs, so `fn` may write to the same store
   * (ALTER TABLE copies, bulk rewrites).
   */
  forEachBatch(r: KvReader, fn: (rows: StoredRow[]) => void, batchSize = BUILD_BATCH): void {
    for (let from: Buffer | undefined = this.pkPrefix; from !== undefined;) {
      const batch = this.batchFrom(r, from, batchSize);
      if (batch.rows.length > 0) fn(batch.rows);
      from = batch.next;
    }
  }

  /**
   * Up to `batchSize` rows in primary key order from the stored key `from` on (the first
   * batch's is `firstKey`), and where the next batch starts: undefined after the last row.
   */
  batchFrom(r: KvReader, from: Buffer, batchSize = BUILD_BATCH): { rows: StoredRow[]; next: Buffer | undefined } {
    const rows: StoredRow[] = [];
    for (const e of r.range({ start: from, end: this.pkEnd })) {
      rows.push(this.decodeEntry(e.key, e.value));
      if (rows.length === batchSize) return { rows, next: keyAfter(e.key) };
    }
    return { rows, next: undefined };
  }

  /** Where a scan of every row in primary key order starts (see batchFrom). */
  get firstKey(): Buffer {
    return this.pkPrefix;
  }

  /** Deletes all entries of a secondary index. Afterwards update the catalog and use a new TableStore. */
  dropIndex(w: KvWriter, id: number): void {
    if (id < 1 || id > MAX_INDEX_ID) throw new RangeError(`storage: index id ${id} out of range`);
    const b = indexBounds(this.def.id, id);
    w.delRange(b.start, b.end);
  }
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** Counts a row read; every METER_TICK_ROWS the meter may stop the statement. */
function meterRow(meter: ScanMeter): void {
  if (++meter.rows % METER_TICK_ROWS === 0) meter.tick();
}

/** Rows built from index entries as they are read: the iterator protocol, the meter, and stopping early. */
abstract class EntryScan implements IterableIterator<StoredRow> {
  constructor(
    private readonly it: Iterator<KvEntry>,
    private readonly meter: ScanMeter | undefined,
  ) {}

  /** The row one entry stands for (its buffers are valid only now). */
  protected abstract rowOf(entry: KvEntry): StoredRow;

  [Symbol.iterator](): IterableIterator<StoredRow> {
    return this;
  }

  next(): IteratorResult<StoredRow> {
    const step = this.it.next();
    if (step.done) return DONE;
    if (this.meter !== undefined) meterRow(this.meter);
    return { done: false, value: this.rowOf(step.value) };
  }

  return(): IteratorResult<StoredRow> {
    this.it.return?.();
    return DONE;
  }
}

/** Decodes clustered entries as they are read. */
class PrimaryScan extends EntryScan {
  constructor(
    private readonly table: TableStore,
    it: Iterator<KvEntry>,
    meter: ScanMeter | undefined,
    private readonly columns: readonly boolean[] | undefined,
  ) {
    super(it, meter);
  }

  protected rowOf(entry: KvEntry): StoredRow {
    return this.table.decodeEntry(entry.key, entry.value, this.columns);
  }
}

/** Walks index entries and fetches each row by the primary key stored in the entry. */
class SecondaryScan extends EntryScan {
  private readonly key = new ByteWriter(64);

  constructor(
    private readonly table: TableStore,
    private readonly r: KvReader,
    private readonly pkPrefix: Buffer,
    it: Iterator<KvEntry>,
    meter: ScanMeter | undefined,
    private readonly columns: readonly boolean[] | undefined,
  ) {
    super(it, meter);
  }

  protected rowOf(entry: KvEntry): StoredRow {
    const k = this.key.reset();
    k.bytes(this.pkPrefix);
    k.bytes(entry.value);
    const pk = k.view();
    const v = this.r.peek(pk);
    if (v === undefined) throw new Error(`storage: an index of ${this.table.def.name} points at a missing row`);
    return this.table.decodeEntry(pk, v, this.columns);
  }
}

/**
 * Walks index entries and builds each row from the entry alone (a covering index): the index
 * values from the key, the primary key from the value; columns not asked for read as NULL.
 */
class CoveringScan extends EntryScan {
  /** How many leading index values each entry's key is decoded for. */
  private readonly indexValuesRead: number;

  constructor(
    private readonly width: number,
    private readonly ix: IndexInfo,
    private readonly pkCols: readonly number[],
    private readonly pkParts: readonly KeyPart[],
    it: Iterator<KvEntry>,
    meter: ScanMeter | undefined,
    private readonly columns: readonly boolean[],
  ) {
    super(it, meter);
    // Index values are decoded up to the last one asked for that the primary key does not give.
    const pk = new Set(pkCols);
    let read = 0;
    for (let i = 0; i < ix.cols.length; i++) if (columns[ix.cols[i]] === true && !pk.has(ix.cols[i])) read = i + 1;
    this.indexValuesRead = read;
  }

  protected rowOf(entry: KvEntry): StoredRow {
    const row: StoredRow = new Array<Value>(this.width).fill(null);
    const columns = this.columns;
    const { key, value } = entry;
    const ix = this.ix;
    let p = INDEX_PREFIX_BYTES;
    for (let i = 0; i < this.indexValuesRead; i++) {
      const v = decodeKeyValue(key, p, ix.parts[i]);
      p = decodedKeyEnd();
      if (columns[ix.cols[i]] === true) row[ix.cols[i]] = v;
    }
    p = 0;
    for (let i = 0; i < this.pkCols.length; i++) {
      row[this.pkCols[i]] = decodeKeyValue(value, p, this.pkParts[i]);
      p = decodedKeyEnd();
    }
    return row;
  }
}
