// Numeric functions: ABS, SIGN, ROUND, TRUNCATE, CEIL, FLOOR, MOD, POW, SQRT, EXP, LN, LOG, PI, RAND, ...
import { sqlError } from '../../base/errors.js';
import { modulo, arithDomain } from '../types/arith.js';
import { normInt, toDecimal, toDouble, toInteger, valueToString } from '../types/convert.js';
import { Decimal, DECIMAL_SCALE_MAX } from '../../base/decimal.js';
import { T_BIGINT, T_DOUBLE, decimalType, integerDigitsOf, scaleOf } from '../types/infer.js';
import type { SqlType } from '../../base/sql-type.js';
import type { Value } from '../../base/value.js';
import type { Compiled } from '../analyzer/compile-expr.js';
import { constantValue, strict, type FunctionDef } from './define.js';
import { keepingQuotientDigits } from './control.js';

type Domain = 'int' | 'decimal' | 'double';
const domainOf = (t: SqlType): Domain => arithDomain(t, t);

const sameType = (args: Compiled[]): SqlType => {
  const d = domainOf(args[0].type);
  return d === 'int' ? { ...T_BIGINT, unsigned: args[0].type.unsigned } : d === 'decimal' ? args[0].type : T_DOUBLE;
};

function doubleFn(name: string, f: (x: number) => number, min = 1, max = 1): FunctionDef {
  return strict(name, min, max, () => T_DOUBLE, (v) => {
    const r = f(toDouble(v[0]));
    return Number.isFinite(r) ? r : null;
  });
}

const ABS_VALUE = strict('ABS', 1, 1, sameType, (v, _c, args) => {
  const d = domainOf(args[0].type);
  const x = v[0];
  if (d === 'int') {
    const n = toInteger(x);
    if (typeof n === 'number') return Math.abs(n);
    const a = n < 0n ? -n : n;
    if (a > 9223372036854775807n && !args[0].type.unsigned) throw sqlError('DATA_OUT_OF_RANGE', `BIGINT value is out of range in 'abs(${n})'`);
    return normInt(a);
  }
  if (d === 'decimal') return toDecimal(x).abs();
  return Math.abs(toDouble(x));
});

/** ABS of a quotient keeps all its digits for the arithmetic that follows (ABS(-1/3)*3 is 1.0000, as in MySQL), shown at its scale. */
const ABS: FunctionDef = {
  ...ABS_VALUE,
  compile(args, env, call, compiler) {
    const plain = ABS_VALUE.compile(args, env, call, compiler);
    if (plain.type.kind !== 'decimal' || args[0].evalUnrounded === undefined) return plain;
    return { ...plain, ...keepingQuotientDigits(args, plain.type, ([xe]) => (r, c) => {
      const v = xe(r, c);
      return v === null ? null : toDecimal(v).abs();
    }) };
  },
};

const SIGN = strict('SIGN', 1, 1, () => T_BIGINT, (v, _c, args) => {
  const d = domainOf(args[0].type);
  if (d === 'double') return Math.sign(toDouble(v[0]));
  return toDecimal(v[0]).sign();
}, { quotientDigits: true });

function roundingType(args: Compiled[], dropScale: boolean): SqlType {
  const t = args[0].type;
  const d = domainOf(t);
  if (d === 'double') return T_DOUBLE;
  if (d === 'int') return { ...T_BIGINT, unsigned: t.unsigned };
  if (dropScale) return decimalType(integerDigitsOf(t) + 1, 0);
  // ROUND(x, n) / TRUNCATE(x, n) with a constant n show n digits (ROUND(1.23, 3) = 1.230), as MySQL's type does.
  const n = args[1] ? constantInt(args[1]) ?? scaleOf(t) : scaleOf(t);
  const scale = Math.max(0, Math.min(n, DECIMAL_SCALE_MAX));
  return decimalType(integerDigitsOf(t) + scale + 1, scale);
}

