// One transaction's logical changes as its statements make them, undone with the statements that fail.
import type { Row } from '../../base/value.js';
import type { TableDef } from '../table-def.js';
import type { ReplicatedOrigin } from './applied-position.js';

/** A row change as recorded: the table's definition at the time names and types its values. */
export interface RecordedRow {
  kind: 'insert' | 'update' | 'delete';
  def: TableDef;
  before: Row | undefined;
  after: Row | undefined;
}

/** A schema change: the statement's text, the tables it left (resolved at commit) and those it removed. */
export interface RecordedDdl {
  kind: 'ddl';
  schema: string;
  statement: string;
  tables: { schema: string; name: string }[];
  dropped: string[];
}

export type RecordedChange = RecordedRow | RecordedDdl;

/** Most changes one transaction may record; the write set's own key bound stops a statement first in practice. */
export const RECORDED_CHANGES_MAX = 2_000_000;

/**
 * The changes of one transaction, in order. Rows are copied when recorded (callers may reuse
 * their arrays) and converted to messages at commit (or just before, see `encoded`), so a rolled-back statement costs a copy.
 */
export class ChangeRecorder {
  readonly changes: RecordedChange[] = [];
  /** Set when a replica's applier records a source transaction: logged with its origin, and the applied position moves with it. */
  origin: ReplicatedOrigin | undefined;
  /**
   * A replica's group commit applies several source transactions in one write: where each ends
   * in `changes`, so each is logged as a message of its own with its origin (see markEnd).
   */
  readonly ends: { end: number; origin: ReplicatedOrigin }[] = [];
  /**
   * Encodings of the first changes, made ahead of a big commit in slices (kernel/change-log.ts,
   * encodeSteps) so the commit itself does not hold the thread to encode them all.
   */
  readonly encoded: Uint8Array[] = [];

  get size(): number {
    return this.changes.length;
  }

  insert(def: TableDef, row: Row): void {
    this.push({ kind: 'insert', def, before: undefined, after: row.slice() });
  }

  update(def: TableDef, before: Row, after: Row): void {
    this.push({ kind: 'update', def, before: before.slice(), after: after.slice() });
  }

  delete(def: TableDef, row: Row): void {
    this.push({ kind: 'delete', def, before: row.slice(), after: undefined });
  }

  /** A schema change goes before the rows its own statement wrote (CREATE TABLE ... SELECT). */
  ddl(change: Omit<RecordedDdl, 'kind'>, at: number): void {
    if (this.changes.length >= RECORDED_CHANGES_MAX) throw new RangeError(`transaction too large: more than ${RECORDED_CHANGES_MAX} changes`);
    this.changes.splice(at, 0, { kind: 'ddl', ...change });
    if (this.encoded.length > at) this.encoded.length = at;
  }

  /** A mark to roll back to (a statement's start, a savepoint). */
  mark(): number {
    return this.changes.length;
  }

  rollbackTo(mark: number): void {
    if (this.changes.length > mark) this.changes.length = mark;
    if (this.encoded.length > mark) this.encoded.length = mark;
    while (this.ends.length > 0 && this.ends[this.ends.length - 1].end > mark) this.ends.pop();
  }

  clear(): void {
    this.changes.length = 0;
    this.encoded.length = 0;
    this.origin = undefined;
    this.ends.length = 0;
  }

  /** The changes recorded since the last end belong to the source transaction `origin`, which becomes the applied position. */
  markEnd(origin: ReplicatedOrigin): void {
    this.ends.push({ end: this.changes.length, origin });
    this.origin = origin;
  }

  /** Whether the commit must write to the log's store: changes to log, or a replica's position to move. */
  get pending(): boolean {
    return this.changes.length > 0 || this.origin !== undefined;
  }

  private push(change: RecordedChange): void {
    if (this.changes.length >= RECORDED_CHANGES_MAX) throw new RangeError(`transaction too large: more than ${RECORDED_CHANGES_MAX} changes`);
    this.changes.push(change);
  }
}
