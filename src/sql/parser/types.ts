// Parses MySQL column data types and CAST/CONVERT targets into SqlType.
import type { SqlType, TypeKind } from '../../base/sql-type.js';
import { Tk } from '../lexer/token.js';
import { UnsupportedSignal, type Parser } from './parser-base.js';

/** A column type; `serial` marks SERIAL (BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE). */
export interface ParsedType {
  type: SqlType;
  serial?: boolean;
  /** CHARACTER SET given inside the type (`VARCHAR(10) CHARACTER SET x`). */
  charset?: string;
}

const INT_KINDS: Record<string, TypeKind> = {
  TINYINT: 'tinyint', INT1: 'tinyint',
  SMALLINT: 'smallint', INT2: 'smallint',
  MEDIUMINT: 'mediumint', INT3: 'mediumint', MIDDLEINT: 'mediumint',
  INT: 'int', INTEGER: 'int', INT4: 'int',
  BIGINT: 'bigint', INT8: 'bigint',
};

const SIMPLE_KINDS: Record<string, TypeKind> = {
  TINYTEXT: 'tinytext', MEDIUMTEXT: 'mediumtext', LONGTEXT: 'longtext',
  TINYBLOB: 'tinyblob', MEDIUMBLOB: 'mediumblob', LONGBLOB: 'longblob',
  DATE: 'date', JSON: 'json',
};

const SPATIAL = new Set([
  'GEOMETRY', 'POINT', 'LINESTRING', 'POLYGON', 'MULTIPOINT', 'MULTILINESTRING', 'MULTIPOLYGON',
  'GEOMETRYCOLLECTION', 'GEOMCOLLECTION',
]);

/** `(n)` when present. */
function optLength(p: Parser): number | undefined {
  if (!p.isOp('(')) return undefined;
  p.next();
  const n = p.integer();
  p.expectOp(')');
  return n;
}

/** `(p)` or `(p, s)` when present. */
function optPrecScale(p: Parser): { precision?: number; scale?: number } {
  if (!p.isOp('(')) return {};
  p.next();
  const precision = p.integer();
  let scale: number | undefined;
  if (p.acceptOp(',')) scale = p.integer();
  p.expectOp(')');
  return { precision, scale };
}

/** UNSIGNED / SIGNED / ZEROFILL in any order. */
function numericFlags(p: Parser, t: SqlType): SqlType {
  for (;;) {
    if (p.acceptKw('UNSIGNED')) t.unsigned = true;
    else if (p.acceptKw('SIGNED')) continue;
    else if (p.acceptKw('ZEROFILL')) {
      t.zerofill = true;
      t.unsigned = true;
    } else return t;
  }
}

/** `CHARACTER SET x` / `CHARSET x` / ASCII / UNICODE / BINARY after a character type. */
function charsetSuffix(p: Parser, r: ParsedType): ParsedType {
  for (;;) {
    if (p.isKw('CHARACTER') && p.isKw('SET', 1)) {
      p.next();
      p.next();
      r.charset = p.identOrString().toLowerCase();
    } else if (p.acceptKw('CHARSET')) {
      r.charset = p.identOrString().toLowerCase();
    } else if (p.acceptKw('ASCII')) {
      r.charset = 'latin1';
    } else if (p.acceptKw('UNICODE')) {
      r.charset = 'ucs2';
    } else if (p.acceptKw('BINARY')) {
      r.type.collation = `${r.charset ?? 'utf8mb4'}_bin`;
    } else return r;
  }
}

function stringType(p: Parser, kind: TypeKind, length: number | undefined): ParsedType {
  const t: SqlType = { kind };
  if (length !== undefined) t.length = length;
  return charsetSuffix(p, { type: t });
}

function enumValues(p: Parser): string[] {
  p.expectOp('(');
  const out = [p.string()];
  while (p.acceptOp(',')) out.push(p.string());
  p.expectOp(')');
  return out;
}

