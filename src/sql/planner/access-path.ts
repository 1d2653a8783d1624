// Chooses how to read one table: a point lookup or range on the primary key or a secondary index, or a full scan.
import type { Expr } from '../parser/ast.js';
import type { IndexDef, TableDef } from '../../storage/table-def.js';
import { coerceValue } from '../types/coerce.js';
import { compareForSort } from '../types/compare.js';
import { Decimal } from '../../base/decimal.js';
import { isIntegerType, isStringType, isTemporalType, type SqlType } from '../../base/sql-type.js';
import type { Value } from '../../base/value.js';
import type { Scope } from '../analyzer/scope.js';
import { compileExpr, type Compiled, type CompileEnv } from '../analyzer/compile-expr.js';
import type { EvalContext } from '../analyzer/eval-context.js';

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
  op: '=' | '<' | '<=' | '>' | '>=' | 'in' | 'or';
  /** Evaluated later, at statement run time (parameters and @vars are constant within a statement). */
  values: Expr[];
  /** For 'or': each disjunct's conditions on the same column (a = 1 OR a BETWEEN 5 AND 9). */
  disjuncts?: ColumnCondition[][];
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

/** The conditions one conjunct puts on single columns, or undefined when it is not sargable. */
function sargable(c: Expr, scope: Scope): ColumnCondition[] | undefined {
  if (c.type === 'binary' && c.op in FLIP) {
    const l = columnOf(c.left, scope);
    const r = columnOf(c.right, scope);
    if (l >= 0 && isConstantExpr(c.right)) return [{ column: l, op: c.op as ColumnCondition['op'], values: [c.right] }];
    if (r >= 0 && isConstantExpr(c.left)) return [{ column: r, op: FLIP[c.op], values: [c.left] }];
  } else if (c.type === 'between' && !c.not) {
    const col = columnOf(c.operand, scope);
    if (col >= 0 && isConstantExpr(c.low) && isConstantExpr(c.high)) {
      return [{ column: col, op: '>=', values: [c.low] }, { column: col, op: '<=', values: [c.high] }];
    }
  } else if (c.type === 'inList' && !c.not) {
    const col = columnOf(c.operand, scope);
    if (col >= 0 && c.list.every(isConstantExpr) && c.list.length <= 1000) return [{ column: col, op: 'in', values: c.list }];
  } else if (c.type === 'binary' && c.op === 'OR') {
    return orOfRanges(c, scope);
  }
  return undefined;
}

function disjuncts(e: Expr): Expr[] {
  return e.type === 'binary' && e.op === 'OR' ? [...disjuncts(e.left), ...disjuncts(e.right)] : [e];
}

/** `a = 1 OR a BETWEEN 5 AND 9 OR a > 20`: every disjunct sargable on one and the same column. */
function orOfRanges(e: Expr, scope: Scope): ColumnCondition[] | undefined {
  const parts: ColumnCondition[][] = [];
  let column = -1;
  for (const d of disjuncts(e)) {
    const conds: ColumnCondition[] = [];
    for (const c of conjuncts(d)) {
      const s = sargable(c, scope);
      if (!s || s.some((x) => x.op === 'or')) return undefined;
      conds.push(...s);
    }
    for (const c of conds) {
      if (column >= 0 && c.column !== column) return undefined;
      column = c.column;
    }
    if (conds.length === 0 || parts.length >= 1000) return undefined;
    parts.push(conds);
  }
  return column >= 0 ? [{ column, op: 'or', values: [], disjuncts: parts }] : undefined;
}

function extractConditions(where: Expr | undefined, scope: Scope): ColumnCondition[] {
  const out: ColumnCondition[] = [];
  for (const c of conjuncts(where)) out.push(...(sargable(c, scope) ?? []));
  return out.filter((c) => indexableType(scope.columns[c.column].type));
}

/** A candidate plan before its constants are evaluated. */
export interface AccessPlan {
  index: IndexDef | undefined;
  /** Conditions per index column position: equalities (or IN) for a prefix, then range conditions on the next column. */
  equalities: ColumnCondition[];
  range: ColumnCondition[];
  /** An OR of ranges on the index's first column, read as several ranges. */
  or?: ColumnCondition;
  score: number;
}

