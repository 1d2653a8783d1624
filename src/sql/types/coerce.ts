// Converting a value into a column or CAST target type, with MySQL's strict-mode errors and lenient warnings.
import { ErrorCode, sqlError } from '../../base/errors.js';
import { Decimal, pow10 } from '../../base/decimal.js';
import { isSpace, numericPrefix, normInt, toDecimal, toDouble } from './convert.js';
import { valueToString } from '../../base/format.js';
import { INTEGER_RANGES, isIntegerType, type SqlType } from '../../base/sql-type.js';
import { parseDate, parseDateTime, parseTime, parseYear } from '../../base/temporal.js';
import type { Value } from '../../base/value.js';
import { formatJson } from './json-doc.js';
import { JsonSyntaxError, parseJson } from './json-parse.js';
import { depthError, sqlToJsonText } from './json-convert.js';

/**
 * Where a coercion happens, which decides how bad values are treated:
 * `store` into a column (strict mode: errors; otherwise clip and warn) or `cast`
 * (always clip and warn, like CAST()).
 */
export interface CoerceTarget {
  mode: 'store' | 'cast';
  strict: boolean;
  /** Column name for messages ("for column 'c' at row 1"). */
  column: string;
  rowNumber: number;
  warn(code: number, message: string): void;
}

const BYTE_LIMITS: Partial<Record<SqlType['kind'], number>> = {
  tinytext: 255, text: 65535, mediumtext: 16777215, longtext: 4294967295,
  tinyblob: 255, blob: 65535, mediumblob: 16777215, longblob: 4294967295,
};

function fail(t: CoerceTarget, name: keyof typeof ErrorCode, message: string): void {
  if (t.mode === 'store' && t.strict) throw sqlError(name, message);
  t.warn(ErrorCode[name].code, message);
}

function textForMessage(v: Exclude<Value, null>): string {
  return Buffer.isBuffer(v) ? v.toString('latin1') : valueToString(v);
}

/** Converts `v` to `type`. NULL passes through (NOT NULL is the caller's check). */
export function coerceValue(v: Value, type: SqlType, t: CoerceTarget): Value {
  if (v === null) return null;
  switch (type.kind) {
    case 'tinyint': case 'smallint': case 'mediumint': case 'int': case 'bigint':
      return coerceInteger(v, type, t);
    case 'decimal':
      return coerceDecimal(v, type, t);
    case 'float':
    case 'double':
      return coerceFloat(v, type, t);
    case 'char': case 'varchar': case 'tinytext': case 'text': case 'mediumtext': case 'longtext':
      return coerceText(v, type, t);
    case 'binary': case 'varbinary': case 'tinyblob': case 'blob': case 'mediumblob': case 'longblob':
      return coerceBinary(v, type, t);
    case 'date': case 'datetime': case 'timestamp': case 'time':
      return coerceTemporal(v, type, t);
    case 'year':
      return coerceYear(v, t);
    case 'enum':
      return coerceEnum(v, type, t);
    case 'set':
      return coerceSet(v, type, t);
    case 'bit':
      return coerceBit(v, type, t);
    case 'json':
      return coerceJson(v, t);
    case 'null':
      return null;
  }
}

function rangeOf(type: SqlType): { min: bigint; max: bigint } {
  const r = INTEGER_RANGES[type.kind];
  return type.unsigned ? { min: 0n, max: r.umax } : { min: r.min, max: r.max };
}