/** The value of a constant integer argument known at compile time, else undefined. */
function constantInt(a: Compiled): number | undefined {
  const v = constantValue(a);
  return v === null || v === undefined ? undefined : Number(toInteger(v));
}

function roundValue(x: Exclude<Value, null>, places: number, d: Domain, truncate: boolean): Value {
  if (d === 'double') {
    const n = toDouble(x);
    const f = Math.pow(10, places);
    if (truncate) return Math.trunc(n * f) / f;
    // Round half away from zero on the decimal text to avoid binary artefacts (ROUND(2.5) = 3).
    const dec = Decimal.fromNumber(n);
    return places >= 0 ? dec.withScale(Math.min(places, 30)).toNumber() : Math.round(n / Math.pow(10, -places)) * Math.pow(10, -places);
  }
  const dec = toDecimal(x);
  let out: Decimal;
  // MySQL shares ROUND's result type with TRUNCATE: the scale is the places asked for (TRUNCATE(1.5, 2) = 1.50).
  if (places >= 0) out = truncate ? dec.truncateTo(places).withScale(places) : dec.withScale(places);
  else {
    const p = -places;
    const shifted = new Decimal(dec.unscaled, dec.scale + p);
    const r = truncate ? shifted.truncateTo(0) : shifted.withScale(0);
    out = new Decimal(r.unscaled * 10n ** BigInt(p), 0);
  }
  if (d === 'int') return normInt(out.withScale(0).unscaled);
  return out;
}

const ROUND = strict('ROUND', 1, 2, (a) => roundingType(a, a.length === 1), (v, _c, args) => {
  const places = v.length > 1 ? Number(toInteger(v[1])) : 0;
  const r = roundValue(v[0], places, domainOf(args[0].type), false);
  return r instanceof Decimal && args.length === 1 ? r.withScale(0) : r;
}, { quotientDigits: true });

const TRUNCATE = strict('TRUNCATE', 2, 2, (a) => roundingType(a, false), (v, _c, args) =>
  roundValue(v[0], Number(toInteger(v[1])), domainOf(args[0].type), true), { quotientDigits: true });

function ceilFloor(name: string, up: boolean): FunctionDef {
  return strict(name, 1, 1, (a) => (domainOf(a[0].type) === 'double' ? T_DOUBLE : { ...T_BIGINT, unsigned: a[0].type.unsigned }), (v, _c, args) => {
    const d = domainOf(args[0].type);
    if (d === 'double') return up ? Math.ceil(toDouble(v[0])) : Math.floor(toDouble(v[0]));
    if (d === 'int') return toInteger(v[0]);
    const dec = toDecimal(v[0]);
    return normInt(up ? dec.ceil() : dec.floor());
  }, { quotientDigits: true });
}

const MOD = strict('MOD', 2, 2, (a) => {
  const d = arithDomain(a[0].type, a[1].type);
  return d === 'int' ? T_BIGINT : d === 'decimal' ? decimalType(30, Math.max(scaleOf(a[0].type), scaleOf(a[1].type))) : T_DOUBLE;
}, (v, _c, args) => modulo(arithDomain(args[0].type, args[1].type), v[0], v[1]));

const LOG = strict('LOG', 1, 2, () => T_DOUBLE, (v) => {
  if (v.length === 1) {
    const x = toDouble(v[0]);
    return x > 0 ? Math.log(x) : null;
  }
  const b = toDouble(v[0]);
  const x = toDouble(v[1]);
  return b > 0 && b !== 1 && x > 0 ? Math.log(x) / Math.log(b) : null;
});

const RAND: FunctionDef = {
  name: 'RAND', minArgs: 0, maxArgs: 1,
  compile() {
    return { type: T_DOUBLE, nullable: false, constant: false, eval: () => Math.random() };
  },
};

const PI = strict('PI', 0, 0, () => ({ kind: 'double', precision: 8, scale: 6 }), () => Math.PI);

