// Values between the client library and the MySQL front: backend results as kernel results, and parameter values as SQL literals the backends parse.
import type { ResultColumn, StatementResult } from '../base/result.js';
import { Decimal, type Row, type Value } from '../base/value.js';
import type { ClientValue, Column, QueryResult } from '../client/index.js';

/** A backend's column as the MySQL front describes it (names and type family; lengths are not carried by the client library). */
export function resultColumn(c: Column, schema: string): ResultColumn {
  return { name: c.name, orgName: c.name, table: '', orgTable: '', schema, type: { kind: c.type }, nullable: c.nullable };
}

/** One cell as the kernel holds it: DECIMAL exact, DATETIME with a space, bytes as a Buffer. */
export function kernelValue(v: ClientValue, c: Column): Value {
  if (v === null) return null;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === 'string') {
    if (c.type === 'decimal') return Decimal.parse(v) ?? v;
    if (c.type === 'datetime' || c.type === 'timestamp') return v.replace('T', ' ');
  }
  return v;
}

export function kernelRows(r: QueryResult): Row[] {
  return r.rows.map((row) => row.map((v, i) => kernelValue(v, r.columns[i])));
}

/** A backend's answer as the statement result the front sends. */
export function kernelResult(r: QueryResult, schema: string): StatementResult {
  if (r.columns.length === 0) return { kind: 'ok', affectedRows: r.rowsAffected, insertId: r.lastInsertId };
  return { kind: 'rows', columns: r.columns.map((c) => resultColumn(c, schema)), rows: kernelRows(r) };
}

function quoteString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\0/g, '\\0').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\x1a/g, '\\Z')}'`;
}

/** A prepared statement's parameter as SQL text: the router inlines parameters so it can rewrite and route one text. */
export function sqlLiteral(v: Value): string {
  if (v === null) return 'NULL';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'NULL';
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Decimal) return v.toString();
  if (Buffer.isBuffer(v)) return v.length === 0 ? "''" : `X'${v.toString('hex')}'`;
  return quoteString(v);
}
