// Arithmetic with MySQL's result types: exact integers (overflow is an error), DECIMAL, DOUBLE.
import { sqlError } from '../../base/errors.js';
import { Decimal, pow10 } from '../../base/decimal.js';
import { normInt, toDecimal, toDouble, toInteger } from './convert.js';
import { isIntegerType, type SqlType } from '../../base/sql-type.js';
import type { Value } from '../../base/value.js';

/** The domain an arithmetic operator computes in. */
export type ArithDomain = 'int' | 'decimal' | 'double';

const INT64_MIN = -9223372036854775808n;
const INT64_MAX = 9223372036854775807n;
const UINT64_MAX = 18446744073709551615n;

/** Picks the arithmetic domain for + - * and MOD from the operand types. */
export function arithDomain(a: SqlType, b: SqlType): ArithDomain {
  const exact = (t: SqlType) => isIntegerType(t) || t.kind === 'null' || t.kind === 'year' || t.kind === 'bit';
  if (exact(a) && exact(b)) return 'int';
  const exactOrDec = (t: SqlType) => exact(t) || t.kind === 'decimal';
  if (exactOrDec(a) && exactOrDec(b)) return 'decimal';
  return 'double';
}

function checkedInt(v: bigint, unsigned: boolean, text: () => string): number | bigint {
  if (unsigned ? v < 0n || v > UINT64_MAX : v < INT64_MIN || v > INT64_MAX) {
    throw sqlError('DATA_OUT_OF_RANGE', `${unsigned ? 'BIGINT UNSIGNED' : 'BIGINT'} value is out of range in '${text()}'`);
  }
  return normInt(v);
}

/** a op b for op in + - * over non-null operands; `text` renders the expression for overflow errors. */
export function arith(op: '+' | '-' | '*', domain: ArithDomain, a: Exclude<Value, null>, b: Exclude<Value, null>, unsigned: boolean, text: () => string): Value {
  if (domain === 'int') {
    if (typeof a === 'number' && typeof b === 'number') {
      const r = op === '+' ? a + b : op === '-' ? a - b : a * b;
      if (Number.isSafeInteger(r) && (!unsigned || r >= 0)) return r;
    }
    const x = BigInt(toInteger(a));
    const y = BigInt(toInteger(b));
    return checkedInt(op === '+' ? x + y : op === '-' ? x - y : x * y, unsigned, text);
  }
  if (domain === 'decimal') {
    const x = toDecimal(a);
    const y = toDecimal(b);
    return op === '+' ? x.add(y) : op === '-' ? x.sub(y) : x.mul(y);
  }
  const x = toDouble(a);
  const y = toDouble(b);
  const r = op === '+' ? x + y : op === '-' ? x - y : x * y;
  if (!Number.isFinite(r)) throw sqlError('DATA_OUT_OF_RANGE', `DOUBLE value is out of range in '${text()}'`);
  return r;
}

/** a / b: DECIMAL for exact operands (scale + div_precision_increment), DOUBLE otherwise; NULL on zero. */
export function divide(exact: boolean, a: Exclude<Value, null>, b: Exclude<Value, null>, precisionIncrement: number): Value {
  if (exact) {
    return toDecimal(a).divInWords(toDecimal(b), precisionIncrement) ?? null;
  }
  const y = toDouble(b);
  if (y === 0) return null;
  return toDouble(a) / y;
}

/** a DIV b: integer division truncating toward zero; NULL on zero. */
export function intDivide(a: Exclude<Value, null>, b: Exclude<Value, null>, unsigned: boolean, text: () => string): Value {
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint') && Number.isInteger(Number(a)) && Number.isInteger(Number(b))) {
    const y = BigInt(b);
    if (y === 0n) return null;
    return checkedInt(BigInt(a) / y, unsigned, text);
  }
  const x = toDecimal(a);
  const y = toDecimal(b);
  if (y.isZero()) return null;
  // Exact quotient truncated toward zero: (xu/10^xs) / (yu/10^ys) = xu*10^ys / (yu*10^xs).
  const q = (x.unscaled * pow10(y.scale)) / (y.unscaled * pow10(x.scale));
  return checkedInt(q, unsigned, text);
}

/** a MOD b with the sign of a; NULL on zero. */
export function modulo(domain: ArithDomain, a: Exclude<Value, null>, b: Exclude<Value, null>): Value {
  if (domain === 'int') {
    if (typeof a === 'number' && typeof b === 'number') return b === 0 ? null : a % b || 0;
    const y = BigInt(toInteger(b));
    if (y === 0n) return null;
    return normInt(BigInt(toInteger(a)) % y);
  }
  if (domain === 'decimal') return toDecimal(a).mod(toDecimal(b)) ?? null;
  const y = toDouble(b);
  if (y === 0) return null;
  return toDouble(a) % y;
}

/** Unary minus in the operand's domain. */
export function negate(domain: ArithDomain, a: Exclude<Value, null>, text: () => string): Value {
  if (domain === 'int') {
    if (typeof a === 'number') return a === 0 ? 0 : -a;
    return checkedInt(-BigInt(toInteger(a)), false, text);
  }
  if (domain === 'decimal') return toDecimal(a).neg();
  return -toDouble(a);
}

export { Decimal };
