// The storage families of column types: how the key and row codecs treat each SQL type kind.
import type { SqlType } from '../base/sql-type.js';

/*
 * Plain numeric constants (not an enum object) so the codecs' switch statements
 * compile to integer compares on the hot path.
 */
/** Signed integers (TINYINT..BIGINT). */
export const FAM_INT = 0;
/** Unsigned integers, up to BIGINT UNSIGNED (bigint beyond 2^53). */
export const FAM_UINT = 1;
/** FLOAT and DOUBLE (JS number; NaN is rejected). */
export const FAM_DOUBLE = 2;
/** DECIMAL (Decimal). */
export const FAM_DECIMAL = 3;
/** Character strings and JSON text (string, compared under a collation). */
export const FAM_TEXT = 4;
/** Binary strings and BIT (Buffer). */
export const FAM_BINARY = 5;
/** TIME ('[-]HHH:MM:SS[.ffffff]'), ordered by its signed duration. */
export const FAM_TIME = 6;
/** DATE, DATETIME, TIMESTAMP in canonical text, which sorts correctly byte-wise. */
export const FAM_DATETEXT = 7;
/** YEAR (a number 0 or 1901..2155). */
export const FAM_YEAR = 8;
/** ENUM (the member string; keys order by member index, as MySQL does). */
export const FAM_ENUM = 9;
/** SET (comma-joined members; keys order by the member bitmask, as MySQL does). */
export const FAM_SET = 10;

export type Family = number;

/** The storage family of a column type. */
export function familyOf(type: SqlType): Family {
  switch (type.kind) {
    case 'tinyint': case 'smallint': case 'mediumint': case 'int': case 'bigint':
      return type.unsigned ? FAM_UINT : FAM_INT;
    case 'float': case 'double':
      return FAM_DOUBLE;
    case 'decimal':
      return FAM_DECIMAL;
    case 'char': case 'varchar': case 'tinytext': case 'text': case 'mediumtext': case 'longtext': case 'json':
      return FAM_TEXT;
    case 'binary': case 'varbinary': case 'tinyblob': case 'blob': case 'mediumblob': case 'longblob': case 'bit':
      return FAM_BINARY;
    case 'time':
      return FAM_TIME;
    case 'date': case 'datetime': case 'timestamp':
      return FAM_DATETEXT;
    case 'year':
      return FAM_YEAR;
    case 'enum':
      return FAM_ENUM;
    case 'set':
      return FAM_SET;
    case 'null':
      throw new Error('storage: a column cannot have the NULL type');
  }
}

const FAMILY_NAMES = ['int', 'unsigned int', 'double', 'decimal', 'text', 'binary', 'time', 'date/datetime text', 'year', 'enum', 'set'];

/** The error thrown when a value does not match its column's family: a bug in the caller, not a client error. */
export function familyMismatch(fam: Family, v: unknown, where: string): Error {
  const shown = typeof v === 'bigint' ? `${v}n` : Buffer.isBuffer(v) ? `<Buffer ${v.length}>` : typeof v === 'object' && v !== null ? v.constructor.name : JSON.stringify(v);
  return new TypeError(`storage: ${where}: value ${shown} does not fit a ${FAMILY_NAMES[fam]} column`);
}

/**
 * Parses canonical TIME text ('-838:59:59.500000', '12:00:00') into signed
 * microseconds, so TIME values order numerically. Returns NaN when malformed.
 */
export function timeToMicros(s: string): number {
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45 /* - */) {
    neg = true;
    i = 1;
  }
  let h = 0;
  let c = s.charCodeAt(i);
  if (!(c >= 48 && c <= 57)) return NaN;
  while (c >= 48 && c <= 57) {
    h = h * 10 + (c - 48);
    c = s.charCodeAt(++i);
  }
  if (c !== 58 /* : */) return NaN;
  const m = (s.charCodeAt(i + 1) - 48) * 10 + (s.charCodeAt(i + 2) - 48);
  if (s.charCodeAt(i + 3) !== 58) return NaN;
  const sec = (s.charCodeAt(i + 4) - 48) * 10 + (s.charCodeAt(i + 5) - 48);
  if (!(m >= 0 && m < 60 && sec >= 0 && sec < 60)) return NaN;
  i += 6;
  let frac = 0;
  if (i < s.length) {
    if (s.charCodeAt(i) !== 46 /* . */) return NaN;
    let scale = 100000;
    for (i++; i < s.length; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return NaN;
      frac += d * scale;
      scale /= 10;
    }
    frac = Math.round(frac);
  }
  const total = ((h * 60 + m) * 60 + sec) * 1_000_000 + frac;
  return neg ? -total : total;
}
