// Static result types: literals, arithmetic results, and the common type of CASE/COALESCE/UNION branches.
import { Decimal } from '../../base/decimal.js';
import { isBinaryType, isIntegerType, isStringType, isTemporalType, type SqlType } from '../../base/sql-type.js';

export const T_BIGINT: SqlType = { kind: 'bigint', length: 21 };
export const T_BOOL_INT: SqlType = { kind: 'bigint', length: 1 };
export const T_DOUBLE: SqlType = { kind: 'double', length: 22 };
export const T_NULL: SqlType = { kind: 'null' };
export const T_DATETIME: SqlType = { kind: 'datetime' };
export const T_DATE: SqlType = { kind: 'date' };
export const T_TIME: SqlType = { kind: 'time' };

export function varchar(length: number): SqlType {
  return { kind: 'varchar', length };
}

export function decimalType(precision: number, scale: number): SqlType {
  return { kind: 'decimal', precision: Math.min(Math.max(precision, 1), 65), scale: Math.min(scale, 30) };
}

/** The DECIMAL type that holds a literal exactly. */
export function decimalLiteralType(d: Decimal): SqlType {
  return decimalType(Math.max(d.integerDigits() + d.scale, 1), d.scale);
}

/** Digits before the point a numeric type can hold (for DECIMAL result precision). */
export function integerDigitsOf(t: SqlType): number {
  if (t.kind === 'decimal') return (t.precision ?? 10) - (t.scale ?? 0);
  if (isIntegerType(t)) return { tinyint: 3, smallint: 5, mediumint: 8, int: 10, bigint: 20 }[t.kind as 'int'] ?? 20;
  return 20;
}

export function scaleOf(t: SqlType): number {
  return t.kind === 'decimal' ? (t.scale ?? 0) : 0;
}

/**
 * The type of CASE/IF/COALESCE/UNION results over several branch types, in the
 * spirit of MySQL's type aggregation: NULL branches are ignored; all integers →
 * BIGINT; integers and decimals → DECIMAL; any approximate → DOUBLE; temporal of
 * one kind stays; anything else → VARCHAR (binary if any branch is binary).
 */
export function unifyTypes(types: SqlType[]): SqlType {
  const ts = types.filter((t) => t.kind !== 'null');
  if (ts.length === 0) return T_NULL;
  // JSON branches stay JSON (clients see type 245); mixed with other types they are text.
  if (ts.every((t) => t.kind === 'json')) return { kind: 'json' };
  if (ts.some((t) => t.kind === 'json')) return { kind: 'longtext' };
  if (ts.every((t) => isIntegerType(t))) {
    // BIGINT UNSIGNED beside a signed integer fits no integer type: MySQL's result is DECIMAL(20,0).
    if (ts.some((t) => t.unsigned && t.kind === 'bigint') && ts.some((t) => !t.unsigned)) return decimalType(20, 0);
    return { kind: 'bigint', length: Math.max(...ts.map((t) => t.length ?? 11)), unsigned: ts.every((t) => t.unsigned) || undefined };
  }
  if (ts.every((t) => isIntegerType(t) || t.kind === 'decimal')) {
    const scale = Math.max(...ts.map(scaleOf));
    const ints = Math.max(...ts.map(integerDigitsOf));
    return decimalType(ints + scale, scale);
  }
  if (ts.every((t) => isIntegerType(t) || t.kind === 'decimal' || t.kind === 'float' || t.kind === 'double')) return T_DOUBLE;
  if (ts.every((t) => isTemporalType(t) && t.kind === ts[0].kind)) {
    return { kind: ts[0].kind, fsp: Math.max(...ts.map((t) => t.fsp ?? 0)) || undefined };
  }
  const length = Math.max(...ts.map(displayLength));
  if (ts.some((t) => isBinaryType(t))) return { kind: 'varbinary', length };
  const textual = ts.some((t) => isStringType(t) && (t.kind.endsWith('text')));
  return textual ? { kind: 'text' } : varchar(length);
}

/** Characters a value of this type needs when shown as text. */
export function displayLength(t: SqlType): number {
  switch (t.kind) {
    case 'tinyint': return 4;
    case 'smallint': return 6;
    case 'mediumint': return 9;
    case 'int': return 11;
    case 'bigint': return 20;
    case 'decimal': return (t.precision ?? 10) + 2;
    case 'float': return 12;
    case 'double': return 22;
    case 'date': return 10;
    case 'time': return 10 + (t.fsp ? t.fsp + 1 : 0);
    case 'datetime': case 'timestamp': return 19 + (t.fsp ? t.fsp + 1 : 0);
    case 'year': return 4;
    case 'null': return 0;
    default: return t.length ?? 255;
  }
}