/** A column data type. */
export function parseDataType(p: Parser): ParsedType {
  const t = p.peek();
  if (t.kind !== Tk.Word) p.fail(t);
  const w = t.upper;
  p.next();
  const intKind = INT_KINDS[w];
  if (intKind !== undefined) {
    const ty: SqlType = { kind: intKind };
    const len = optLength(p);
    if (len !== undefined) ty.length = len;
    return { type: numericFlags(p, ty) };
  }
  const simple = SIMPLE_KINDS[w];
  if (simple !== undefined) {
    if (simple === 'tinytext' || simple === 'mediumtext' || simple === 'longtext') return stringType(p, simple, undefined);
    return { type: { kind: simple } };
  }
  switch (w) {
    case 'BOOL':
    case 'BOOLEAN':
      return { type: { kind: 'tinyint', length: 1, boolean: true } };
    case 'SERIAL':
      return { type: { kind: 'bigint', unsigned: true }, serial: true };
    case 'DECIMAL':
    case 'DEC':
    case 'NUMERIC':
    case 'FIXED': {
      const ps = optPrecScale(p);
      return { type: numericFlags(p, { kind: 'decimal', precision: ps.precision ?? 10, scale: ps.scale ?? 0 }) };
    }
    case 'FLOAT': {
      const ps = optPrecScale(p);
      let ty: SqlType;
      if (ps.scale !== undefined) ty = { kind: 'float', precision: ps.precision, scale: ps.scale };
      else if (ps.precision !== undefined) ty = { kind: ps.precision > 24 ? 'double' : 'float' };
      else ty = { kind: 'float' };
      return { type: numericFlags(p, ty) };
    }
    case 'FLOAT4':
      return { type: numericFlags(p, { kind: 'float' }) };
    case 'FLOAT8':
      return { type: numericFlags(p, { kind: 'double' }) };
    case 'DOUBLE':
    case 'REAL': {
      if (w === 'DOUBLE') p.acceptKw('PRECISION');
      const ps = optPrecScale(p);
      const ty: SqlType = { kind: 'double' };
      if (ps.precision !== undefined) {
        ty.precision = ps.precision;
        if (ps.scale === undefined) p.fail();
        ty.scale = ps.scale;
      }
      return { type: numericFlags(p, ty) };
    }
    case 'BIT':
      return { type: { kind: 'bit', length: optLength(p) ?? 1 } };
    case 'CHAR':
    case 'CHARACTER': {
      if (p.acceptKw('VARYING')) return stringType(p, 'varchar', requiredLength(p));
      const len = optLength(p) ?? 1;
      if (p.acceptKw('BYTE')) return { type: { kind: 'binary', length: len } };
      return stringType(p, 'char', len);
    }
    case 'NCHAR':
      if (p.acceptKw('VARCHAR') || p.acceptKw('VARYING')) return stringType(p, 'varchar', requiredLength(p));
      return stringType(p, 'char', optLength(p) ?? 1);
    case 'NATIONAL': {
      if (p.acceptKw('VARCHAR')) return stringType(p, 'varchar', requiredLength(p));
      if (!p.acceptKw('CHAR')) p.expectKw('CHARACTER');
      if (p.acceptKw('VARYING')) return stringType(p, 'varchar', requiredLength(p));
      return stringType(p, 'char', optLength(p) ?? 1);
    }
    case 'VARCHAR':
    case 'VARCHARACTER':
    case 'NVARCHAR':
      return stringType(p, 'varchar', requiredLength(p));
    case 'TEXT':
      return stringType(p, 'text', optLength(p));
    case 'LONG':
      if (p.acceptKw('VARBINARY')) return { type: { kind: 'mediumblob' } };
      p.acceptKw('VARCHAR');
      return stringType(p, 'mediumtext', undefined);
    case 'BINARY':
      return { type: { kind: 'binary', length: optLength(p) ?? 1 } };
    case 'VARBINARY':
      return { type: { kind: 'varbinary', length: requiredLength(p) } };
    case 'BLOB': {
      const ty: SqlType = { kind: 'blob' };
      const len = optLength(p);
      if (len !== undefined) ty.length = len;
      return { type: ty };
    }
    case 'DATETIME':
    case 'TIMESTAMP':
    case 'TIME': {
      const ty: SqlType = { kind: w === 'DATETIME' ? 'datetime' : w === 'TIMESTAMP' ? 'timestamp' : 'time' };
      const fsp = optLength(p);
      if (fsp !== undefined) ty.fsp = fsp;
      return { type: ty };
    }
    case 'YEAR': {
      const len = optLength(p);
      if (len !== undefined && len !== 4) p.fail();
      return { type: { kind: 'year' } };
    }
    case 'ENUM':
    case 'SET':
      return charsetSuffix(p, { type: { kind: w === 'ENUM' ? 'enum' : 'set', values: enumValues(p) } });
    default:
      if (SPATIAL.has(w)) throw new UnsupportedSignal('spatial data types');
      p.fail(t);
  }
}

function requiredLength(p: Parser): number {
  p.expectOp('(');
  const n = p.integer();
  p.expectOp(')');
  return n;
}

/** A CAST/CONVERT target; `charset` is set by `CHAR CHARACTER SET x`. */
export function parseCastTarget(p: Parser): { type: SqlType; charset?: string } {
  const t = p.peek();
  if (t.kind !== Tk.Word) p.fail(t);
  const w = t.upper;
  p.next();
  switch (w) {
    case 'SIGNED':
    case 'UNSIGNED': {
      if (!p.acceptKw('INTEGER')) p.acceptKw('INT');
      return { type: w === 'SIGNED' ? { kind: 'bigint' } : { kind: 'bigint', unsigned: true } };
    }
    case 'CHAR':
    case 'NCHAR':
    case 'CHARACTER': {
      const ty: SqlType = { kind: 'char' };
      const len = optLength(p);
      if (len !== undefined) ty.length = len;
      const r = charsetSuffix(p, { type: ty });
      return r.charset !== undefined ? { type: r.type, charset: r.charset } : { type: r.type };
    }
    case 'BINARY': {
      const ty: SqlType = { kind: 'binary' };
      const len = optLength(p);
      if (len !== undefined) ty.length = len;
      return { type: ty };
    }
    case 'DECIMAL':
    case 'DEC': {
      const ps = optPrecScale(p);
      return { type: { kind: 'decimal', precision: ps.precision ?? 10, scale: ps.scale ?? 0 } };
    }
    case 'DOUBLE': {
      // MariaDB accepts DOUBLE(M,D) here and rounds to D digits; MySQL 8 takes plain DOUBLE only.
      p.acceptKw('PRECISION');
      const ps = optPrecScale(p);
      return { type: ps.precision !== undefined && ps.scale !== undefined ? { kind: 'double', precision: ps.precision, scale: ps.scale } : { kind: 'double' } };
    }
    case 'REAL':
      return { type: { kind: 'double' } };
    case 'FLOAT': {
      const len = optLength(p);
      return { type: { kind: len !== undefined && len > 24 ? 'double' : 'float' } };
    }
    case 'DATE':
      return { type: { kind: 'date' } };
    case 'YEAR':
      return { type: { kind: 'year' } };
    case 'JSON':
      return { type: { kind: 'json' } };
    case 'DATETIME':
    case 'TIME': {
      const ty: SqlType = { kind: w === 'DATETIME' ? 'datetime' : 'time' };
      const fsp = optLength(p);
      if (fsp !== undefined) ty.fsp = fsp;
      return { type: ty };
    }
    default:
      p.fail(t);
  }
}
