// The client library's values and results: the same JavaScript types whichever transport carried them.
import type { ColumnTypeName } from '../protocol/mysql/column-type-name.js';

export type { ColumnTypeName };

/**
 * One value of a result row, by its column's type: integers as numbers (bigint past
 * 2^53), FLOAT/DOUBLE as numbers, DECIMAL as a string (exact), DATETIME and TIMESTAMP
 * as ISO text ('2024-01-31T12:00:00'), other dates, times and strings as text, bytes
 * (BINARY, VARBINARY, BLOB, BIT) as Uint8Array, NULL as null.
 */
export type ClientValue = null | number | bigint | string | Uint8Array;

/** A parameter: a ClientValue, or a boolean (bound as 1 or 0). */
export type ClientParam = ClientValue | boolean;

export type ClientRow = ClientValue[];

export interface Column {
  name: string;
  type: ColumnTypeName;
  nullable: boolean;
}

/** The answer to one statement. Statements without a result set have no columns and no rows. */
export interface QueryResult {
  columns: Column[];
  rows: ClientRow[];
  rowsAffected: number;
  lastInsertId: number | bigint;
  warnings: number;
}

/** An integer as the client gives it: a number while exact, a bigint past 2^53. */
export function clientInteger(v: number | bigint | string): number | bigint {
  if (typeof v === 'number') return v;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : BigInt(v);
}

/** The time part of DATETIME/TIMESTAMP text joined with 'T', as ISO 8601 writes it. */
export function isoDateTime(text: string): string {
  return text.replace(' ', 'T');
}