function coerceInteger(v: Exclude<Value, null>, type: SqlType, t: CoerceTarget): Value {
  let n: bigint;
  if (typeof v === 'number' && Number.isInteger(v)) {
    // Fast path for the common case: an in-range safe integer.
    const r = rangeOf(type);
    if (v >= Number(r.min) && v <= Number(r.max)) return v;
    n = BigInt(v);
  } else if (typeof v === 'bigint') {
    n = v;
  } else if (typeof v === 'string' || Buffer.isBuffer(v)) {
    const s = typeof v === 'string' ? v : v.toString('latin1');
    // A number stored into an integer column reads the whole number ('1e4' stores 10000); CAST(text AS SIGNED)
    // reads only the leading integer (text-integer.ts).
    const p = numericPrefix(s);
    if (!p.complete || p.text === '') {
      fail(t, 'TRUNCATED_WRONG_VALUE_FOR_FIELD', `Incorrect integer value: '${s}' for column '${t.column}' at row ${t.rowNumber}`);
    }
    const d = p.text === '' ? new Decimal(0n, 0) : (Decimal.parse(p.text) ?? new Decimal(0n, 0));
    n = d.withScale(0).unscaled;
  } else if (v instanceof Decimal) {
    n = v.withScale(0).unscaled;
  } else {
    const d = v as number;
    if (!Number.isFinite(d)) n = d > 0 ? 1n << 70n : -(1n << 70n);
    else n = BigInt(d < 0 ? -Math.round(-d) : Math.round(d));
  }
  const r = rangeOf(type);
  if (n < r.min || n > r.max) {
    fail(t, 'WARN_DATA_OUT_OF_RANGE', `Out of range value for column '${t.column}' at row ${t.rowNumber}`);
    n = n < r.min ? r.min : r.max;
  }
  return normInt(n);
}

/** The leading `[spaces][+|-]digits` of `s`; complete when only spaces follow. */
export function integerPrefix(s: string): { text: string; complete: boolean } {
  const n = s.length;
  let i = 0;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  const start = i;
  if (i < n && (s[i] === '+' || s[i] === '-')) i++;
  const digits = i;
  while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  if (i === digits) return { text: '', complete: false };
  const text = s.slice(start, i);
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  return { text, complete: i === n };
}

function coerceDecimal(v: Exclude<Value, null>, type: SqlType, t: CoerceTarget): Value {
  const precision = type.precision ?? 10;
  const scale = type.scale ?? 0;
  let d: Decimal;
  if (typeof v === 'string') {
    const p = numericPrefix(v);
    if (!p.complete || p.text === '') {
      fail(t, 'TRUNCATED_WRONG_VALUE_FOR_FIELD', `Incorrect decimal value: '${v}' for column '${t.column}' at row ${t.rowNumber}`);
    }
    d = p.text === '' ? new Decimal(0n, 0) : (Decimal.parse(p.text) ?? new Decimal(0n, 0));
  } else {
    d = toDecimal(v);
  }
  const scaled = d.withScale(scale);
  if (scaled.compare(d) !== 0 && d.scale > scale) {
    t.warn(1265, `Data truncated for column '${t.column}' at row ${t.rowNumber}`);
  }
  const limit = pow10(precision) - 1n;
  if (scaled.unscaled > limit || scaled.unscaled < -limit) {
    fail(t, 'WARN_DATA_OUT_OF_RANGE', `Out of range value for column '${t.column}' at row ${t.rowNumber}`);
    return new Decimal(scaled.unscaled < 0n ? -limit : limit, scale);
  }
  if (type.unsigned && scaled.unscaled < 0n) {
    fail(t, 'WARN_DATA_OUT_OF_RANGE', `Out of range value for column '${t.column}' at row ${t.rowNumber}`);
    return new Decimal(0n, scale);
  }
  return scaled;
}

function coerceFloat(v: Exclude<Value, null>, type: SqlType, t: CoerceTarget): Value {
  let x: number;
  if (typeof v === 'string') {
    const p = numericPrefix(v);
    if (!p.complete || p.text === '') {
      fail(t, 'TRUNCATED_WRONG_VALUE_FOR_FIELD', `Incorrect double value: '${v}' for column '${t.column}' at row ${t.rowNumber}`);
    }
    x = p.text === '' ? 0 : Number(p.text);
  } else {
    x = toDouble(v);
  }
  if (!Number.isFinite(x) || (type.kind === 'float' && Math.abs(x) > 3.4028234663852886e38)) {
    fail(t, 'WARN_DATA_OUT_OF_RANGE', `Out of range value for column '${t.column}' at row ${t.rowNumber}`);
    x = x > 0 ? (type.kind === 'float' ? 3.4028234663852886e38 : Number.MAX_VALUE) : type.kind === 'float' ? -3.4028234663852886e38 : -Number.MAX_VALUE;
  }
  if (type.scale !== undefined && type.precision !== undefined) {
    const f = pow10(type.scale);
    x = Math.round(x * Number(f)) / Number(f);
  }
  if (type.unsigned && x < 0) {
    fail(t, 'WARN_DATA_OUT_OF_RANGE', `Out of range value for column '${t.column}' at row ${t.rowNumber}`);
    x = 0;
  }
  return type.kind === 'float' ? Math.fround(x) : x;
}

