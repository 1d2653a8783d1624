// How two values compare, chosen once per expression from the operands' static types.
import { Decimal } from '../../base/decimal.js';
import { compareText } from '../../base/collation.js';
import { isIntegerType, isStringType, isTemporalType, isBinaryType, type SqlType } from '../../base/sql-type.js';
import { toDecimal, toDouble } from './convert.js';
import { valueToString } from '../../base/format.js';
import type { Value } from '../../base/value.js';
import { compareAsJson } from './json-compare.js';

/** The domain a comparison happens in (MySQL's rules for mixed operands). */
export type CompareDomain = 'int' | 'decimal' | 'double' | 'text' | 'binary';

/** Picks the comparison domain for two operand types, as MySQL's Item_func comparison does. */
export function compareDomain(a: SqlType, b: SqlType): CompareDomain {
  if (a.kind === 'null') return domainOf(b);
  if (b.kind === 'null') return domainOf(a);
  const aStr = isStringType(a) || isTemporalType(a);
  const bStr = isStringType(b) || isTemporalType(b);
  if (aStr && bStr) return 'text';
  if (isBinaryType(a) && (isBinaryType(b) || bStr)) return 'binary';
  if (isBinaryType(b) && aStr) return 'binary';
  if (isIntegerType(a) && isIntegerType(b)) return 'int';
  const aExact = isIntegerType(a) || a.kind === 'decimal';
  const bExact = isIntegerType(b) || b.kind === 'decimal';
  if (aExact && bExact) return 'decimal';
  return 'double';
}

function domainOf(t: SqlType): CompareDomain {
  if (isIntegerType(t)) return 'int';
  if (t.kind === 'decimal') return 'decimal';
  if (t.kind === 'float' || t.kind === 'double') return 'double';
  if (isBinaryType(t)) return 'binary';
  return 'text';
}

/** Compares two non-null values in a domain; returns <0, 0, >0. */
export function compareIn(domain: CompareDomain, a: Exclude<Value, null>, b: Exclude<Value, null>, collation?: string): number {
  switch (domain) {
    case 'int':
      if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
      return compareIntLike(a, b);
    case 'decimal':
      if (typeof a === 'number' && typeof b === 'number' && Number.isInteger(a) && Number.isInteger(b)) return a < b ? -1 : a > b ? 1 : 0;
      return toDecimal(a).compare(toDecimal(b));
    case 'double': {
      const x = toDouble(a);
      const y = toDouble(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'text':
      return compareText(textOf(a), textOf(b), collation);
    case 'binary': {
      const x = Buffer.isBuffer(a) ? a : Buffer.from(textOf(a), 'utf8');
      const y = Buffer.isBuffer(b) ? b : Buffer.from(textOf(b), 'utf8');
      return Buffer.compare(x, y);
    }
  }
}

function compareIntLike(a: Exclude<Value, null>, b: Exclude<Value, null>): number {
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return toDecimal(a).compare(toDecimal(b));
}

function textOf(v: Exclude<Value, null>): string {
  return typeof v === 'string' ? v : valueToString(v);
}

/**
 * A total order for sorting values of one static type (ORDER BY, DISTINCT):
 * NULL first, then by the type's domain (JSON by MySQL's JSON ordering).
 */
export function compareForSort(type: SqlType, a: Value, b: Value): number {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  if (type.kind === 'json') return compareAsJson(a, type, b, type);
  return compareIn(domainOf(type), a, b, type.collation);
}

export { Decimal };
