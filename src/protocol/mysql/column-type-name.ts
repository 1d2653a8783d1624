// A result column's type as one lowercase name, read from its wire metadata: what the client library and the HTTP protocol report.
import { Collation, ColumnFlag, FieldType } from './constants.js';
import type { ColumnWire } from './column-definition.js';

/**
 * The names a column type is reported by outside the MySQL wire. The TEXT and BLOB
 * families each collapse to one name ('text', 'blob'), as the wire cannot tell their
 * sizes apart; the name says how a value of the column is represented in JSON.
 */
export type ColumnTypeName =
  | 'tinyint' | 'smallint' | 'mediumint' | 'int' | 'bigint'
  | 'decimal' | 'float' | 'double'
  | 'char' | 'varchar' | 'text' | 'enum' | 'set' | 'json'
  | 'binary' | 'varbinary' | 'blob' | 'bit'
  | 'date' | 'datetime' | 'timestamp' | 'time' | 'year'
  | 'null';

const BY_FIELD_TYPE: ReadonlyMap<number, ColumnTypeName> = new Map<number, ColumnTypeName>([
  [FieldType.TINY, 'tinyint'],
  [FieldType.SHORT, 'smallint'],
  [FieldType.INT24, 'mediumint'],
  [FieldType.LONG, 'int'],
  [FieldType.LONGLONG, 'bigint'],
  [FieldType.DECIMAL, 'decimal'],
  [FieldType.NEWDECIMAL, 'decimal'],
  [FieldType.FLOAT, 'float'],
  [FieldType.DOUBLE, 'double'],
  [FieldType.DATE, 'date'],
  [FieldType.NEWDATE, 'date'],
  [FieldType.DATETIME, 'datetime'],
  [FieldType.TIMESTAMP, 'timestamp'],
  [FieldType.TIME, 'time'],
  [FieldType.YEAR, 'year'],
  [FieldType.BIT, 'bit'],
  [FieldType.JSON, 'json'],
  [FieldType.NULL, 'null'],
  [FieldType.ENUM, 'enum'],
  [FieldType.SET, 'set'],
]);

/** The name of a column's type; string types are told apart by their character set (binary or not) and flags. */
export function columnTypeName(c: Pick<ColumnWire, 'type' | 'flags' | 'charset'>): ColumnTypeName {
  const known = BY_FIELD_TYPE.get(c.type);
  if (known !== undefined) return known;
  const binary = c.charset === Collation.BINARY;
  switch (c.type) {
    case FieldType.STRING:
      if ((c.flags & ColumnFlag.ENUM) !== 0) return 'enum';
      if ((c.flags & ColumnFlag.SET) !== 0) return 'set';
      return binary ? 'binary' : 'char';
    case FieldType.VAR_STRING:
    case FieldType.VARCHAR:
      return binary ? 'varbinary' : 'varchar';
    case FieldType.TINY_BLOB:
    case FieldType.MEDIUM_BLOB:
    case FieldType.LONG_BLOB:
    case FieldType.BLOB:
      return binary ? 'blob' : 'text';
    default:
      return binary ? 'blob' : 'text';
  }
}

/** Types whose values are bytes (sent base64 in JSON, Uint8Array in the client library). */
export function isBinaryTypeName(t: ColumnTypeName): boolean {
  return t === 'binary' || t === 'varbinary' || t === 'blob' || t === 'bit';
}
