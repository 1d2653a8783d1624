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
  /** Primary key / unique key / part of key / auto increment flags. */
  primaryKey?: boolean;
  uniqueKey?: boolean;
  multipleKey?: boolean;
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
  | { kind: 'rows'; columns: ResultColumn[]; rows: Row[] };

/** A table named by schema and table, as filters and logs see a statement's tables. */
export interface TableName {
  schema: string;
  table: string;
}
