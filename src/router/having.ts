// HAVING of a scattered GROUP BY, evaluated by the router on the merged groups: comparisons, AND/OR/NOT, IS NULL and BETWEEN over aggregates, group keys and constants.
import { Decimal, type Row, type Value } from '../base/value.js';
import type { Expr } from '../sql/parser/index.js';
import { compareValues } from './compare.js';
import { notSupported } from './route.js';

/** SQL's three values: true, false, and NULL (unknown). */
type Truth = boolean | null;
type Evaluator = (row: Row) => Value;

function constant(e: Expr): Value | undefined {
  if (e.type !== 'literal') return undefined;
  switch (e.kind) {
    case 'null': return null;
    case 'integer': return e.value;
    case 'decimal': return Decimal.parse(e.text) ?? null;
    case 'float': return e.value;
    case 'string': return e.value;
    case 'boolean': return e.value ? 1 : 0;
    default: return undefined;
  }
}

/** A string compared with a number compares as a number, as MySQL does. */
function compareMixed(a: Value, b: Value): number {
  const numeric = (v: Value) => typeof v === 'number' || typeof v === 'bigint' || v instanceof Decimal;
  if (typeof a === 'string' && numeric(b)) return compareValues(Number(a) || 0, b);
  if (numeric(a) && typeof b === 'string') return compareValues(a, Number(b) || 0);
  return compareValues(a, b);
}

const COMPARE: Record<string, (c: number) => boolean> = {
  '=': (c) => c === 0,
  '!=': (c) => c !== 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};

function truthOf(v: Value): Truth {
  if (v === null) return null;
  if (v instanceof Decimal) return !v.isZero();
  if (typeof v === 'string') return (Number(v) || 0) !== 0;
  if (Buffer.isBuffer(v)) return v.length > 0;
  return Number(v) !== 0;
}

const fromTruth = (t: Truth): Value => (t === null ? null : t ? 1 : 0);

/**
 * Compiles `e` to a predicate over merged rows; `column` gives the row position of an
 * aggregate, a select alias or a group key (adding hidden outputs as it must), undefined when it cannot.
 */
export function compileHaving(e: Expr, column: (e: Expr) => number | undefined): (row: Row) => boolean {
  const value = (x: Expr): Evaluator => {
    const c = constant(x);
    if (c !== undefined) return () => c;
    if (x.type === 'binary' && (x.op === 'AND' || x.op === 'OR' || x.op === 'XOR')) {
      const l = truth(x.left);
      const r = truth(x.right);
      if (x.op === 'AND') return (row) => { const a = l(row); const b = r(row); return fromTruth(a === false || b === false ? false : a === null || b === null ? null : true); };
      if (x.op === 'OR') return (row) => { const a = l(row); const b = r(row); return fromTruth(a === true || b === true ? true : a === null || b === null ? null : false); };
      return (row) => { const a = l(row); const b = r(row); return fromTruth(a === null || b === null ? null : a !== b); };
    }
    if (x.type === 'binary' && Object.hasOwn(COMPARE, x.op)) {
      const test = COMPARE[x.op];
      const l = value(x.left);
      const r = value(x.right);
      return (row) => { const a = l(row); const b = r(row); return a === null || b === null ? null : fromTruth(test(compareMixed(a, b))); };
    }
    if (x.type === 'unary' && (x.op === 'NOT' || x.op === '!')) {
      const o = truth(x.operand);
      return (row) => { const t = o(row); return fromTruth(t === null ? null : !t); };
    }
    if (x.type === 'is' && (x.test === 'null' || x.test === 'unknown')) {
      const o = value(x.operand);
      return (row) => fromTruth((o(row) === null) !== x.not);
    }
    if (x.type === 'between') {
      const o = value(x.operand);
      const lo = value(x.low);
      const hi = value(x.high);
      return (row) => {
        const v = o(row); const a = lo(row); const b = hi(row);
        if (v === null || a === null || b === null) return null;
        return fromTruth((compareMixed(v, a) >= 0 && compareMixed(v, b) <= 0) !== x.not);
      };
    }
    const at = column(x);
    if (at === undefined) throw notSupported('this HAVING condition in a scatter query (comparisons, AND/OR/NOT, IS NULL and BETWEEN over aggregates, group keys and constants merge)');
    return (row) => row[at];
  };
  const truth = (x: Expr): ((row: Row) => Truth) => {
    const v = value(x);
    return (row) => truthOf(v(row));
  };
  const top = truth(e);
  return (row) => top(row) === true;
}
