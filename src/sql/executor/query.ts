// Runs planned query expressions as row iterators: SELECT (filter, group, having, distinct, order, limit), set operations and VALUES.
import { sqlError } from '../../base/errors.js';
import type { QueryExpr } from '../parser/ast.js';
import type { Scope, ScopeColumn } from '../analyzer/scope.js';
import type { CompileEnv } from '../analyzer/compile-expr.js';
import type { EvalContext } from '../analyzer/eval-context.js';
import { compareForSort } from '../types/compare.js';
import { toBoolean, toInteger } from '../types/convert.js';
import { rowKey } from '../types/row-key.js';
import type { Row, Value } from '../../base/value.js';
import type { LimitPlan, QueryPlan, SelectPlan, SetOpPlan, SortKey, SubqueryRunnerFactory, ValuesPlan } from '../planner/plan.js';
import type { PlanContext } from '../planner/plan-context.js';
import { planSubqueries, queryPlans } from '../planner/plan-query.js';
import { informationSchemaColumns } from './information-schema.js';
import { computeWindows } from './window.js';
import { sourceRows, uniqueKeyRows } from './source.js';
import { RollupGrouper } from './rollup.js';
import { collect, drain, PAUSE, PAUSE_EVERY, sortWithPauses, type Pause, type Pulled } from './pause.js';
import type { ReadTx, StatementEnv } from './statement-env.js';

/** A query's result: typed columns and materialized rows. */
export interface QueryResult {
  columns: ScopeColumn[];
  rows: Row[];
}

/** Runs subqueries of a plan in this statement's read transaction: once when uncorrelated, per outer row otherwise. */
function subqueryRunner(env: StatementEnv, tx: ReadTx): SubqueryRunnerFactory {
  return (plan, correlated) => {
    // A subquery runs to its end inside the expression that asked for it (no pauses there).
    if (!correlated) {
      let rows: Row[] | undefined;
      return () => (rows ??= drain(executeQuery(plan, env, tx), env.checkpoint));
    }
    return (row, ctx) => {
      ctx.outerRows.push(row);
      try {
        return drain(executeQuery(plan, env, tx), env.checkpoint);
      } finally {
        ctx.outerRows.pop();
      }
    };
  };
}

/** Planning inside a statement: its session and snapshot, with subqueries that run in the same transaction. */
export function planContext(env: StatementEnv, tx: ReadTx): PlanContext {
  return { session: env.session, text: env.text, catalog: tx.catalog, systemColumns: informationSchemaColumns, subqueryRunner: subqueryRunner(env, tx) };
}

/** The compiler hook for subqueries in a standalone expression (SET, DO, UPDATE ... SET) over `scope`. */
export function subqueryCompiler(env: StatementEnv, tx: ReadTx, scope: Scope): CompileEnv['subquery'] {
  return planSubqueries(planContext(env, tx), [])(scope);
}

/** Plans and runs a query expression, materializing its rows (INSERT ... SELECT, CREATE TABLE ... AS, views' callers). */
export function runQuery(query: QueryExpr, env: StatementEnv, tx: ReadTx): QueryResult {
  const plan = queryPlans.plan(query, planContext(env, tx));
  return { columns: plan.columns, rows: uniqueKeyQueryRows(plan, env, tx) ?? drain(executeQuery(plan, env, tx), env.checkpoint) };
}

/** `runQuery` for a statement that pauses: its rows collected with the pauses passed up. */
export function* runQuerySteps(query: QueryExpr, env: StatementEnv, tx: ReadTx): Generator<Pause, QueryResult> {
  const plan = queryPlans.plan(query, planContext(env, tx));
  return { columns: plan.columns, rows: uniqueKeyQueryRows(plan, env, tx) ?? (yield* collect(executeQuery(plan, env, tx), [])) };
}

/**
 * The rows of a planned query, produced as they are pulled (sorting, grouping and DISTINCT hold
 * what they must), with pauses between slices of work for a driver that gives the thread back.
 */
export function executeQuery(plan: QueryPlan, env: StatementEnv, tx: ReadTx): Iterable<Pulled> {
  switch (plan.kind) {
    case 'select':
      return executeSelect(plan, env, tx);
    case 'setop':
      return executeSetOp(plan, env, tx);
    case 'values':
      return executeValues(plan, env);
  }
}

function evalLimit(limit: LimitPlan | undefined, ctx: EvalContext): { offset: number; count: number } {
  if (!limit) return { offset: 0, count: Infinity };
  const val = (c: LimitPlan['count']) => {
    const v = c.eval([], ctx);
    if (v === null) throw sqlError('WRONG_ARGUMENTS', 'Incorrect arguments to LIMIT');
    const n = Number(toInteger(v));
    if (n < 0) throw sqlError('PARSE', `You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near '${n}' at line 1`);
    return n;
  };
  const offset = limit.offset ? val(limit.offset) : 0;
  return { offset, count: val(limit.count) };
}