/**
 * The last plan chosen for each WHERE clause. A prepared statement keeps its AST
 * across executions, so re-executing it skips planning; the plan depends only on
 * the table definition (replaced on DDL), the scope's columns (shared per table and
 * alias) and the offset, which are checked.
 */
const planCache = new WeakMap<Expr, { def: TableDef; columns: Scope['columns']; offset: number; plan: AccessPlan }>();

/**
 * Picks the index whose columns are best constrained by the WHERE: the longest
 * equality prefix wins, then a range on the next column; unique full-key equality
 * beats everything. `scopeOffset` maps table column i to scope column offset + i.
 */
export function chooseAccess(def: TableDef, where: Expr | undefined, scope: Scope, scopeOffset: number): AccessPlan {
  if (where === undefined) return planAccess(def, where, scope, scopeOffset);
  const hit = planCache.get(where);
  if (hit !== undefined && hit.def === def && hit.columns === scope.columns && hit.offset === scopeOffset) return hit.plan;
  const plan = planAccess(def, where, scope, scopeOffset);
  planCache.set(where, { def, columns: scope.columns, offset: scopeOffset, plan });
  return plan;
}

function planAccess(def: TableDef, where: Expr | undefined, scope: Scope, scopeOffset: number): AccessPlan {
  const conds = extractConditions(where, scope).map((c) => ({ ...c, column: c.column - scopeOffset }))
    .filter((c) => c.column >= 0 && c.column < def.columns.length);
  const candidates: IndexDef[] = [...(def.primaryKey ? [def.primaryKey] : []), ...def.indexes];
  let best: AccessPlan = { index: undefined, equalities: [], range: [], score: 0 };
  for (const idx of candidates) {
    const equalities: ColumnCondition[] = [];
    let range: ColumnCondition[] = [];
    let or: ColumnCondition | undefined;
    for (let k = 0; k < idx.columns.length; k++) {
      const col = idx.columns[k];
      if (idx.prefixLengths?.[k] !== undefined) break;
      const eq = conds.find((c) => c.column === col && (c.op === '=' || c.op === 'in'));
      if (eq) {
        equalities.push(eq);
        continue;
      }
      range = conds.filter((c) => c.column === col && c.op !== '=' && c.op !== 'in' && c.op !== 'or');
      if (range.length === 0 && k === 0) or = conds.find((c) => c.column === col && c.op === 'or');
      break;
    }
    if (equalities.length === 0 && range.length === 0 && !or) continue;
    const full = equalities.length === idx.columns.length;
    const score = (full && idx.unique ? 1000 : 0) + equalities.length * 10 + (range.length ? 5 : or ? 4 : 0) + (idx.id === 0 ? 1 : 0);
    if (score > best.score) best = { index: idx, equalities, range, or, score };
  }
  return best;
}

/** The constants of an AccessPlan's conditions, compiled once per plan (they are evaluated per execution). */
export type AccessKeys = ReadonlyMap<Expr, Compiled>;

/** Compiles every constant an access plan's conditions compare with. */
export function compileAccessKeys(plan: AccessPlan, env: CompileEnv): AccessKeys {
  const keys = new Map<Expr, Compiled>();
  const add = (conds: readonly ColumnCondition[]) => {
    for (const c of conds) {
      for (const e of c.values) if (!keys.has(e)) keys.set(e, compileExpr(e, env));
      if (c.disjuncts) for (const d of c.disjuncts) add(d);
    }
  };
  add(plan.equalities);
  add(plan.range);
  if (plan.or) add([plan.or]);
  return keys;
}

function keyOf(e: Expr, keys: AccessKeys): Compiled {
  const k = keys.get(e);
  if (k === undefined) throw new Error('access path: a key expression was not compiled with its plan');
  return k;
}