const CONV_INT = (name: string, f: (n: bigint) => string) =>
  strict(name, 1, 1, () => ({ kind: 'varchar', length: 64 }), (v) => f(BigInt.asUintN(64, BigInt(toInteger(v[0])))));

/** ATAN(y, x) and ATAN2(y, x): the angle of the point (x, y). */
const atan2 = (name: string) => strict(name, 2, 2, () => T_DOUBLE, (v) => Math.atan2(toDouble(v[0]), toDouble(v[1])));

const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * CONV(n, from, to): the leading digits valid in base |from| (2..36), as an unsigned 64-bit number
 * unless a base is negative, then written in base |to|. NULL for bases out of range.
 */
const CONV = strict('CONV', 3, 3, () => ({ kind: 'varchar', length: 64 }), (v) => {
  const from = Number(toInteger(v[1]));
  const to = Number(toInteger(v[2]));
  const fa = Math.abs(from), ta = Math.abs(to);
  if (fa < 2 || fa > 36 || ta < 2 || ta > 36) return null;
  const text = (Buffer.isBuffer(v[0]) ? v[0].toString('latin1') : valueToString(v[0])).trim().toUpperCase();
  let i = 0;
  const neg = text[0] === '-';
  if (neg) i++;
  let n = 0n;
  for (; i < text.length; i++) {
    const d = DIGITS.indexOf(text[i]);
    if (d < 0 || d >= fa) break;
    n = n * BigInt(fa) + BigInt(d);
    if (n > 0xffffffffffffffffn) n = 0xffffffffffffffffn;
  }
  if (neg) n = BigInt.asUintN(64, -n);
  // A negative target base writes the value as signed.
  const signed = to < 0 ? BigInt.asIntN(64, n) : n;
  return (signed < 0n ? '-' + (-signed).toString(ta) : signed.toString(ta)).toUpperCase();
});

/** BIT_COUNT(n): the set bits of n as a 64-bit unsigned integer, as the bit operators read it (-1 has 64). */
const BIT_COUNT = strict('BIT_COUNT', 1, 1, () => ({ ...T_BIGINT, length: 2 }), (v) => {
  let bits = BigInt.asUintN(64, BigInt(toInteger(v[0])));
  let count = 0;
  while (bits !== 0n) {
    bits &= bits - 1n;
    count++;
  }
  return count;
});

export const mathFunctions: FunctionDef[] = [
  ABS, SIGN, ROUND, TRUNCATE,
  ceilFloor('CEIL', true), ceilFloor('CEILING', true), ceilFloor('FLOOR', false),
  MOD,
  doubleFn('SQRT', (x) => (x < 0 ? NaN : Math.sqrt(x))),
  strict('POW', 2, 2, () => T_DOUBLE, (v) => Math.pow(toDouble(v[0]), toDouble(v[1]))),
  strict('POWER', 2, 2, () => T_DOUBLE, (v) => Math.pow(toDouble(v[0]), toDouble(v[1]))),
  doubleFn('EXP', Math.exp),
  doubleFn('LN', (x) => (x > 0 ? Math.log(x) : NaN)),
  LOG,
  doubleFn('LOG2', (x) => (x > 0 ? Math.log2(x) : NaN)),
  doubleFn('LOG10', (x) => (x > 0 ? Math.log10(x) : NaN)),
  doubleFn('SIN', Math.sin), doubleFn('COS', Math.cos), doubleFn('TAN', Math.tan),
  doubleFn('ASIN', Math.asin), doubleFn('ACOS', Math.acos), doubleFn('ATAN', Math.atan),
  doubleFn('COT', (x) => 1 / Math.tan(x)),
  doubleFn('DEGREES', (x) => (x * 180) / Math.PI), doubleFn('RADIANS', (x) => (x * Math.PI) / 180),
  PI, RAND,
  CONV_INT('BIN', (n) => n.toString(2)),
  CONV_INT('OCT', (n) => n.toString(8)),
  atan2('ATAN2'), CONV, BIT_COUNT,
];
