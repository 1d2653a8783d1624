// Aggregate functions: accumulators for COUNT, SUM, AVG, MIN, MAX, GROUP_CONCAT, BIT_*, STD/VARIANCE, JSON_*AGG.
import { sqlError } from '../../base/errors.js';
import type { AggregateCall } from '../parser/ast.js';
import { compileExpr, type Compiled, type CompileEnv, type AggregateCollector } from '../analyzer/compile-expr.js';
import { compareForSort } from '../types/compare.js';
import { temporalAsNumber } from '../analyzer/temporal-number.js';
import { toDecimal, toDouble, toInteger, valueToString } from '../types/convert.js';
import { Decimal } from '../../base/decimal.js';
import { T_BIGINT, T_DOUBLE, decimalType, integerDigitsOf, scaleOf } from '../types/infer.js';
import { isIntegerType, type SqlType } from '../../base/sql-type.js';
import type { Row, Value } from '../../base/value.js';
import type { EvalContext } from '../analyzer/eval-context.js';
import { rowKey } from '../types/row-key.js';
import { jsonAggregate } from './json-aggregates.js';

/** Running state of one aggregate over one group. */
export interface Accumulator {
  add(row: Row, ctx: EvalContext): void;
  result(): Value;
}

/** One aggregate call in a query: how to make accumulators and what type it returns. */
export interface AggregateSpec {
  type: SqlType;
  create(): Accumulator;
}

function distinctFilter(args: Compiled[]): () => (row: Row, ctx: EvalContext) => boolean {
  return () => {
    const seen = new Set<string>();
    return (row, ctx) => {
      const vals = args.map((a) => a.eval(row, ctx));
      if (vals.some((v) => v === null)) return false;
      const k = rowKey(vals, args.map((a) => a.type));
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    };
  };
}

/**
 * Builds the spec of one aggregate call with its arguments compiled in the input scope. As a
 * window function (`overGroups`) it runs over grouped rows, so its arguments may hold aggregates.
 */
