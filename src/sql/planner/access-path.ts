// Chooses how to read one table: a point lookup or range on the primary key or a secondary index, or a full scan.
import type { Expr } from '../parser/ast.js';
import type { IndexDef, TableDef } from '../../storage/table-def.js';
import { coerceValue } from '../types/coerce.js';
import { compareForSort } from '../types/compare.js';
import { isIntegerType, isStringType, isTemporalType, type SqlType } from '../types/sql-type.js';
import type { Value } from '../types/value.js';
import type { Scope } from '../analyzer/scope.js';
import { compileExpr, type CompileEnv } from '../analyzer/compile-expr.js';
import type { EvalContext } from '../executor/context.js';

/** A bound of an index range: values for a prefix of the index columns. */
export interface KeyBound {
  values: Value[];
  inclusive: boolean;
}

/** A planned read of one table. */
export interface AccessPath {
  /** 0 for the primary key, else IndexDef.id; -1 for a full scan in primary-key order. */
  index: number;
  indexName: string;
  /** One or more ranges (several for IN lists); empty means no row can match. */
  ranges: { lower?: KeyBound; upper?: KeyBound }[];
  /** Whether the ranges are point lookups on a whole unique key (at most one row each). */
  unique: boolean;
  /** Index columns fixed by equality (for EXPLAIN and ORDER BY elision). */
  equalityColumns: number;
  reverse: boolean;
  /** Description for EXPLAIN: 'const', 'eq_ref', 'ref', 'range', 'ALL'. */
  kind: 'const' | 'ref' | 'range' | 'ALL';
}

/** A sargable condition on one column: col op constant(s). */
interface ColumnCondition {
  column: number;
  op: '=' | '<' | '<=' | '>' | '>=' | 'in';
  /** Evaluated later, at statement run time (parameters and @vars are constant within a statement). */
  values: Expr[];
}

/** Splits a WHERE into its AND-ed conjuncts. */
export function conjuncts(e: Expr | undefined): Expr[] {
  if (!e) return [];
  if (e.type === 'binary' && e.op === 'AND') return [...conjuncts(e.left), ...conjuncts(e.right)];
  return [e];
}

const FLIP: Record<string, ColumnCondition['op']> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** Whether an expression is constant for the statement (no column references, no subqueries). */
function isConstantExpr(e: Expr): boolean {
  switch (e.type) {
    case 'literal': case 'param': return true;
    case 'variable': return true;
    case 'unary': return isConstantExpr(e.operand);
    case 'binary': return e.op !== 'AND' && e.op !== 'OR' && isConstantExpr(e.left) && isConstantExpr(e.right);
    case 'cast': return isConstantExpr(e.operand);
    default: return false;
  }
}

function columnOf(e: Expr, scope: Scope): number {
  if (e.type !== 'column' || e.column === '*') return -1;
  try {
    return scope.find(e.column, e.table, e.schema);
  } catch {
    return -1;
  }
}

/** Whether comparing a column of `type` with a constant can use the column's index order. */
function indexableType(type: SqlType): boolean {
  return isIntegerType(type) || type.kind === 'decimal' || type.kind === 'double' || type.kind === 'float' || isStringType(type) || isTemporalType(type) || type.kind === 'year';
}

function extractConditions(where: Expr | undefined, scope: Scope): ColumnCondition[] {
  const out: ColumnCondition[] = [];
  for (const c of conjuncts(where)) {
    if (c.type === 'binary' && c.op in FLIP) {
      const l = columnOf(c.left, scope);
      const r = columnOf(c.right, scope);
      if (l >= 0 && isConstantExpr(c.right)) out.push({ column: l, op: c.op as ColumnCondition['op'], values: [c.right] });
      else if (r >= 0 && isConstantExpr(c.left)) out.push({ column: r, op: FLIP[c.op], values: [c.left] });
    } else if (c.type === 'between' && !c.not) {
      const col = columnOf(c.operand, scope);
      if (col >= 0 && isConstantExpr(c.low) && isConstantExpr(c.high)) {
        out.push({ column: col, op: '>=', values: [c.low] }, { column: col, op: '<=', values: [c.high] });
      }
    } else if (c.type === 'inList' && !c.not) {
      const col = columnOf(c.operand, scope);
      if (col >= 0 && c.list.every(isConstantExpr) && c.list.length <= 1000) out.push({ column: col, op: 'in', values: c.list });
    }
  }
  return out.filter((c) => indexableType(scope.columns[c.column].type));
}

/** A candidate plan before its constants are evaluated. */
export interface AccessPlan {
  index: IndexDef | undefined;
  /** Conditions per index column position: equalities (or IN) for a prefix, then range conditions on the next column. */
  equalities: ColumnCondition[];
  range: ColumnCondition[];
  score: number;
}

/**
 * Picks the index whose columns are best constrained by the WHERE: the longest
 * equality prefix wins, then a range on the next column; unique full-key equality
 * beats everything. `scopeOffset` maps table column i to scope column offset + i.
 */
