// Plans inner joins: which conjuncts belong to one table, which join two sides by equality, and a join order.
import type { Expr } from '../parser/ast.js';
import type { Scope } from '../analyzer/scope.js';
import { conjuncts } from './access-path.js';
import type { JoinLeafPlan, JoinStepPlan } from './plan.js';

/** One FROM item of a flattened inner join, placed at `offset` in the full row. */
export interface JoinInput {
  offset: number;
  width: number;
}

/** A WHERE/ON conjunct with the set of inputs it reads (undefined: unknown, apply after all joins). */
export interface ClassifiedConjunct {
  expr: Expr;
  inputs: Set<number> | undefined;
  /** For `a = b` between two disjoint input sets: the two sides. */
  equi?: { left: Expr; right: Expr; leftInputs: Set<number>; rightInputs: Set<number> };
}

function inputOfColumn(scope: Scope, inputs: JoinInput[], e: Extract<Expr, { type: 'column' }>): number | undefined {
  let i: number;
  try {
    i = scope.find(e.column, e.table, e.schema);
  } catch {
    return undefined;
  }
  if (i < 0) return undefined;
  return inputs.findIndex((s) => i >= s.offset && i < s.offset + s.width);
}

/** The inputs an expression reads; undefined when it reads something else (outer columns, subqueries, variables that change). */
export function inputsOf(e: Expr, scope: Scope, inputs: JoinInput[]): Set<number> | undefined {
  const out = new Set<number>();
  let unknown = false;
  const visit = (x: unknown): void => {
    if (unknown || x === null || typeof x !== 'object' || Buffer.isBuffer(x)) return;
    if (Array.isArray(x)) {
      x.forEach(visit);
      return;
    }
    const node = x as { type?: string };
    if (node.type === 'column') {
      const s = inputOfColumn(scope, inputs, x as Extract<Expr, { type: 'column' }>);
      if (s === undefined || s < 0) unknown = true;
      else out.add(s);
      return;
    }
    if (node.type === 'subquery' || node.type === 'inSubquery' || node.type === 'exists' || node.type === 'quantified' || node.type === 'aggregate') {
      unknown = true;
      return;
    }
    for (const v of Object.values(x)) visit(v);
  };
  visit(e);
  return unknown ? undefined : out;
}

export function classifyConjuncts(where: Expr[], scope: Scope, inputs: JoinInput[]): ClassifiedConjunct[] {
  return where.flatMap(conjuncts).map((expr) => {
    const used = inputsOf(expr, scope, inputs);
    const c: ClassifiedConjunct = { expr, inputs: used };
    if (used && expr.type === 'binary' && expr.op === '=') {
      const l = inputsOf(expr.left, scope, inputs);
      const r = inputsOf(expr.right, scope, inputs);
      if (l && r && l.size > 0 && r.size > 0 && [...l].every((x) => !r.has(x))) {
        c.equi = { left: expr.left, right: expr.right, leftInputs: l, rightInputs: r };
      }
    }
    return c;
  });
}

function subset(a: Set<number>, b: Set<number>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** One step of the join order: add `input`, matching rows by the equi conjuncts, then apply `filters`. */
export interface JoinStep {
  input: number;
  /** Equalities between the joined set (outer side) and this input (inner side). */
  keys: { outer: Expr; inner: Expr }[];
  /** Conjuncts that become applicable once this input is joined (excluding the keys). */
  filters: Expr[];
}

/**
 * A greedy join order: start from the input with the most single-input
 * conjuncts (the most filtered), then repeatedly add an input connected to the
 * joined set by an equality, preferring filtered ones; cross products only
 * when nothing connects.
 */
export function orderJoins(n: number, classified: ClassifiedConjunct[]): { steps: JoinStep[]; local: Expr[][]; late: Expr[] } {
  const local: Expr[][] = Array.from({ length: n }, () => []);
  const multi: ClassifiedConjunct[] = [];
  const late: Expr[] = [];
  for (const c of classified) {
    if (!c.inputs) late.push(c.expr);
    else if (c.inputs.size === 1) local[[...c.inputs][0]].push(c.expr);
    else if (c.inputs.size === 0) local[0].push(c.expr);
    else multi.push(c);
  }
  const joined = new Set<number>();
  const used = new Set<ClassifiedConjunct>();
  const steps: JoinStep[] = [];
  const score = (i: number) => local[i].length;
  let first = 0;
  for (let i = 1; i < n; i++) if (score(i) > score(first)) first = i;
  const take = (input: number) => {
    const keys: { outer: Expr; inner: Expr }[] = [];
    for (const c of multi) {
      if (used.has(c) || !c.equi) continue;
      const { leftInputs, rightInputs, left, right } = c.equi;
      if (subset(leftInputs, joined) && rightInputs.size === 1 && rightInputs.has(input)) {
        keys.push({ outer: left, inner: right });
        used.add(c);
      } else if (subset(rightInputs, joined) && leftInputs.size === 1 && leftInputs.has(input)) {
        keys.push({ outer: right, inner: left });
        used.add(c);
      }
    }
    joined.add(input);
    const filters: Expr[] = [];
    for (const c of multi) {
      if (used.has(c)) continue;
      if (c.inputs && subset(c.inputs, joined)) {
        filters.push(c.expr);
        used.add(c);
      }
    }
    steps.push({ input, keys, filters });
  };
  take(first);
  while (joined.size < n) {
    let best = -1;
    let bestScore = -1;
    for (let i = 0; i < n; i++) {
      if (joined.has(i)) continue;
      const connected = multi.some((c) => !used.has(c) && c.equi && (
        (subset(c.equi.leftInputs, joined) && c.equi.rightInputs.size === 1 && c.equi.rightInputs.has(i)) ||
        (subset(c.equi.rightInputs, joined) && c.equi.leftInputs.size === 1 && c.equi.leftInputs.has(i))));
      const s = (connected ? 1000 : 0) + score(i);
      if (s > bestScore) {
        best = i;
        bestScore = s;
      }
    }
    take(best);
  }
  for (const c of multi) if (!used.has(c)) late.push(c.expr);
  return { steps, local, late };
}

/** Index nested-loop joins are used while the outer side has at most this many rows; beyond, a hash join. */
export const INDEX_JOIN_OUTER_MAX = 1000;

/**
 * Whether a join step reads its input by index lookups: an index on the join keys, at most
 * INDEX_JOIN_OUTER_MAX rows joined so far, keys that compare as they are stored. The executor
 * decides with the actual row count, EXPLAIN and the filters with the estimate.
 */
export function usesIndexLookup(step: JoinStepPlan, leaf: JoinLeafPlan, outerRows: number): boolean {
  return leaf.lookup !== undefined && step.keys.length > 0 && outerRows <= INDEX_JOIN_OUTER_MAX && step.keys.every((k) => k.domain === 'int' || k.domain === 'text');
}
