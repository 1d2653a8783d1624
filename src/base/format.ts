// Renders values as MySQL's text protocol and string conversions show them.
import { Decimal } from './decimal.js';
import type { SqlType } from './sql-type.js';
import type { Value } from './value.js';

/**
 * Formats a double the way MySQL prints DOUBLE: the shortest text that reads
 * back to the same number, switching to exponent form (`1e15`, `1e-5`, no '+')
 * when the decimal exponent is below -4 or at least 15.
 */
export function formatDouble(n: number): string {
  // Fast path: in this range JS prints the same shortest digits without an exponent.
  const a = n < 0 ? -n : n;
  if (a >= 1e-4 && a < 1e15) return String(n);
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'inf' : '-inf';
  return formatShortest(n.toExponential(), n);
}

/** Formats a FLOAT (single precision) value with the shortest digits that survive a float32 round trip. */
export function formatFloat(n: number): string {
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'inf' : '-inf';
  const f = Math.fround(n);
  for (let p = 1; p <= 9; p++) {
    const e = f.toExponential(p - 1);
    if (Math.fround(Number(e)) === f) return formatShortest(e, Number(e));
  }
  return formatDouble(f);
}

/** Turns JS exponential text ("1.2345e+3") into MySQL's choice of plain or exponent form. */
function formatShortest(expText: string, n: number): string {
  const ePos = expText.indexOf('e');
  const exp = parseInt(expText.slice(ePos + 1), 10);
  if (exp < -4 || exp >= 15) {
    let mant = expText.slice(0, ePos);
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    return `${mant}e${exp}`;
  }
  // Plain form: JS prints integers and fractions in this range without exponent.
  const plain = String(n);
  return plain.includes('e') ? expandExponent(expText) : plain;
}

function expandExponent(expText: string): string {
  const ePos = expText.indexOf('e');
  const exp = parseInt(expText.slice(ePos + 1), 10);
  let mant = expText.slice(0, ePos);
  const neg = mant.startsWith('-');
  if (neg) mant = mant.slice(1);
  const digits = mant.replace('.', '');
  const point = 1 + exp;
  let out: string;
  if (point <= 0) out = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = digits.slice(0, point) + '.' + digits.slice(point);
  return (neg ? '-' : '') + out;
}

/**
 * The text-protocol form of a value of static type `type`: a string, the raw
 * bytes for binary types, or null for SQL NULL.
 */
export function formatValueText(value: Value, type: SqlType): string | Buffer | null {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      if (type.kind === 'double') return formatDouble(value);
      if (type.kind === 'float') return formatFloat(value);
      if (type.kind === 'decimal') return Decimal.fromNumber(value).withScale(type.scale ?? 0).toString();
      if (Number.isInteger(value)) return type.zerofill && type.length ? zeroFill(String(value), type.length) : String(value);
      return formatDouble(value);
    case 'bigint':
      return type.zerofill && type.length ? zeroFill(value.toString(), type.length) : value.toString();
    default:
      if (value instanceof Decimal) {
        const s = type.kind === 'decimal' && type.scale !== undefined ? value.withScale(type.scale).toString() : value.toString();
        return type.zerofill && type.length ? zeroFill(s, type.length) : s;
      }
      return value;
  }
}

function zeroFill(s: string, width: number): string {
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

/** A value converted to a JS string as MySQL's string context sees it (CONCAT, comparisons with text). */
export function valueToString(value: Exclude<Value, null>, type?: SqlType): string {
  if (typeof value === 'string') return value;
  // A DECIMAL-typed value reads at its type's scale, as it prints: CONCAT(IF(c, 1.5, 2.25), '') is '1.50'
  // (a branch, GREATEST argument or quotient carries its own scale until then).
  const decimalScale = type !== undefined && type.kind === 'decimal' ? type.scale : undefined;
  if (typeof value === 'number') {
    if (type && type.kind === 'float') return formatFloat(value);
    if (decimalScale !== undefined && decimalScale > 0 && Number.isInteger(value)) return Decimal.fromNumber(value).withScale(decimalScale).toString();
    return Number.isInteger(value) && !(type && (type.kind === 'double')) ? String(value) : formatDouble(value);
  }
  if (typeof value === 'bigint') return decimalScale !== undefined && decimalScale > 0 ? new Decimal(value, 0).withScale(decimalScale).toString() : value.toString();
  if (value instanceof Decimal) return decimalScale !== undefined && value.scale !== decimalScale ? value.withScale(decimalScale).toString() : value.toString();
  return value.toString('utf8');
}
