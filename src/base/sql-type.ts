// Static SQL types of columns and expressions, as MySQL declares them.

/** The families of MySQL column types mizzle knows. */
export type TypeKind =
  | 'tinyint' | 'smallint' | 'mediumint' | 'int' | 'bigint'
  | 'decimal' | 'float' | 'double'
  | 'char' | 'varchar' | 'tinytext' | 'text' | 'mediumtext' | 'longtext'
  | 'binary' | 'varbinary' | 'tinyblob' | 'blob' | 'mediumblob' | 'longblob'
  | 'date' | 'datetime' | 'timestamp' | 'time' | 'year'
  | 'bit' | 'enum' | 'set' | 'json'
  | 'null'; // the type of a bare NULL literal

/**
 * A complete static type. `length` is the declared display width or character
 * length (VARCHAR(20) → 20), `precision`/`scale` are for DECIMAL (and FLOAT(M,D)),
 * `fsp` is fractional seconds precision for temporal types, `values` the members
 * of ENUM/SET. `boolean` marks TINYINT(1) declared as BOOL/BOOLEAN.
 */
export interface SqlType {
  kind: TypeKind;
  unsigned?: boolean;
  zerofill?: boolean;
  length?: number;
  precision?: number;
  scale?: number;
  fsp?: number;
  values?: string[];
  boolean?: boolean;
  /** Collation name for character types; undefined means the server default. */
  collation?: string;
}

export const INTEGER_KINDS: ReadonlySet<TypeKind> = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'bigint']);
export const STRING_KINDS: ReadonlySet<TypeKind> = new Set([
  'char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set', 'json',
]);
export const BINARY_KINDS: ReadonlySet<TypeKind> = new Set([
  'binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob', 'bit',
]);
export const TEMPORAL_KINDS: ReadonlySet<TypeKind> = new Set(['date', 'datetime', 'timestamp', 'time', 'year']);

/** Inclusive ranges of the integer types, signed and unsigned. */
export const INTEGER_RANGES: Record<string, { min: bigint; max: bigint; umax: bigint }> = {
  tinyint: { min: -128n, max: 127n, umax: 255n },
  smallint: { min: -32768n, max: 32767n, umax: 65535n },
  mediumint: { min: -8388608n, max: 8388607n, umax: 16777215n },
  int: { min: -2147483648n, max: 2147483647n, umax: 4294967295n },
  bigint: { min: -9223372036854775808n, max: 9223372036854775807n, umax: 18446744073709551615n },
};

export function isIntegerType(t: SqlType): boolean {
  return INTEGER_KINDS.has(t.kind);
}
export function isStringType(t: SqlType): boolean {
  return STRING_KINDS.has(t.kind);
}
export function isBinaryType(t: SqlType): boolean {
  return BINARY_KINDS.has(t.kind);
}
export function isTemporalType(t: SqlType): boolean {
  return TEMPORAL_KINDS.has(t.kind);
}
export function isNumericType(t: SqlType): boolean {
  return isIntegerType(t) || t.kind === 'decimal' || t.kind === 'float' || t.kind === 'double';
}