function coerceText(v: Exclude<Value, null>, type: SqlType, t: CoerceTarget): Value {
  let s = typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : valueToString(v);
  const byteLimit = BYTE_LIMITS[type.kind];
  if (byteLimit !== undefined) {
    if (s.length * 3 > byteLimit && Buffer.byteLength(s, 'utf8') > byteLimit) {
      fail(t, 'DATA_TOO_LONG', `Data too long for column '${t.column}' at row ${t.rowNumber}`);
      s = truncateUtf8(s, byteLimit);
    }
    return s;
  }
  const limit = type.length ?? (type.kind === 'char' ? 1 : 65535);
  if (s.length > limit) {
    const chars = [...s];
    if (chars.length > limit) {
      // Trailing spaces beyond the length are silently dropped for CHAR/VARCHAR (a note), as MySQL does.
      const rest = chars.slice(limit).join('');
      if (rest.trim() === '' && rest.length > 0) {
        t.warn(1265, `Data truncated for column '${t.column}' at row ${t.rowNumber}`);
      } else {
        fail(t, 'DATA_TOO_LONG', `Data too long for column '${t.column}' at row ${t.rowNumber}`);
      }
      s = chars.slice(0, limit).join('');
    }
  }
  // CHAR values are stored without trailing spaces (they are padded only conceptually).
  if (type.kind === 'char') s = s.replace(/ +$/, '');
  return s;
}

function truncateUtf8(s: string, bytes: number): string {
  const b = Buffer.from(s, 'utf8').subarray(0, bytes);
  return b.toString('utf8').replace(/\uFFFD$/, '');
}

function coerceBinary(v: Exclude<Value, null>, type: SqlType, t: CoerceTarget): Value {
  let b = Buffer.isBuffer(v) ? v : Buffer.from(typeof v === 'string' ? v : valueToString(v), 'utf8');
  const limit = BYTE_LIMITS[type.kind] ?? type.length ?? (type.kind === 'binary' ? 1 : 65535);
  if (b.length > limit) {
    fail(t, 'DATA_TOO_LONG', `Data too long for column '${t.column}' at row ${t.rowNumber}`);
    b = b.subarray(0, limit);
  }
  if (type.kind === 'binary' && b.length < limit) {
    const padded = Buffer.alloc(limit);
    b.copy(padded);
    b = padded;
  }
  return b;
}

function coerceTemporal(v: Exclude<Value, null>, type: SqlType, t: CoerceTarget): Value {
  const s = typeof v === 'string' ? v : textForMessage(v);
  const fsp = type.fsp ?? 0;
  let out: string | undefined;
  if (type.kind === 'date') {
    out = parseDate(s);
    if (out === undefined) {
      const dt = parseDateTime(s, 0);
      if (dt !== undefined) out = dt.slice(0, 10);
    }
  } else if (type.kind === 'time') {
    out = parseTime(s, fsp);
  } else {
    out = parseDateTime(s, fsp);
  }
  if (out !== undefined) return out;
  const label = type.kind === 'timestamp' ? 'datetime' : type.kind;
  fail(t, 'TRUNCATED_WRONG_VALUE', `Incorrect ${label} value: '${s}' for column '${t.column}' at row ${t.rowNumber}`);
  if (type.kind === 'date') return '0000-00-00';
  if (type.kind === 'time') return '00:00:00';
  return '0000-00-00 00:00:00';
}