/** Evaluates a constant expression for key building; undefined if it cannot be compared through the index. */
function keyValue(e: Expr, type: SqlType, keys: AccessKeys, ctx: EvalContext): KeyValue | undefined {
  let v = keyOf(e, keys).eval(NO_ROW, ctx);
  if (v === null) return NULL_KEY;
  const numericCol = isIntegerType(type) || type.kind === 'decimal' || type.kind === 'double' || type.kind === 'float' || type.kind === 'year';
  if (numericCol && typeof v === 'string') {
    // A string compared with a numeric column compares as a number. A string that is exactly a number
    // (what PDO and other drivers send for every bound value: id = '42') keys the index as that number,
    // as MySQL's range optimizer does; anything else ('42abc', or any string on a FLOAT/DOUBLE) is left to a scan.
    const d = type.kind === 'double' || type.kind === 'float' ? undefined : Decimal.parse(v);
    if (d === undefined) return undefined;
    v = d;
  }
  if (numericCol && Buffer.isBuffer(v)) return undefined;
  if (!numericCol && typeof v !== 'string') return undefined;
  KEY_CAST.warned = false;
  const coerced = coerceValue(v, isIntegerType(type) ? (type.unsigned ? UNSIGNED_KEY : SIGNED_KEY) : type, KEY_CAST);
  if (KEY_CAST.warned) return undefined;
  const exact = compareForSort(numericCol ? DECIMAL : type, coerced, v) === 0;
  return { value: coerced, exact, constant: v };
}

/** A key constant: `value` cast to the column's type, whether that kept it `exact`, and the `constant` it was cast from. */
interface KeyValue {
  value: Value;
  exact: boolean;
  constant: Value;
}

/** Key constants read no row. */
const NO_ROW: Value[] = [];
const NULL_KEY: KeyValue = { value: null, exact: true, constant: null };
const SIGNED_KEY: SqlType = { kind: 'bigint' };
const UNSIGNED_KEY: SqlType = { kind: 'bigint', unsigned: true };
const DECIMAL: SqlType = { kind: 'decimal' };

/** How key constants are cast to the column's type: a value that warns (does not fit) cannot use the index. */
const KEY_CAST = {
  mode: 'cast' as const, strict: false, column: '', rowNumber: 0, warned: false,
  warn(): void {
    KEY_CAST.warned = true;
  },
};

/** The distinct, sorted key values of an equality or IN condition; undefined when the index cannot be used. */
function equalityValues(cond: ColumnCondition, type: SqlType, keys: AccessKeys, ctx: EvalContext): Value[] | undefined {
  const vals: Value[] = [];
  for (const e of cond.values) {
    const kv = keyValue(e, type, keys, ctx);
    if (!kv) return undefined;
    if (kv.value === null || !kv.exact) continue; // = NULL matches nothing; an inexact value (1.5 on INT) matches nothing
    if (vals.length === 0 || !vals.some((x) => compareForSort(type, x, kv.value) === 0)) vals.push(kv.value);
  }
  return vals.length < 2 ? vals : vals.sort((a, b) => compareForSort(type, a, b));
}

/** Bounds on one column from range conditions; 'empty' when a bound is NULL; undefined when the index cannot be used. */
function rangeBounds(conds: ColumnCondition[], type: SqlType, keys: AccessKeys, ctx: EvalContext): { lower?: KeyBound; upper?: KeyBound } | 'empty' | undefined {
  let lower: KeyBound | undefined;
  let upper: KeyBound | undefined;
  for (const cond of conds) {
    const kv = keyValue(cond.values[0], type, keys, ctx);
    if (!kv) return undefined;
    if (kv.value === null) return 'empty';
    // An inexact bound (x > 1.5 on INT coerced to 2) becomes inclusive/exclusive appropriately.
    const v = kv.value;
    const isLower = cond.op === '>' || cond.op === '>=';
    let inclusive = cond.op === '>=' || cond.op === '<=';
    if (!kv.exact) {
      const cmp = compareForSort(DECIMAL, v, kv.constant);
      // v is the rounded constant: for a lower bound, include v only if v > constant; for an upper bound, only if v < constant.
      inclusive = isLower ? cmp > 0 : cmp < 0;
    }
    if (isLower) {
      if (!lower || compareForSort(type, v, lower.values[0]) > 0) lower = { values: [v], inclusive };
    } else if (!upper || compareForSort(type, v, upper.values[0]) < 0) upper = { values: [v], inclusive };
  }
  return { lower, upper };
}

type Range = { lower?: KeyBound; upper?: KeyBound };

/**
 * Sorts single-column ranges and merges the overlapping ones, so that reading
 * them one after another returns no row twice.
 */
