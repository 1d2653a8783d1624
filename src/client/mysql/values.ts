// The MySQL transport's values: the client end's decoded Values into client values, client parameters into Values.
import { Decimal, type Value } from '../../base/value.js';
import type { ColumnDefinition } from '../../protocol/mysql/column-definition.js';
import { columnTypeName, isBinaryTypeName } from '../../protocol/mysql/column-type-name.js';
import { ColumnFlag } from '../../protocol/mysql/constants.js';
import { clientInteger, isoDateTime, type ClientParam, type ClientValue, type Column, type ColumnTypeName } from '../values.js';

export function columnOf(d: ColumnDefinition): Column {
  return { name: d.name, type: columnTypeName(d), nullable: (d.flags & ColumnFlag.NOT_NULL) === 0 };
}

function textOf(v: Value): string {
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return v instanceof Decimal ? v.toString() : String(v);
}

/** One value as the client gives it for its column type: the same JavaScript types the HTTP transport gives. */
export function clientValue(v: Value, type: ColumnTypeName): ClientValue {
  if (v === null) return null;
  if (isBinaryTypeName(type)) {
    // A plain Uint8Array (a copy), not a Buffer: the same type on every transport and runtime.
    return Buffer.isBuffer(v) ? new Uint8Array(v) : new TextEncoder().encode(textOf(v));
  }
  switch (type) {
    case 'tinyint':
    case 'smallint':
    case 'mediumint':
    case 'int':
    case 'bigint':
    case 'year':
      return typeof v === 'number' || typeof v === 'bigint' ? clientInteger(v) : clientInteger(textOf(v));
    case 'float':
    case 'double':
      return typeof v === 'number' ? v : Number(textOf(v));
    case 'datetime':
    case 'timestamp':
      return isoDateTime(textOf(v));
    default:
      return textOf(v);
  }
}

export function clientRow(row: readonly Value[], types: readonly ColumnTypeName[]): ClientValue[] {
  return types.map((t, i) => clientValue(row[i] ?? null, t));
}

/** Rows as the client library gives them, by their columns' type names. */
export function clientRows(rows: readonly (readonly Value[])[], types: readonly ColumnTypeName[]): ClientValue[][] {
  const out = new Array<ClientValue[]>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = clientRow(rows[i]!, types);
  return out;
}

/** A parameter as the Value the client end binds: booleans as 1 or 0, bytes as a Buffer over the same memory. */
export function paramValue(p: ClientParam): Value {
  if (typeof p === 'boolean') return p ? 1 : 0;
  if (p instanceof Uint8Array) return Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength);
  return p;
}