function sortRows<T extends { keys: Value[] }>(rows: T[], order: SortKey[]): Generator<Pause, T[]> {
  return sortWithPauses(rows, (a, b) => {
    for (let i = 0; i < order.length; i++) {
      const c = compareForSort(order[i].c.type, a.keys[i], b.keys[i]);
      if (c !== 0) return order[i].desc ? -c : c;
    }
    return 0;
  });
}

/** Whether a SELECT streams: no grouping, DISTINCT, ORDER BY or windows, so each row is filtered, projected and passed on. */
function streams(plan: SelectPlan): boolean {
  return !plan.aggregates && !plan.distinct && plan.order.length === 0 && !plan.windows;
}

/** Whether a streaming SELECT keeps a row of its FROM: WHERE and HAVING hold. */
function kept(plan: SelectPlan, row: Row, ctx: EvalContext): boolean {
  return (!plan.where || toBoolean(plan.where.eval(row, ctx)) === true) && (!plan.having || toBoolean(plan.having.eval(row, ctx)) === true);
}

/** A streaming SELECT's output row for a kept row (charged to the statement's memory). */
function projectRow(plan: SelectPlan, row: Row, ctx: EvalContext): Row {
  const items = plan.items;
  const out: Row = new Array(items.length);
  for (let i = 0; i < items.length; i++) out[i] = items[i].eval(row, ctx);
  ctx.memory?.charge(out);
  return out;
}

/**
 * The rows of a streaming SELECT of one table by a whole unique key (`WHERE id = ?`): read and
 * projected at once, without the generators a query that may pause runs in (it reads a row or
 * a few). Undefined for any other query, which runs through executeQuery.
 */
export function uniqueKeyQueryRows(plan: QueryPlan, env: StatementEnv, tx: ReadTx): Row[] | undefined {
  if (plan.kind !== 'select' || plan.from.kind !== 'table' || !streams(plan)) return undefined;
  const rows = uniqueKeyRows(plan.from, env, tx);
  if (rows === undefined) return undefined;
  const ctx = env.ctx;
  const { offset, count } = evalLimit(plan.limit, ctx);
  const out: Row[] = [];
  let skipped = 0;
  if (count === 0) return out;
  for (const row of rows) {
    if (!kept(plan, row, ctx)) continue;
    if (skipped < offset) {
      skipped++;
      continue;
    }
    out.push(projectRow(plan, row, ctx));
    if (out.length >= count) break;
  }
  return out;
}

