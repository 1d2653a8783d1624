// The catalog's description of schemas, tables, columns and indexes, as stored in the datadir.
import type { SqlType } from '../base/sql-type.js';

/**
 * A column default as stored: a constant (encoded, see value-json), CURRENT_TIMESTAMP[(fsp)], or an
 * expression default (`DEFAULT (expr)`, in MySQL's printed form) computed for each row written.
 */
export type ColumnDefault =
  | { kind: 'value'; value: JsonValue }
  | { kind: 'now'; fsp?: number }
  | { kind: 'expr'; expr: string };

/**
 * A Value in JSON-safe form for the catalog: null, number, string as is;
 * bigint as {i:"123"}; Decimal as {d:"1.50"}; Buffer as {b:"base64"}.
 */
export type JsonValue = null | number | string | { i: string } | { d: string } | { b: string };

export interface ColumnDef {
  name: string;
  type: SqlType;
  nullable: boolean;
  /** Undefined: no DEFAULT clause (NULL for nullable columns, none for NOT NULL ones). */
  default?: ColumnDefault;
  autoIncrement?: boolean;
  onUpdateNow?: boolean;
  comment?: string;
  /**
   * A generated column: its expression in MySQL's printed form (over the table's columns) and whether
   * it is STORED. VIRTUAL ones are computed and kept in the row too; only what SQL shows differs.
   */
  generated?: { expr: string; stored: boolean };
}

export interface IndexDef {
  /** 'PRIMARY' for the primary key. */
  name: string;
  unique: boolean;
  /** Positions in TableDef.columns. */
  columns: number[];
  /** Prefix lengths (characters/bytes) per column, when given as col(10). */
  prefixLengths?: (number | undefined)[];
  /** Stable number of the index inside the table's key space; the primary key is 0. */
  id: number;
  /** Made by a FOREIGN KEY that had no index (InnoDB drops it once another index starts with its columns). */
  forForeignKey?: true;
}

/** What a foreign key does to child rows when their parent row is deleted or its key changes (SET DEFAULT is refused, as InnoDB does). */
export type ReferentialAction = 'RESTRICT' | 'CASCADE' | 'SET NULL' | 'NO ACTION';

/** A FOREIGN KEY of the table it is stored on (the child); columns by name, so column moves cannot break it. */
export interface ForeignKeyDef {
  name: string;
  columns: string[];
  refSchema: string;
  refTable: string;
  refColumns: string[];
  onDelete: ReferentialAction;
  onUpdate: ReferentialAction;
}

/** A CHECK constraint: its expression as written (parsed again when a statement needs it). */
export interface CheckDef {
  name: string;
  expr: string;
  enforced: boolean;
}

export interface TableDef {
  /** Stable numeric id, allocated by the catalog; the table's keys are prefixed with it. */
  id: number;
  schema: string;
  name: string;
  /** Name of the storage engine plugin holding the rows. */
  engine: string;
  columns: ColumnDef[];
  /**
   * The primary key (id 0). Tables declared without one get a hidden 8-byte row id
   * as their clustered key (like InnoDB's DB_ROW_ID): then `primaryKey` is undefined.
   */
  primaryKey?: IndexDef;
  /** Secondary indexes, ids from 1. */
  indexes: IndexDef[];
  charset: string;
  collation: string;
  comment?: string;
  /** Next index id to hand out, so dropped ids are never reused. */
  nextIndexId: number;
  /** When CREATE TABLE ran, 'YYYY-MM-DD hh:mm:ss' in the server's time (information_schema.TABLES.CREATE_TIME); absent for older catalogs. */
  created?: string;
  /** CREATE TEMPORARY TABLE: owned by one session, dropped when it ends (see kernel/temporary-tables). */
  temporary?: boolean;
  /** FOREIGN KEY constraints, in creation order (absent: none). */
  foreignKeys?: ForeignKeyDef[];
  /** CHECK constraints, in creation order (absent: none). */
  checks?: CheckDef[];
  /** FULLTEXT keys, in creation order (absent: none): what MATCH ... AGAINST may search; they hold no index data. */
  fulltext?: FulltextDef[];
}

/** A FULLTEXT key: its name and its columns by name (so column moves need no remapping). */
export interface FulltextDef {
  name: string;
  columns: string[];
}

export interface SchemaDef {
  name: string;
  charset: string;
  collation: string;
}

export interface ViewDef {
  schema: string;
  name: string;
  columns?: string[];
  /** The view's SELECT as written; parsed and expanded at plan time. */
  query: string;
  /**
   * The creating session's character_set_client and collation_connection, which SHOW CREATE VIEW
   * and information_schema.VIEWS report and dumps restore (absent in views made before they were
   * kept: utf8mb4 and the server default).
   */
  characterSetClient?: string;
  collationConnection?: string;
}
