// What a statement answers: result columns with their wire metadata, and the OK or rows result.
import type { SqlType } from './sql-type.js';
import type { Row } from './value.js';

/** Column metadata of a result set, with everything the wire protocols need. */
export interface ResultColumn {
  name: string;
  orgName: string;
  table: string;
  orgTable: string;
  schema: string;
  type: SqlType;
  /** Whether the column may hold NULL. */
  nullable: boolean;
  /** Primary key / unique key (alone) / first of a non-unique key / in any key / auto increment flags. */
  primaryKey?: boolean;
  uniqueKey?: boolean;
  multipleKey?: boolean;
  partKey?: boolean;
  autoIncrement?: boolean;
}

/** The result of one statement. */
export type StatementResult =
  | {
      kind: 'ok';
      affectedRows: number;
      insertId: number | bigint;
      /** Text MySQL puts in the OK packet's info, e.g. "Records: 3  Duplicates: 0  Warnings: 0". */
      info?: string;
    }
  | { kind: 'rows'; columns: ResultColumn[]; rows: Row[] }
  /** Rows already handed to the caller's RowSink while the query ran; only the end of the result is left to send. */
  | { kind: 'streamed'; columns: ResultColumn[]; rowCount: number };

/**
 * Where a query's rows go while it runs, for a caller that can take them in batches (a wire
 * protocol writing to its socket): the statement then holds one batch at a time, never its
 * whole result, and waits while the client is behind instead of buffering for it.
 */
export interface RowSink {
  /** The result's columns, before any row. */
  begin(columns: readonly ResultColumn[]): void;
  /** A batch of rows, encoded during the call (the caller reuses the array afterwards). */
  rows(batch: readonly Row[]): void;
  /** While the client has not taken what was sent: a promise that settles when it has (or is gone); otherwise null. */
  backlog(): Promise<void> | null;
}

/** A table named by schema and table, as filters and logs see a statement's tables. */
export interface TableName {
  schema: string;
  table: string;
}
