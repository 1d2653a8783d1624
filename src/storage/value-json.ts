// Values in the catalog's JSON form (column defaults): exact for bigint, Decimal and Buffer.
import { Decimal } from '../base/decimal.js';
import type { Value } from '../base/value.js';
import type { JsonValue } from './table-def.js';

/** Encodes a Value for the catalog: null/number/string as is, bigint {i}, Decimal {d} (scale kept), Buffer {b: base64}. */
export function valueToJson(v: Value): JsonValue {
  if (v === null || typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`storage: ${v} cannot be stored in the catalog`);
    return v;
  }
  if (typeof v === 'bigint') return { i: v.toString() };
  if (v instanceof Decimal) return { d: v.toString() };
  return { b: v.toString('base64') };
}

/** Decodes what valueToJson produced. */
export function valueFromJson(j: JsonValue): Value {
  if (j === null || typeof j === 'number' || typeof j === 'string') return j;
  if ('i' in j) return BigInt(j.i);
  if ('d' in j) {
    const d = Decimal.parse(j.d);
    if (d === undefined) throw new TypeError(`storage: bad decimal in catalog: ${j.d}`);
    return d;
  }
  return Buffer.from(j.b, 'base64');
}