function coerceYear(v: Exclude<Value, null>, t: CoerceTarget): Value {
  const y = typeof v === 'number' ? parseYear(Math.round(v)) : parseYear(textForMessage(v));
  if (y !== undefined) return y;
  fail(t, 'WARN_DATA_OUT_OF_RANGE', `Out of range value for column '${t.column}' at row ${t.rowNumber}`);
  return 0;
}

function coerceEnum(v: Exclude<Value, null>, type: SqlType, t: CoerceTarget): Value {
  const members = type.values ?? [];
  if (typeof v === 'number' || typeof v === 'bigint') {
    const i = Number(v);
    if (i >= 1 && i <= members.length) return members[i - 1];
    if (i === 0 && !(t.mode === 'store' && t.strict)) return '';
  } else {
    const s = textForMessage(v);
    const found = members.find((m) => m.toLowerCase() === s.toLowerCase().replace(/ +$/, ''));
    if (found !== undefined) return found;
  }
  fail(t, 'WARN_DATA_TRUNCATED', `Data truncated for column '${t.column}' at row ${t.rowNumber}`);
  return '';
}

function coerceSet(v: Exclude<Value, null>, type: SqlType, t: CoerceTarget): Value {
  const members = type.values ?? [];
  const s = textForMessage(v);
  if (s === '') return '';
  const chosen = new Set<number>();
  for (const part of s.split(',')) {
    const i = members.findIndex((m) => m.toLowerCase() === part.toLowerCase());
    if (i < 0) {
      fail(t, 'WARN_DATA_TRUNCATED', `Data truncated for column '${t.column}' at row ${t.rowNumber}`);
      continue;
    }
    chosen.add(i);
  }
  return members.filter((_, i) => chosen.has(i)).join(',');
}

function coerceBit(v: Exclude<Value, null>, type: SqlType, t: CoerceTarget): Value {
  const bits = type.length ?? 1;
  const bytes = Math.ceil(bits / 8);
  let n: bigint;
  // A string stores its bytes, as MySQL does ('A' into BIT(8) is 0x41); numbers store their value.
  if (typeof v === 'string') v = Buffer.from(v, 'utf8');
  if (Buffer.isBuffer(v)) n = v.length ? BigInt('0x' + v.toString('hex')) : 0n;
  else if (typeof v === 'bigint') n = v;
  else n = BigInt(Math.trunc(toDouble(v)));
  if (n < 0n || n >= 1n << BigInt(bits)) {
    fail(t, 'DATA_TOO_LONG', `Data too long for column '${t.column}' at row ${t.rowNumber}`);
    n = (1n << BigInt(bits)) - 1n;
  }
  return Buffer.from(n.toString(16).padStart(bytes * 2, '0'), 'hex');
}

/**
 * A JSON column stores the canonical text of a valid document (MySQL's 3140 for anything else);
 * a string is parsed, a number or other non-text value is refused as MySQL refuses it.
 */
function coerceJson(v: Exclude<Value, null>, t: CoerceTarget): Value {
  if (typeof v !== 'string' && !Buffer.isBuffer(v)) {
    if (t.mode === 'cast') return sqlToJsonText(v, { kind: typeof v === 'number' && !Number.isInteger(v) ? 'double' : v instanceof Decimal ? 'decimal' : 'bigint' });
    throw sqlError('INVALID_JSON_TEXT', `Invalid JSON text: "not a JSON text, may need CAST" at position 0 in value for column '${t.column}'.`);
  }
  const s = typeof v === 'string' ? v : v.toString('utf8');
  try {
    return formatJson(parseJson(s));
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw depthError(e);
    const where = t.mode === 'cast' ? 'CAST' : `value for column '${t.column}'`;
    throw sqlError('INVALID_JSON_TEXT', `Invalid JSON text: "${e.reason}" at position ${e.position} in ${where}.`);
  }
}

/** Whether `type` can store `v` without any conversion (fast check used by the write path). */
export function isIntegerInRange(v: number, type: SqlType): boolean {
  if (!isIntegerType(type)) return false;
  const r = rangeOf(type);
  return v >= Number(r.min) && v <= Number(r.max);
}