function mergeRanges(ranges: Range[], type: SqlType): Range[] {
  const cmpLower = (a: Range, b: Range) => {
    if (!a.lower || !b.lower) return a.lower ? 1 : b.lower ? -1 : 0;
    const c = compareForSort(type, a.lower.values[0], b.lower.values[0]);
    return c !== 0 ? c : a.lower.inclusive === b.lower.inclusive ? 0 : a.lower.inclusive ? -1 : 1;
  };
  const sorted = ranges.filter((r) => !(r.lower && r.upper && compareForSort(type, r.lower.values[0], r.upper.values[0]) > 0)).sort(cmpLower);
  const out: Range[] = [];
  for (const r of sorted) {
    const cur = out[out.length - 1];
    if (!cur) {
      out.push({ ...r });
      continue;
    }
    if (!cur.upper) continue; // cur reaches the end: r is inside it
    const overlaps = !r.lower || compareForSort(type, r.lower.values[0], cur.upper.values[0]) < 0 ||
      (compareForSort(type, r.lower.values[0], cur.upper.values[0]) === 0 && r.lower.inclusive && cur.upper.inclusive);
    if (!overlaps) {
      out.push({ ...r });
      continue;
    }
    if (!r.upper) cur.upper = undefined;
    else {
      const c = compareForSort(type, r.upper.values[0], cur.upper.values[0]);
      if (c > 0 || (c === 0 && r.upper.inclusive)) cur.upper = r.upper;
    }
  }
  return out;
}

/** Ranges for an OR of conditions on the index's first column. */
function orRanges(cond: ColumnCondition, type: SqlType, keys: AccessKeys, ctx: EvalContext): Range[] | undefined {
  const ranges: Range[] = [];
  for (const d of cond.disjuncts ?? []) {
    const eq = d.find((c) => c.op === '=' || c.op === 'in');
    if (eq) {
      const vals = equalityValues(eq, type, keys, ctx);
      if (!vals) return undefined;
      for (const v of vals) ranges.push({ lower: { values: [v], inclusive: true }, upper: { values: [v], inclusive: true } });
      continue;
    }
    const b = rangeBounds(d, type, keys, ctx);
    if (b === undefined) return undefined;
    if (b !== 'empty') ranges.push(b);
  }
  return mergeRanges(ranges, type);
}

function columnType(def: TableDef, idx: IndexDef, k: number): SqlType {
  return def.columns[idx.columns[k]].type;
}

/** Turns an AccessPlan into concrete key ranges for this execution, or undefined to fall back to a full scan. */
export function bindAccess(def: TableDef, plan: AccessPlan, keys: AccessKeys, ctx: EvalContext): AccessPath | undefined {
  const idx = plan.index;
  if (!idx) return undefined;
  if (plan.or) {
    const ranges = orRanges(plan.or, columnType(def, idx, 0), keys, ctx);
    if (!ranges) return undefined;
    return { index: idx.id, indexName: idx.name, ranges, unique: false, equalityColumns: 0, reverse: false, kind: 'range' };
  }
  // Equality prefix: a cross product of IN lists (bounded).
  let prefixes: Value[][] = [[]];
  for (let k = 0; k < plan.equalities.length; k++) {
    const vals = equalityValues(plan.equalities[k], columnType(def, idx, k), keys, ctx);
    if (!vals) return undefined;
    if (vals.length === 1) {
      // `a = ?`: every prefix grows by the one value (they are this bind's own arrays).
      for (const p of prefixes) p.push(vals[0]);
      continue;
    }
    const next: Value[][] = [];
    for (const p of prefixes) for (const v of vals) next.push([...p, v]);
    if (next.length > 4096) return undefined;
    prefixes = next;
  }
  const k = plan.equalities.length;
  const bounds = plan.range.length ? rangeBounds(plan.range, columnType(def, idx, k), keys, ctx) : {};
  if (bounds === undefined) return undefined;
  if (bounds === 'empty') return { index: idx.id, indexName: idx.name, ranges: [], unique: false, equalityColumns: k, reverse: false, kind: 'range' };
  const { lower, upper } = bounds;
  const ranges = prefixes.map((p) => {
    if (!lower && !upper) {
      const point = { values: p, inclusive: true };
      return { lower: point, upper: point };
    }
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
