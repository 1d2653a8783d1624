// A string key for a tuple of values under SQL equality (collation-aware), for GROUP BY, DISTINCT and set operations.
import { collationKey } from '../../base/collation.js';
import { toDecimal } from './convert.js';
import { Decimal } from '../../base/decimal.js';
import { isBinaryType, isIntegerType, type SqlType } from '../../base/sql-type.js';
import type { Value } from '../../base/value.js';

/** Encodes one value so that equal values (by their type's equality) give equal text. */
function valueKey(v: Value, type: SqlType): string {
  if (v === null) return '\u0000N';
  if (typeof v === 'number') {
    if (Number.isInteger(v) || isIntegerType(type)) return 'n' + String(v);
    return 'f' + String(v);
  }
  if (typeof v === 'bigint') return 'n' + v.toString();
  if (v instanceof Decimal) {
    // Normalize scale so 1.50 and 1.5 group together; integral decimals match integers.
    const d = toDecimal(v);
    let s = d.toString();
    if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
    return 'n' + (s === '-0' ? '0' : s);
  }
  if (typeof v === 'string') return 's' + (isBinaryType(type) ? v : collationKey(v, type.collation));
  return 'b' + v.toString('latin1');
}

/** The key of a whole tuple. */
export function rowKey(values: readonly Value[], types: readonly SqlType[]): string {
  if (values.length === 1) return valueKey(values[0], types[0]);
  let k = '';
  for (let i = 0; i < values.length; i++) k += valueKey(values[i], types[i]) + '\u0001';
  return k;
}
