// Values of another runtime type converted for fixed-width binary fields (result rows and statement parameters).
import { Decimal } from '../../base/decimal.js';
import type { Value } from '../../base/value.js';

/** An integer column's value as a number or bigint (values of other runtime types are converted). */
export function integerOf(v: Exclude<Value, null>): number | bigint {
  if (typeof v === 'number') return Number.isInteger(v) ? v : Math.round(v);
  if (typeof v === 'bigint') return v;
  if (v instanceof Decimal) return v.truncInt();
  const text = typeof v === 'string' ? v.trim() : v.toString('latin1');
  if (/^[+-]?\d+$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  const n = Number(text);
  return Number.isFinite(n) ? Math.trunc(n) : 0;
}

/** A FLOAT/DOUBLE field's value as a number (text that is not a number is 0). */
export function doubleOf(v: Exclude<Value, null>): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Decimal) return v.toNumber();
  const n = Number(typeof v === 'string' ? v : v.toString('latin1'));
  return Number.isNaN(n) ? 0 : n;
}
