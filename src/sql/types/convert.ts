// Implicit conversions between value families, with MySQL's lenient string-to-number rules.
import { Decimal } from '../../base/decimal.js';
import { valueToString } from '../../base/format.js';
import type { Value } from '../../base/value.js';

/** Something that wants to hear about lossy conversions (becomes a 1292/1265 warning). */
export interface ConversionSink {
  truncated(kind: 'DOUBLE' | 'INTEGER' | 'DECIMAL', text: string): void;
}

/** Finds the longest numeric prefix of a string, as MySQL does for '12abc' → 12. */
export function numericPrefix(s: string): { text: string; complete: boolean } {
  let i = 0;
  const n = s.length;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  const start = i;
  if (i < n && (s[i] === '+' || s[i] === '-')) i++;
  const digitsStart = i;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  let sawDigits = i > digitsStart;
  if (i < n && s[i] === '.') {
    i++;
    const fracStart = i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    sawDigits = sawDigits || i > fracStart;
  }
  if (!sawDigits) return { text: '', complete: s.trim() === '' && false };
  if (i < n && (s[i] === 'e' || s[i] === 'E')) {
    let j = i + 1;
    if (j < n && (s[j] === '+' || s[j] === '-')) j++;
    const expStart = j;
    while (j < n && isDigit(s.charCodeAt(j))) j++;
    if (j > expStart) i = j;
  }
  const text = s.slice(start, i);
  let k = i;
  while (k < n && isSpace(s.charCodeAt(k))) k++;
  return { text, complete: k === n };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
/** ASCII white space as MySQL's number scanners skip it. */
export function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

/** A string as a double, using its numeric prefix ('' and 'abc' are 0). */
export function stringToDouble(s: string, sink?: ConversionSink): number {
  const p = numericPrefix(s);
  if (!p.complete && sink) sink.truncated('DOUBLE', s);
  if (p.text === '') return 0;
  const v = Number(p.text);
  return Number.isFinite(v) ? v : v > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
}

/** A string as an exact Decimal (its numeric prefix). */
export function stringToDecimal(s: string, sink?: ConversionSink): Decimal {
  const p = numericPrefix(s);
  if (!p.complete && sink) sink.truncated('DECIMAL', s);
  if (p.text === '') return new Decimal(0n, 0);
  return Decimal.parse(p.text) ?? new Decimal(0n, 0);
}

/** Any non-null value as a double. */
export function toDouble(v: Exclude<Value, null>, sink?: ConversionSink): number {
  switch (typeof v) {
    case 'number':
      return v;
    case 'bigint':
      return Number(v);
    case 'string':
      return stringToDouble(v, sink);
    default:
      if (v instanceof Decimal) return v.toNumber();
      return stringToDouble(v.toString('latin1'), sink);
  }
}

/** Any non-null value as an exact Decimal (doubles via their shortest text). */
export function toDecimal(v: Exclude<Value, null>, sink?: ConversionSink): Decimal {
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? Decimal.fromNumber(v) : new Decimal(0n, 0);
    case 'bigint':
      return new Decimal(v, 0);
    case 'string':
      return stringToDecimal(v, sink);
    default:
      if (v instanceof Decimal) return v;
      return stringToDecimal(v.toString('latin1'), sink);
  }
}

/** Normalizes an integer result: number when safe, bigint otherwise. */
export function normInt(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/**
 * Any non-null value as an integer, rounding as MySQL does in integer context
 * (doubles and decimals round half away from zero; strings use their prefix).
 */
export function toInteger(v: Exclude<Value, null>, sink?: ConversionSink): number | bigint {
  switch (typeof v) {
    case 'number':
      if (Number.isInteger(v)) return v;
      return roundHalfAway(v);
    case 'bigint':
      return normInt(v);
    case 'string': {
      const p = numericPrefix(v);
      if (!p.complete && sink) sink.truncated('INTEGER', v);
      if (p.text === '') return 0;
      if (/^[+-]?\d+$/.test(p.text)) return normInt(BigInt(p.text));
      const d = Decimal.parse(p.text);
      return d ? normInt(d.withScale(0).unscaled) : 0;
    }
    default:
      if (v instanceof Decimal) return normInt(v.withScale(0).unscaled);
      return toInteger(v.toString('latin1'), sink);
  }
}

function roundHalfAway(n: number): number | bigint {
  const r = n < 0 ? -Math.round(-n) : Math.round(n);
  if (Number.isSafeInteger(r)) return r;
  if (!Number.isFinite(r)) return r > 0 ? 9223372036854775807n : -9223372036854775808n;
  return BigInt(r);
}

/** Truthiness in a boolean context: NULL stays NULL (undefined here), otherwise nonzero numeric value. */
export function toBoolean(v: Value): boolean | null {
  if (v === null) return null;
  switch (typeof v) {
    case 'number':
      return v !== 0;
    case 'bigint':
      return v !== 0n;
    case 'string':
      return stringToDouble(v) !== 0;
    default:
      if (v instanceof Decimal) return !v.isZero();
      return stringToDouble(v.toString('latin1')) !== 0;
  }
}

export { valueToString };
