// Comparing and keying values as the shards do, for the router's merge sort, GROUP BY and DISTINCT: numbers by value, strings by the default collation.
import { collationKey } from '../base/collation.js';
import { Decimal, type Value } from '../base/value.js';

function decimalOf(v: number | bigint | Decimal): Decimal {
  if (v instanceof Decimal) return v;
  return typeof v === 'bigint' ? Decimal.fromInt(v) : Decimal.fromNumber(v);
}

/** MySQL's ascending order: NULL first, then by value. */
export function compareValues(a: Value, b: Value): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  const numeric = (v: Value): v is number | bigint | Decimal => typeof v === 'number' || typeof v === 'bigint' || v instanceof Decimal;
  if (numeric(a) && numeric(b)) {
    if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
    if ((typeof a === 'number' && !Number.isInteger(a)) || (typeof b === 'number' && !Number.isInteger(b))) {
      const x = Number(a instanceof Decimal ? a.toNumber() : a);
      const y = Number(b instanceof Decimal ? b.toNumber() : b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    return decimalOf(a).compare(decimalOf(b));
  }
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return Buffer.compare(a, b);
  const x = collationKey(String(a));
  const y = collationKey(String(b));
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A text equal for values the shards call equal (GROUP BY, DISTINCT). */
export function valueKey(v: Value): string {
  if (v === null) return 'N';
  if (Buffer.isBuffer(v)) return `b${v.toString('hex')}`;
  if (typeof v === 'string') return `s${collationKey(v)}`;
  if (typeof v === 'number' && !Number.isInteger(v)) return `f${v}`;
  const text = decimalOf(v).toString();
  return `n${text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text}`;
}

export function rowKey(row: readonly Value[]): string {
  return JSON.stringify(row.map(valueKey));
}