function* executeSelect(plan: SelectPlan, env: StatementEnv, tx: ReadTx): Generator<Pulled> {
  const ctx = env.ctx;
  const { where, having, order, items } = plan;
  const { offset, count } = evalLimit(plan.limit, ctx);
  if (count === 0) return;
  const memory = ctx.memory;
  const rows = sourceRows(plan.from, env, tx);

  // 1. The streaming path: each row is filtered, projected and passed on.
  if (streams(plan)) {
    let skipped = 0;
    let produced = 0;
    for (const row of rows) {
      if (row === PAUSE) {
        yield PAUSE;
        continue;
      }
      if (!kept(plan, row, ctx)) continue;
      if (skipped < offset) {
        skipped++;
        continue;
      }
      yield projectRow(plan, row, ctx);
      if (++produced >= count) return;
    }
    return;
  }
  const itemEvals = items.map((i) => i.eval);

  // 2. Rows from FROM, filtered by WHERE; grouped queries aggregate as rows stream by instead of holding them.
  let working: Row[] = [];
  const slots = plan.aggregates;
  if (slots) {
    const width = plan.from.scope.columns.length;
    const groupKeys = plan.groupKeys;
    const keyTypes = groupKeys.map((g) => g.type);
    const groups = new Map<string, { first: Row; accs: ReturnType<typeof slots.specs[number]['create']>[] }>();
    const rollup = plan.rollup ? new RollupGrouper(groupKeys, plan.rollup, slots, width) : undefined;
    for (const row of rows) {
      if (row === PAUSE) {
        yield PAUSE;
        continue;
      }
      if (where && toBoolean(where.eval(row, ctx)) !== true) continue;
      if (rollup) {
        rollup.add(row, ctx);
        continue;
      }
      const k = groupKeys.length ? rowKey(groupKeys.map((g) => g.eval(row, ctx)), keyTypes) : '';
      let g = groups.get(k);
      if (!g) {
        memory?.charge(row);
        g = { first: row, accs: slots.specs.map((s) => s.create()) };
        groups.set(k, g);
      }
      for (const a of g.accs) a.add(row, ctx);
    }
    if (groups.size === 0 && groupKeys.length === 0) {
      groups.set('', { first: new Array(width).fill(null), accs: slots.specs.map((s) => s.create()) });
    }
    if (rollup) working = rollup.rows();
    for (const g of groups.values()) {
      const row = g.first.slice(0, width);
      for (const a of g.accs) row.push(a.result());
      working.push(row);
    }
  } else {
    for (const row of rows) {
      if (row === PAUSE) {
        yield PAUSE;
        continue;
      }
      if (where && toBoolean(where.eval(row, ctx)) !== true) continue;
      memory?.charge(row);
      working.push(row);
    }
  }
  if (having) working = working.filter((r) => toBoolean(having.eval(r, ctx)) === true);
  // Window functions see the rows HAVING kept, before DISTINCT, ORDER BY and LIMIT, as in MySQL.
  if (plan.windows) working = yield* computeWindows(working, plan.windows, ctx);

  // 3. Projection, DISTINCT, ORDER BY, LIMIT.
  let out: { proj: Row; keys: Value[] }[] = [];
  const types = items.map((i) => i.type);
  const seen = plan.distinct ? new Set<string>() : undefined;
  for (let i = 0; i < working.length; i++) {
    const r = working[i];
    const proj = itemEvals.map((e) => e(r, ctx));
    if (seen) {
      const k = rowKey(proj, types);
      if (seen.has(k)) continue;
      seen.add(k);
    }
    out.push({ proj, keys: order.map((o) => o.c.eval(r, ctx)) });
    if (i % PAUSE_EVERY === PAUSE_EVERY - 1) yield PAUSE;
  }
  if (order.length) out = yield* sortRows(out, order);
  const end = count === Infinity ? out.length : Math.min(out.length, offset + count);
  for (let i = offset; i < end; i++) yield out[i].proj;
}

function* executeValues(plan: ValuesPlan, env: StatementEnv): Generator<Pulled> {
  const ctx = env.ctx;
  const rows = plan.rows.map((r) => r.map((c) => c.eval([], ctx)));
  yield* yield* sortAndLimit(rows, plan.order, plan.limit, ctx);
}

function* executeSetOp(plan: SetOpPlan, env: StatementEnv, tx: ReadTx): Generator<Pulled> {
  const ctx = env.ctx;
  function* conv(side: QueryPlan, convert: SetOpPlan['convertLeft']): Generator<Pause, Row[]> {
    const out: Row[] = [];
    for (const row of executeQuery(side, env, tx)) {
      if (row === PAUSE) yield PAUSE;
      else out.push(convert.map((c) => c.eval(row, ctx)));
    }
    return out;
  }
  const l = yield* conv(plan.left, plan.convertLeft);
  const r = yield* conv(plan.right, plan.convertRight);
  const types = plan.columns.map((c) => c.type);
  const key = (row: Row) => rowKey(row, types);
  let rows: Row[];
  if (plan.op === 'union') {
    rows = [...l, ...r];
    if (!plan.all) rows = dedupe(rows, key);
  } else {
    // INTERSECT keeps left rows found on the right, EXCEPT those not found; ALL counts duplicates.
    const wantFound = plan.op === 'intersect';
    const counts = new Map<string, number>();
    for (const row of r) counts.set(key(row), (counts.get(key(row)) ?? 0) + 1);
    rows = [];
    for (const row of plan.all ? l : dedupe(l, key)) {
      const k = key(row);
      const n = counts.get(k) ?? 0;
      if (n > 0 && plan.all) counts.set(k, n - 1);
      if ((n > 0) === wantFound) rows.push(row);
    }
  }
  yield* yield* sortAndLimit(rows, plan.order, plan.limit, ctx);
}

function dedupe(rows: Row[], key: (r: Row) => string): Row[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const k = key(r);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** ORDER BY / LIMIT over an already projected result (set operations, VALUES). */
function* sortAndLimit(rows: Row[], order: SortKey[], limit: LimitPlan | undefined, ctx: EvalContext): Generator<Pause, Row[]> {
  if (order.length) {
    const keyed = rows.map((r) => ({ r, keys: order.map((o) => o.c.eval(r, ctx)) }));
    rows = (yield* sortRows(keyed, order)).map((x) => x.r);
  }
  const { offset, count } = evalLimit(limit, ctx);
  return offset || count !== Infinity ? rows.slice(offset, count === Infinity ? undefined : offset + count) : rows;
}