export function chooseAccess(def: TableDef, where: Expr | undefined, scope: Scope, scopeOffset: number): AccessPlan {
  const conds = extractConditions(where, scope).map((c) => ({ ...c, column: c.column - scopeOffset }))
    .filter((c) => c.column >= 0 && c.column < def.columns.length);
  const candidates: IndexDef[] = [...(def.primaryKey ? [def.primaryKey] : []), ...def.indexes];
  let best: AccessPlan = { index: undefined, equalities: [], range: [], score: 0 };
  for (const idx of candidates) {
    const equalities: ColumnCondition[] = [];
    let range: ColumnCondition[] = [];
    for (let k = 0; k < idx.columns.length; k++) {
      const col = idx.columns[k];
      if (idx.prefixLengths?.[k] !== undefined) break;
      const eq = conds.find((c) => c.column === col && (c.op === '=' || c.op === 'in'));
      if (eq) {
        equalities.push(eq);
        continue;
      }
      range = conds.filter((c) => c.column === col && c.op !== '=' && c.op !== 'in');
      break;
    }
    if (equalities.length === 0 && range.length === 0) continue;
    const full = equalities.length === idx.columns.length;
    const score = (full && idx.unique ? 1000 : 0) + equalities.length * 10 + (range.length ? 5 : 0) + (idx.id === 0 ? 1 : 0);
    if (score > best.score) best = { index: idx, equalities, range, score };
  }
  return best;
}

/** Evaluates a constant expression for key building; undefined if it cannot be compared through the index. */
function keyValue(e: Expr, type: SqlType, env: CompileEnv, ctx: EvalContext): { value: Value; exact: boolean } | undefined {
  const compiled = compileExpr(e, env);
  const v = compiled.eval([], ctx);
  if (v === null) return { value: null, exact: true };
  // Strings compared with numeric columns compare as numbers; only use the index when the types agree.
  const numericCol = isIntegerType(type) || type.kind === 'decimal' || type.kind === 'double' || type.kind === 'float' || type.kind === 'year';
  if (numericCol && (typeof v === 'string' || Buffer.isBuffer(v))) return undefined;
  if (!numericCol && typeof v !== 'string') return undefined;
  let warned = false;
  const coerced = coerceValue(v, isIntegerType(type) ? { kind: 'bigint', unsigned: type.unsigned } : type, {
    mode: 'cast', strict: false, column: '', rowNumber: 0, warn: () => { warned = true; },
  });
  if (warned) return undefined;
  const exact = compareForSort(numericCol ? { kind: 'decimal' } : type, coerced, v) === 0;
  return { value: coerced, exact };
}

/** Turns an AccessPlan into concrete key ranges for this execution, or undefined to fall back to a full scan. */
export function bindAccess(def: TableDef, plan: AccessPlan, env: CompileEnv, ctx: EvalContext): AccessPath | undefined {
  const idx = plan.index;
  if (!idx) return undefined;
  const colType = (i: number) => def.columns[idx.columns[i]].type;
  // Equality prefix: a cross product of IN lists (bounded).
  let prefixes: Value[][] = [[]];
  for (let k = 0; k < plan.equalities.length; k++) {
    const cond = plan.equalities[k];
    const vals: Value[] = [];
    for (const e of cond.values) {
      const kv = keyValue(e, colType(k), env, ctx);
      if (!kv) return undefined;
      if (kv.value === null || !kv.exact) continue; // = NULL matches nothing; an inexact value (1.5 on INT) matches nothing
      if (!vals.some((x) => compareForSort(colType(k), x, kv.value) === 0)) vals.push(kv.value);
    }
    vals.sort((a, b) => compareForSort(colType(k), a, b));
    const next: Value[][] = [];
    for (const p of prefixes) for (const v of vals) next.push([...p, v]);
    if (next.length > 4096) return undefined;
    prefixes = next;
  }
  const k = plan.equalities.length;
  let lower: KeyBound | undefined;
  let upper: KeyBound | undefined;
  for (const cond of plan.range) {
    const kv = keyValue(cond.values[0], colType(k), env, ctx);
    if (!kv) return undefined;
    if (kv.value === null) return { index: idx.id, indexName: idx.name, ranges: [], unique: false, equalityColumns: k, reverse: false, kind: 'range' };
    // An inexact bound (x > 1.5 on INT coerced to 2) becomes inclusive/exclusive appropriately.
    const v = kv.value;
    const isLower = cond.op === '>' || cond.op === '>=';
    let inclusive = cond.op === '>=' || cond.op === '<=';
    if (!kv.exact) {
      const cmp = compareForSort({ kind: 'decimal' }, v, compileExpr(cond.values[0], env).eval([], ctx));
      // v is the rounded constant: for a lower bound, include v only if v > constant; for an upper bound, only if v < constant.
      inclusive = isLower ? cmp > 0 : cmp < 0;
    }
    if (isLower) {
      if (!lower || compareForSort(colType(k), v, lower.values[0]) > 0) lower = { values: [v], inclusive };
    } else if (!upper || compareForSort(colType(k), v, upper.values[0]) < 0) upper = { values: [v], inclusive };
  }
  const ranges = prefixes.map((p) => {
    if (!lower && !upper) return { lower: { values: p, inclusive: true }, upper: { values: p, inclusive: true } };
    return {
      lower: lower ? { values: [...p, ...lower.values], inclusive: lower.inclusive } : p.length ? { values: p, inclusive: true } : undefined,
      upper: upper ? { values: [...p, ...upper.values], inclusive: upper.inclusive } : p.length ? { values: p, inclusive: true } : undefined,
    };
  });
  const unique = idx.unique && k === idx.columns.length;
  return {
    index: idx.id,
    indexName: idx.name,
    ranges,
    unique,
    equalityColumns: k,
    reverse: false,
    kind: unique ? 'const' : plan.range.length || prefixes.length > 1 ? 'range' : 'ref',
  };
}
