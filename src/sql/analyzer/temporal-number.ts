// Temporal values in numeric context (arithmetic, SUM, AVG), as MySQL reads them: DATE '2024-01-02' is
// 20240102, DATETIME adds HHMMSS (20240102101112), TIME is [-]HHMMSS; a fractional part makes a DECIMAL.
import type { Compiled } from './compile-expr.js';
import { Decimal } from '../../base/decimal.js';
import type { SqlType } from '../../base/sql-type.js';
import type { Value } from '../../base/value.js';
import { T_BIGINT, decimalType } from '../types/infer.js';

const DIGITS_OF_KIND: Partial<Record<SqlType['kind'], number>> = { date: 8, datetime: 14, timestamp: 14, time: 7 };

/** The number a stored temporal text stands for: its digits, keeping a leading '-' and the fraction. */
function temporalNumber(v: Exclude<Value, null>, fsp: number): Value {
  if (typeof v !== 'string') return v;
  let digits = '';
  let fraction = '';
  const dot = v.indexOf('.');
  const whole = dot < 0 ? v : v.slice(0, dot);
  for (let i = 0; i < whole.length; i++) {
    const ch = whole.charCodeAt(i);
    if (ch >= 48 && ch <= 57) digits += whole[i];
  }
  if (dot >= 0) fraction = v.slice(dot + 1, dot + 1 + fsp);
  const sign = v.trimStart().startsWith('-') ? '-' : '';
  if (fsp === 0) return Number(sign + digits);
  return Decimal.parse(`${sign}${digits}.${fraction.padEnd(fsp, '0')}`) ?? null;
}

/**
 * A DATE, DATETIME, TIMESTAMP or TIME operand as the number MySQL computes with: BIGINT without
 * fractional seconds, DECIMAL(digits + fsp, fsp) with them. Other operands are returned as they are.
 */
export function temporalAsNumber(x: Compiled): Compiled {
  const digits = DIGITS_OF_KIND[x.type.kind];
  if (digits === undefined) return x;
  const fsp = x.type.fsp ?? 0;
  const xe = x.eval;
  return {
    ...x,
    evalUnrounded: undefined,
    type: fsp === 0 ? { ...T_BIGINT, length: digits + 1 } : decimalType(digits + fsp, fsp),
    eval: (r, c) => {
      const v = xe(r, c);
      return v === null ? null : temporalNumber(v, fsp);
    },
  };
}
