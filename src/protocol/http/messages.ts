// The HTTP protocol's JSON messages, both directions: requests, results, errors and NDJSON stream lines.
import type { ColumnTypeName } from '../mysql/column-type-name.js';

export type { ColumnTypeName };

/** Paths the server answers. */
export const QUERY_PATH = '/v1/query';
export const BATCH_PATH = '/v1/batch';

/** The media type of a streamed result: one JSON object per line. */
export const NDJSON_TYPE = 'application/x-ndjson';

/**
 * A parameter as JSON carries it: null, a boolean (sent as 1 or 0), a number, a
 * string (also for BIGINT and DECIMAL values that a double would round), or bytes as
 * `{"base64": "..."}`.
 */
export type JsonParam = null | boolean | number | string | { base64: string };

/** A cell of a result row: BIGINT and DECIMAL as strings, DATETIME/TIMESTAMP in ISO form, bytes as base64 text. */
export type JsonCell = null | number | string;

/** POST /v1/query. */
export interface QueryRequestJson {
  sql: string;
  params?: JsonParam[];
  /** The default database for a request outside a session. */
  database?: string | null;
  /** The token of an open interactive transaction or kept session. */
  session?: string;
  /**
   * true: keep the session after this request even with no transaction open (user
   * variables, SET, temporary tables, USE last); false: end it after this request.
   * Unset: the session lasts as long as its transaction.
   */
  keep?: boolean;
}

/** One statement of a batch: its text, or its text and parameters. */
export type BatchStatementJson = string | { sql: string; params?: JsonParam[] };

/** POST /v1/batch. */
export interface BatchRequestJson {
  statements: BatchStatementJson[];
  /** All or nothing: the statements run in one transaction, rolled back on the first error. */
  transaction?: boolean;
  database?: string | null;
  session?: string;
  /**
   * true: keep the session after this request even with no transaction open (user
   * variables, SET, temporary tables, USE last); false: end it after this request.
   * Unset: the session lasts as long as its transaction.
   */
  keep?: boolean;
}

export interface ColumnJson {
  name: string;
  type: ColumnTypeName;
  nullable: boolean;
}

/** The answer to one statement. */
export interface ResultJson {
  columns: ColumnJson[];
  rows: JsonCell[][];
  rowsAffected: number;
  /** A string when it is past 2^53. */
  lastInsertId: number | string;
  warnings: number;
  /** Present while the session is kept (a transaction is open, or `keep` asked): send it back as `session`. */
  session?: string;
}

export interface ErrorJson {
  error: {
    code: number;
    sqlstate: string;
    message: string;
    /** In a batch: the position of the statement that failed. */
    index?: number;
  };
}

/** The answer to a batch: every statement's result in order (the ones that ran, when one failed). */
export interface BatchResultJson {
  results: ResultJson[];
  session?: string;
}

/**
 * The lines of an NDJSON answer, in order: `columns` once (for statements that return
 * rows), `rows` any number of times, then `done` or `error` last.
 */
export type NdjsonLine =
  | { columns: ColumnJson[] }
  | { rows: JsonCell[][] }
  | { done: true; rowsAffected: number; lastInsertId: number | string; warnings: number; session?: string }
  | ErrorJson;
