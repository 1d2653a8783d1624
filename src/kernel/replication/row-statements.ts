// A logged row change as a prepared statement and its parameters: one statement text per table and shape, so the applier parses and plans it once.
import { Decimal, type Value } from '../../base/value.js';
import { pb } from '../../storage/change-log/index.js';
import { quoteIdentifier } from '../../base/identifier.js';

/** A statement that redoes one row change, touching exactly that row. */
export interface RowStatement {
  /** With `?` for every value: the same for every row of the same table and shape. */
  sql: string;
  params: Value[];
}

const NO_COLUMNS: ReadonlySet<string> = new Set();

/** A logged value as the SQL value it was (DECIMAL exact, big integers as bigint). */
export function sqlValue(v: pb.Value): Value {
  switch (v.kind.case) {
    case 'int': {
      const n = v.kind.value;
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    }
    case 'uint':
      return v.kind.value;
    case 'double':
      return v.kind.value;
    case 'string':
    case 'temporal':
      return v.kind.value;
    case 'decimal':
      return Decimal.parse(v.kind.value) ?? v.kind.value;
    case 'bytes':
      return Buffer.from(v.kind.value);
    default:
      return null;
  }
}

const isNull = (v: pb.Value | undefined): boolean => v === undefined || v.kind.case === 'null' || v.kind.case === undefined;

/** `col = ? AND ...` over the key (every column when the table has none; NULLs as IS NULL), and its parameters. */
function where(r: pb.RowChange, params: Value[]): string {
  const positions = r.keyColumns.length > 0 ? r.keyColumns : r.columns.map((_, i) => i);
  const parts = positions.map((i) => {
    const v = r.before[i];
    if (isNull(v)) return `${quoteIdentifier(r.columns[i])} IS NULL`;
    params.push(sqlValue(v));
    return `${quoteIdentifier(r.columns[i])} = ?`;
  });
  return parts.join(' AND ') + (r.keyColumns.length > 0 ? '' : ' LIMIT 1');
}

/** Whether two logged values are the same value. */
function sameValue(a: pb.Value | undefined, b: pb.Value | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.kind.case !== b.kind.case) return false;
  const x = a.kind.value;
  const y = b.kind.value;
  if (x instanceof Uint8Array && y instanceof Uint8Array) return Buffer.from(x).equals(Buffer.from(y));
  return x === y;
}

/**
 * The statement for one row change; undefined for an UPDATE that changed no value. Columns in
 * `generated` (the table's generated columns here) are computed by the replica, never written.
 */
export function rowStatement(r: pb.RowChange, generated: ReadonlySet<string> = NO_COLUMNS): RowStatement | undefined {
  const table = `${quoteIdentifier(r.schema)}.${quoteIdentifier(r.table)}`;
  const params: Value[] = [];
  switch (r.kind) {
    case pb.RowChange_Kind.INSERT: {
      const names: string[] = [];
      for (let i = 0; i < r.after.length; i++) {
        if (generated.has(r.columns[i])) continue;
        names.push(quoteIdentifier(r.columns[i]));
        params.push(sqlValue(r.after[i]));
      }
      return { sql: `INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`, params };
    }
    case pb.RowChange_Kind.UPDATE: {
      const sets: string[] = [];
      for (let i = 0; i < r.after.length; i++) {
        if (generated.has(r.columns[i]) || sameValue(r.after[i], r.before[i])) continue;
        sets.push(`${quoteIdentifier(r.columns[i])} = ?`);
        params.push(sqlValue(r.after[i]));
      }
      if (sets.length === 0) return undefined;
      return { sql: `UPDATE ${table} SET ${sets.join(', ')} WHERE ${where(r, params)}`, params };
    }
    default:
      return { sql: `DELETE FROM ${table} WHERE ${where(r, params)}`, params };
  }
}
