// Executes a planned inner join: per-table filtered rows, then hash joins on equality keys in the planned order.
import type { Expr } from '../parser/ast.js';
import { compileExpr, type Compiled, type CompileEnv } from '../analyzer/compile-expr.js';
import type { Scope } from '../analyzer/scope.js';
import { collationKey } from '../../base/collation.js';
import { compareDomain, type CompareDomain } from '../types/compare.js';
import { toBoolean, toDecimal, toDouble, valueToString } from '../types/convert.js';
import type { Row, Value } from '../../base/value.js';
import { sqlError } from '../../base/errors.js';
import type { EvalContext } from '../analyzer/eval-context.js';
import type { JoinInput, JoinStep } from '../planner/join-plan.js';
import type { AccessPath } from '../planner/access-path.js';

/** Most rows a join may produce before it is stopped (a cartesian product gone wrong must not take the server down). */
export const JOIN_ROWS_MAX = 5_000_000;

/** A key under which equal values (in a comparison domain) hash together. */
function joinKey(v: Exclude<Value, null>, domain: CompareDomain, collation: string | undefined): string {
  switch (domain) {
    case 'text':
      return collationKey(typeof v === 'string' ? v : valueToString(v), collation);
    case 'binary':
      return Buffer.isBuffer(v) ? v.toString('latin1') : Buffer.from(valueToString(v), 'utf8').toString('latin1');
    case 'double':
      return String(toDouble(v));
    default: {
      if (typeof v === 'number' && Number.isInteger(v)) return String(v);
      let s = toDecimal(v).toString();
      if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
      return s === '-0' ? '0' : s;
    }
  }
}

interface CompiledKey {
  outer: Compiled;
  inner: Compiled;
  domain: CompareDomain;
  collation: string | undefined;
}

/** How EXPLAIN reports one input of a join, filled in as the join runs. */
export interface JoinExplain {
  table: string;
  access: AccessPath | undefined;
  rows: number;
  join?: 'hash' | 'index' | 'cross';
  /** The index used for index nested-loop lookups. */
  lookupIndex?: string;
}

/** Index lookups on an input: `keyOrder[i]` is the step key feeding the i-th index column. */
export interface LeafLookup {
  keyOrder: number[];
  indexName: string;
  run(values: Value[]): Iterable<Row>;
}

/** One input: its scope (for compiling its own conjuncts) and a way to get its filtered rows. */
export interface JoinLeaf {
  input: JoinInput;
  scope: Scope;
  rows(): Iterable<Row>;
  /** Present when an index can fetch this input's rows by the values of its step's join keys. */
  lookup?: LeafLookup;
  /** Rows passing this input's own conjuncts (applied to looked-up rows). */
  accept(row: Row): boolean;
  explain: JoinExplain;
}

/** Index nested-loop joins are used while the outer side has at most this many rows; beyond, a hash join. */
export const INDEX_JOIN_OUTER_MAX = 1000;

function keyOf(keys: CompiledKey[], row: Row, side: 'outer' | 'inner', ctx: EvalContext): string | undefined {
  let k = '';
  for (const key of keys) {
    const v = key[side].eval(row, ctx);
    if (v === null) return undefined;
    k += joinKey(v, key.domain, key.collation) + '\u0001';
  }
  return k;
}

/**
 * Produces full-width rows (every input at its offset) for the steps in order.
 * `fullEnv` compiles expressions over the whole row; leaf conjuncts were applied by the leaves.
 */
export function* runJoin(steps: JoinStep[], leaves: JoinLeaf[], width: number, fullEnv: CompileEnv, ctx: EvalContext): Generator<Row> {
  const compiledSteps = steps.map((step) => {
    const leaf = leaves[step.input];
    const innerEnv: CompileEnv = { ...fullEnv, scope: leaf.scope };
    const keys: CompiledKey[] = step.keys.map((k) => {
      const outer = compileExpr(k.outer, fullEnv);
      const inner = compileExpr(k.inner, innerEnv);
      return { outer, inner, domain: compareDomain(outer.type, inner.type), collation: outer.type.collation ?? inner.type.collation };
    });
    const filters = step.filters.map((f: Expr) => compileExpr(f, fullEnv));
    return { leaf, keys, filters };
  });
  let current: Row[] = [new Array(width).fill(null)];
  let produced = 0;
  for (const { leaf, keys, filters } of compiledSteps) {
    const { offset, width: w } = leaf.input;
    const next: Row[] = [];
    leaf.explain.join = keys.length === 0 ? (current.length > 1 ? 'cross' : undefined) : 'hash';
    const place = (base: Row, x: Row): Row => {
      const row = base.slice();
      for (let i = 0; i < w; i++) row[offset + i] = x[i];
      return row;
    };
    const accept = (row: Row) => {
      for (const f of filters) if (toBoolean(f.eval(row, ctx)) !== true) return;
      if (++produced > JOIN_ROWS_MAX) throw sqlError('TOO_BIG_SELECT', `The join would examine more than ${JOIN_ROWS_MAX} rows; add join conditions or indexes`);
      ctx.memory?.charge(row);
      next.push(row);
    };
    const lookup = leaf.lookup;
    const indexable = lookup !== undefined && current.length <= INDEX_JOIN_OUTER_MAX && keys.every((k) => k.domain === 'int' || k.domain === 'text');
    if (keys.length > 0 && indexable && lookup) {
      // Index nested loop: fetch the matching rows of this input per outer row, then check the full key.
      leaf.explain.join = 'index';
      leaf.explain.lookupIndex = lookup.indexName;
      for (const base of current) {
        const k = keyOf(keys, base, 'outer', ctx);
        if (k === undefined) continue;
        const values = lookup.keyOrder.map((i) => keys[i].outer.eval(base, ctx));
        for (const x of lookup.run(values)) {
          if (!leaf.accept(x) || keyOf(keys, x, 'inner', ctx) !== k) continue;
          accept(place(base, x));
        }
      }
    } else if (keys.length > 0) {
      const table = new Map<string, Row[]>();
      for (const x of leaf.rows()) {
        const k = keyOf(keys, x, 'inner', ctx);
        if (k === undefined) continue;
        ctx.memory?.charge(x);
        const bucket = table.get(k);
        if (bucket) bucket.push(x);
        else table.set(k, [x]);
      }
      for (const base of current) {
        const k = keyOf(keys, base, 'outer', ctx);
        if (k === undefined) continue;
        const bucket = table.get(k);
        if (bucket) for (const x of bucket) accept(place(base, x));
      }
    } else {
      const inner = [...leaf.rows()];
      for (const x of inner) ctx.memory?.charge(x);
      for (const base of current) for (const x of inner) accept(place(base, x));
    }
    current = next;
    leaf.explain.rows = current.length;
    if (current.length === 0) break;
  }
  yield* current;
}
