// Control-flow and comparison functions: IF, IFNULL, NULLIF, COALESCE, GREATEST, LEAST, ISNULL, INTERVAL.
import type { Compiled, Evaluator } from '../analyzer/compile-expr.js';
import { Decimal } from '../../base/decimal.js';
import type { SqlType } from '../../base/sql-type.js';
import { compareDomain, compareIn } from '../types/compare.js';
import { toBoolean, toDouble } from '../types/convert.js';
import { T_BIGINT, T_BOOL_INT, unifyTypes } from '../types/infer.js';
import type { FunctionDef } from './define.js';

/**
 * A DECIMAL result chosen among branches or arguments of which some are quotients: it is chosen from their
 * unrounded values, as MySQL reads a quotient with all its digits (GREATEST(x, 2/92.54) shows 0.02161 at scale 5,
 * not the 4-place 0.0216), shown at the result type's scale, and passed on unrounded to arithmetic that follows.
 */
export function keepingQuotientDigits(parts: Compiled[], type: SqlType, make: (evals: Evaluator[]) => Evaluator): Pick<Compiled, 'eval' | 'evalUnrounded'> {
  const plain = make(parts.map((p) => p.eval));
  if (type.kind !== 'decimal' || !parts.some((p) => p.evalUnrounded !== undefined)) return { eval: plain };
  const raw = make(parts.map((p) => p.evalUnrounded ?? p.eval));
  const scale = type.scale ?? 0;
  return { eval: (r, c) => { const v = raw(r, c); return v instanceof Decimal && v.scale > scale ? v.withScale(scale) : v; }, evalUnrounded: raw };
}

const IF: FunctionDef = {
  name: 'IF', minArgs: 3, maxArgs: 3,
  compile([cond, a, b], _env, _call, { convertTo }) {
    const type = unifyTypes([a.type, b.type]);
    const ce = cond.eval;
    return {
      type, nullable: a.nullable || b.nullable, constant: cond.constant && a.constant && b.constant,
      ...keepingQuotientDigits([convertTo(a, type), convertTo(b, type)], type, ([ae, be]) => (r, c) => (toBoolean(ce(r, c)) === true ? ae(r, c) : be(r, c))),
    };
  },
};

function coalesce(name: string, min: number, max: number): FunctionDef {
  return {
    name, minArgs: min, maxArgs: max,
    compile(args, _env, _call, { convertTo }) {
      const type = unifyTypes(args.map((a) => a.type));
      return {
        type, nullable: args.every((a) => a.nullable), constant: args.every((a) => a.constant),
        ...keepingQuotientDigits(args.map((a) => convertTo(a, type)), type, (evals) => (r, c) => {
          for (const e of evals) {
            const v = e(r, c);
            if (v !== null) return v;
          }
          return null;
        }),
      };
    },
  };
}

const NULLIF: FunctionDef = {
  name: 'NULLIF', minArgs: 2, maxArgs: 2,
  compile([a, b], _env, _call, { compileComparison }) {
    const eq = compileComparison('=', a, b).eval;
    const ae = a.eval;
    return {
      type: a.type, nullable: true, constant: a.constant && b.constant,
      eval: (r, c) => (eq(r, c) === 1 ? null : ae(r, c)),
    };
  },
};

function extreme(name: string, sign: 1 | -1): FunctionDef {
  return {
    name, minArgs: 2, maxArgs: 1 << 16,
    compile(args: Compiled[], _env, _call, { convertTo }) {
      const type = unifyTypes(args.map((a) => a.type));
      const dom = compareDomain(type, type);
      return {
        type, nullable: true, constant: args.every((a) => a.constant),
        ...keepingQuotientDigits(args.map((a) => convertTo(a, type)), type, (evals) => (r, c) => {
          let best = evals[0](r, c);
          if (best === null) return null;
          for (let i = 1; i < evals.length; i++) {
            const v = evals[i](r, c);
            if (v === null) return null;
            if (compareIn(dom, v, best, type.collation) * sign > 0) best = v;
          }
          return best;
        }),
      };
    },
  };
}

/** ISNULL(x): 1 when x is NULL, else 0; never NULL itself. */
const ISNULL: FunctionDef = {
  name: 'ISNULL', minArgs: 1, maxArgs: 1,
  compile([x]) {
    const xe = x.eval;
    return { type: T_BOOL_INT, nullable: false, constant: x.constant, eval: (r, c) => (xe(r, c) === null ? 1 : 0) };
  },
};

/**
 * INTERVAL(n, n1, n2, ...): how many of the bounds n1 < n2 < ... are at most n (0 below n1), -1 when n is NULL.
 * Bounds are read in order, as MySQL does for a list that is not constant; a NULL bound is passed over.
 */
const INTERVAL: FunctionDef = {
  name: 'INTERVAL', minArgs: 2, maxArgs: 1 << 16,
  compile(args: Compiled[]) {
    const evals = args.map((a) => a.eval);
    return {
      type: { ...T_BIGINT, length: 2 }, nullable: false, constant: args.every((a) => a.constant),
      eval: (r, c) => {
        const nv = evals[0](r, c);
        if (nv === null) return -1;
        const n = toDouble(nv);
        let i = 1;
        for (; i < evals.length; i++) {
          const bound = evals[i](r, c);
          if (bound !== null && n < toDouble(bound)) break;
        }
        return i - 1;
      },
    };
  },
};

export const controlFunctions: FunctionDef[] = [
  IF,
  coalesce('IFNULL', 2, 2),
  coalesce('COALESCE', 1, 1 << 16),
  NULLIF,
  extreme('GREATEST', 1),
  extreme('LEAST', -1),
  ISNULL,
  INTERVAL,
];
