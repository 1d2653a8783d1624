// The server end of the HTTP protocol's values: result columns and mizzle Values as JSON, types kept (no float rounding).
import type { ResultColumn } from '../../base/result.js';
import { Decimal, type Value } from '../../base/value.js';
import { isBinaryTypeName, type ColumnTypeName } from '../mysql/column-type-name.js';
import { describeColumn } from '../mysql/describe-column.js';
import type { ColumnJson, JsonCell } from './messages.js';

/** A result column as JSON reports it; its type name is the one a MySQL client reads off the wire for the same column. */
export function columnJson(c: ResultColumn): ColumnJson {
  return describeColumn(c);
}

/** An integer as JSON: a number while exact, a string past 2^53. */
export function integerJson(n: number | bigint): number | string {
  if (typeof n === 'number') return n;
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
}

function bytesOf(v: Value): Buffer {
  if (Buffer.isBuffer(v)) return v;
  return Buffer.from(String(v), 'utf8');
}

function textOf(v: Value): string {
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return v instanceof Decimal ? v.toString() : String(v);
}

/**
 * One cell by its column's type: BIGINT and DECIMAL as strings, the other numbers
 * as numbers, DATETIME and TIMESTAMP in ISO form ('T' between date and time), bytes
 * in base64, everything else as text.
 */
export function cellJson(v: Value, type: ColumnTypeName): JsonCell {
  if (v === null) return null;
  if (isBinaryTypeName(type)) return bytesOf(v).toString('base64');
  switch (type) {
    case 'bigint':
    case 'decimal':
      return textOf(v);
    case 'tinyint':
    case 'smallint':
    case 'mediumint':
    case 'int':
    case 'year':
    case 'float':
    case 'double': {
      const n = typeof v === 'number' ? v : Number(textOf(v));
      // JSON has no infinities or NaN; their text survives.
      return Number.isFinite(n) ? n : textOf(v);
    }
    case 'datetime':
    case 'timestamp':
      return textOf(v).replace(' ', 'T');
    default:
      return textOf(v);
  }
}

/** A row's cells, by the type names of its columns. */
export function rowJson(row: readonly Value[], types: readonly ColumnTypeName[]): JsonCell[] {
  const out = new Array<JsonCell>(types.length);
  for (let i = 0; i < types.length; i++) out[i] = cellJson(row[i] ?? null, types[i]);
  return out;
}