export function makeAggregate(call: AggregateCall, env: CompileEnv, overGroups = false): AggregateSpec {
  const inner: CompileEnv = { ...env, aggregates: overGroups ? env.aggregates : undefined, windows: undefined, clause: env.clause };
  const args = call.args.map((a) => compileExpr(a, inner));
  // SUM and AVG add temporal values as the numbers MySQL reads them as (DATE 2024-01-02 is 20240102).
  if ((call.name === 'SUM' || call.name === 'AVG') && args.length === 1) args[0] = temporalAsNumber(args[0]);
  const filterFactory = call.distinct ? distinctFilter(args) : undefined;
  const arg = args[0];
  const name = call.name;
  const wrap = (type: SqlType, make: () => { add(v: Exclude<Value, null>, row: Row, ctx: EvalContext): void; result(): Value }, countNulls = false, argEval = arg?.eval): AggregateSpec => ({
    type,
    create() {
      const acc = make();
      const filter = filterFactory?.();
      const e = argEval;
      return {
        add(row, ctx) {
          if (filter && !filter(row, ctx)) return;
          const v = e ? e(row, ctx) : 1;
          if (v === null && !countNulls) return;
          acc.add(v as Exclude<Value, null>, row, ctx);
        },
        result: () => acc.result(),
      };
    },
  });
  switch (name) {
    case 'COUNT': {
      if (call.star) {
        return { type: T_BIGINT, create() { let n = 0; return { add() { n++; }, result: () => n }; } };
      }
      const evals = args.map((a) => a.eval);
      return {
        type: T_BIGINT,
        create() {
          let n = 0;
          const filter = filterFactory?.();
          return {
            add(row, ctx) {
              if (filter) { if (filter(row, ctx)) n++; return; }
              for (const e of evals) if (e(row, ctx) === null) return;
              n++;
            },
            result: () => n,
          };
        },
      };
    }
    case 'SUM':
    case 'AVG': {
      const t = arg.type;
      const exact = isIntegerType(t) || t.kind === 'decimal' || t.kind === 'null' || t.kind === 'year' || t.kind === 'bit';
      const avg = name === 'AVG';
      const inc = 4;
      const type = !exact ? T_DOUBLE : avg ? decimalType(integerDigitsOf(t) + scaleOf(t) + inc, scaleOf(t) + inc) : decimalType(integerDigitsOf(t) + 22 + scaleOf(t), scaleOf(t));
      if (!exact) {
        return wrap(type, () => {
          let sum = 0, n = 0;
          return { add(v) { sum += toDouble(v); n++; }, result: () => (n === 0 ? null : avg ? sum / n : sum) };
        });
      }
      return wrap(type, () => {
        // Integers sum in a bigint (exact), decimals as Decimal.
        let isum = 0n, dsum: Decimal | undefined, n = 0;
        return {
          add(v) {
            n++;
            if (typeof v === 'number' && Number.isInteger(v)) isum += BigInt(v);
            else if (typeof v === 'bigint') isum += v;
            else dsum = dsum ? dsum.add(toDecimal(v)) : toDecimal(v);
          },
          result() {
            if (n === 0) return null;
            const total = dsum ? dsum.add(new Decimal(isum, 0)) : new Decimal(isum, 0);
            if (!avg) return total.withScale(scaleOf(type));
            return total.div(new Decimal(BigInt(n), 0), scaleOf(type) - total.scale) ?? null;
          },
        };
        // Quotients add with all the digits MySQL's division keeps (SUM(a/b) is not a sum of rounded quotients);
        // DISTINCT compares them at their type's scale.
      }, false, call.distinct ? arg.eval : arg.evalUnrounded ?? arg.eval);
    }
    case 'MIN':
    case 'MAX': {
      const sign = name === 'MIN' ? -1 : 1;
      const t = arg.type;
      return wrap(t, () => {
        let best: Value = null;
        return {
          add(v) { if (best === null || compareForSort(t, v, best) * sign > 0) best = v; },
          result: () => best,
        };
      });
    }
    case 'GROUP_CONCAT': {
      const sep = call.separator ?? ',';
      const orderArgs = (call.orderBy ?? []).map((o) => ({ c: compileExpr(o.expr, inner), desc: o.desc }));
      const evals = args.map((a) => a.eval);
      return {
        type: { kind: 'text' },
        create() {
          const items: { text: string; keys: Value[] }[] = [];
          const filter = filterFactory?.();
          return {
            add(row, ctx) {
              if (filter && !filter(row, ctx)) return;
              let text = '';
              for (let i = 0; i < evals.length; i++) {
                const v = evals[i](row, ctx);
                if (v === null) return;
                text += valueToString(v, args[i].type);
              }
              items.push({ text, keys: orderArgs.map((o) => o.c.eval(row, ctx)) });
            },
            result() {
              if (items.length === 0) return null;
              if (orderArgs.length) {
                items.sort((a, b) => {
                  for (let i = 0; i < orderArgs.length; i++) {
                    const c = compareForSort(orderArgs[i].c.type, a.keys[i], b.keys[i]);
                    if (c) return orderArgs[i].desc ? -c : c;
                  }
                  return 0;
                });
              }
              const s = items.map((i) => i.text).join(sep);
              return s.length > 1024 * 1024 ? s.slice(0, 1024 * 1024) : s;
            },
          };
        },
      };
    }
    case 'BIT_AND':
    case 'BIT_OR':
    case 'BIT_XOR': {
      const start = name === 'BIT_AND' ? (1n << 64n) - 1n : 0n;
      return wrap({ kind: 'bigint', unsigned: true, length: 21 }, () => {
        let acc = start;
        return {
          add(v) {
            const x = BigInt.asUintN(64, BigInt(toInteger(v)));
            acc = name === 'BIT_AND' ? acc & x : name === 'BIT_OR' ? acc | x : acc ^ x;
          },
          result: () => (acc <= 9007199254740991n ? Number(acc) : acc),
        };
      });
    }
    case 'STD': case 'STDDEV': case 'STDDEV_POP': case 'STDDEV_SAMP':
    case 'VARIANCE': case 'VAR_POP': case 'VAR_SAMP': {
      const sample = name.endsWith('_SAMP');
      const root = name.startsWith('STD');
      return wrap(T_DOUBLE, () => {
        let n = 0, mean = 0, m2 = 0;
        return {
          add(v) {
            const x = toDouble(v);
            n++;
            const d = x - mean;
            mean += d / n;
            m2 += d * (x - mean);
          },
          result() {
            if (n === 0 || (sample && n === 1)) return null;
            const variance = m2 / (sample ? n - 1 : n);
            return root ? Math.sqrt(variance) : variance;
          },
        };
      });
    }
    case 'ANY_VALUE':
      return wrap(arg.type, () => {
        let first: Value = null, seen = false;
        return { add(v) { if (!seen) { first = v; seen = true; } }, result: () => first };
      });
    case 'JSON_ARRAYAGG':
    case 'JSON_OBJECTAGG':
      return jsonAggregate(name, args);
    default:
      throw sqlError('NOT_SUPPORTED_YET', `This version of mizzle does not yet support the aggregate ${name}`);
  }
}

/**
 * Collects the aggregate calls of a grouped query. Each call gets a slot after
 * the input columns in the post-aggregation row, and compiles to a read of it.
 */
export class AggregateSlots implements AggregateCollector {
  readonly specs: AggregateSpec[] = [];
  private readonly byText = new Map<string, number>();

  constructor(private readonly inputWidth: number, private readonly text?: string) {}

  add(call: AggregateCall, env: CompileEnv): Compiled {
    const key = JSON.stringify(call, (_k, v) => (typeof v === 'bigint' ? v.toString() : _k === 'pos' ? undefined : v));
    let slot = this.byText.get(key);
    if (slot === undefined) {
      slot = this.specs.length;
      this.specs.push(makeAggregate(call, env));
      this.byText.set(key, slot);
    }
    const index = this.inputWidth + slot;
    const spec = this.specs[slot];
    return { type: spec.type, nullable: true, constant: false, eval: (row) => row[index] };
  }
}
