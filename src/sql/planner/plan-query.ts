// Plans query expressions (SELECT, set operations, VALUES) and UPDATE/DELETE targets into plan trees, compiling every expression.
import { sqlError } from '../../base/errors.js';
import { isDefaultKeyword, type DeleteStmt, type Expr, type Limit, type OrderItem, type QueryExpr, type SelectItem, type SelectStmt, type SetOpStmt, type Statement, type UpdateStmt } from '../parser/ast.js';
import { Scope, type ScopeColumn } from '../analyzer/scope.js';
import { INFORMATION_SCHEMA } from '../analyzer/system-schema.js';
import { compileExpr, convertTo, groupExprKey, outerReferenceCount, type Compiled, type CompileEnv, type RollupGrouping } from '../analyzer/compile-expr.js';
import { unifyTypes } from '../types/infer.js';
import { AggregateSlots } from '../functions/aggregates.js';
import type { AssignmentPlan, DmlPlan, LimitPlan, QueryPlan, SelectPlan, SetOpPlan, SortKey, ValuesPlan } from './plan.js';
import type { TableDef } from '../../storage/table-def.js';
import type { PlanContext } from './plan-context.js';
import { planSource, resolveTableName } from './plan-source.js';
import { planWith, withCtes } from './plan-cte.js';
import { WindowSlots } from './plan-window.js';
import { PlanCache } from './plan-cache.js';
import { checkAssignable, checkMultiTableClauses, isMultiTableDml, planDeleteTargets, planUpdateTargets } from './plan-multi-dml.js';
import { entryColumns, indexCovers } from '../../storage/table-store.js';

/** A statement's plan: a query, or the target rows of an UPDATE/DELETE. */
export type StatementPlan = QueryPlan | DmlPlan;

/** Plans a SELECT-like statement, UPDATE or DELETE; undefined for statements that have no plan. */
export function planStatement(stmt: Statement, ctx: PlanContext): StatementPlan | undefined {
  switch (stmt.type) {
    case 'select': case 'setop': case 'values': case 'with':
      return planQuery(stmt, ctx);
    case 'update':
      return planDml(stmt, ctx);
    case 'delete':
      return planDml(stmt, ctx);
    default:
      return undefined;
  }
}

/** Plans any query expression; `outer` is the enclosing query's scope for correlated references. */
export function planQuery(query: QueryExpr, ctx: PlanContext, outer?: Scope): QueryPlan {
  switch (query.type) {
    case 'select':
      return planSelect(query, ctx, outer);
    case 'setop':
      return planSetOp(query, ctx, outer);
    case 'values':
      return planValues(query.rows, query.orderBy, query.limit, ctx, outer);
    case 'with':
      return planWith(query, ctx, outer, planQuery);
  }
}

/**
 * The compiler hook for subqueries in expressions over `scope`: plans the subquery (its
 * compilation tells whether it refers to the enclosing row) and records the plan.
 */
export function planSubqueries(ctx: PlanContext, into: QueryPlan[]): (scope: Scope) => CompileEnv['subquery'] {
  return (scope) => (query) => {
    const before = outerReferenceCount();
    const plan = planQuery(query, ctx, scope);
    into.push(plan);
    const correlated = outerReferenceCount() !== before;
    return { types: plan.columns.map((c) => c.type), run: ctx.subqueryRunner(plan, correlated) };
  };
}

/** Whether `e` calls GROUPING(), which reads a grouped row only (as an aggregate does). */
function callsGrouping(e: Expr): boolean {
  let found = false;
  const visit = (x: unknown): void => {
    if (found || x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) { x.forEach(visit); return; }
    const node = x as { type?: string; name?: string };
    if (node.type === 'call' && node.name?.toUpperCase() === 'GROUPING') { found = true; return; }
    for (const v of Object.values(x)) visit(v);
  };
  visit(e);
  return found;
}

function hasAggregate(e: Expr | undefined): boolean {
  if (!e) return false;
  let found = false;
  const visit = (x: unknown): void => {
    if (found || x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) { x.forEach(visit); return; }
    const node = x as { type?: string };
    if (node.type === 'aggregate') {
      // A window call does not group the query, but an aggregate in its arguments or window does.
      if ((x as { over?: unknown }).over === undefined) { found = true; return; }
    }
    if (node.type === 'subquery' || node.type === 'inSubquery' || node.type === 'exists' || node.type === 'quantified') {
      // Aggregates inside a subquery belong to the subquery; only its operand counts.
      const op = (x as { operand?: unknown }).operand;
      if (op) visit(op);
      return;
    }
    // for-in, not Object.values: no array per node (this runs on every select item of every planned text).
    const fields = x as Record<string, unknown>;
    for (const k in fields) visit(fields[k]);
  };
  visit(e);
  return found;
}

function expandItems(items: SelectItem[], scope: Scope): { item: SelectItem; column?: number }[] {
  const out: { item: SelectItem; column?: number }[] = [];
  for (const item of items) {
    const e = item.expr;
    if (e.type === 'column' && e.column === '*') {
      let any = false;
      // An unqualified `*` over a JOIN ... USING follows the join's order (its columns first, once).
      const order = e.table === undefined && scope.starOrder ? scope.starOrder : scope.columns.map((_c, i) => i);
      for (const i of order) {
        const c = scope.columns[i];
        if (c.hidden) continue;
        if (e.table !== undefined && c.table !== e.table) continue;
        any = true;
        out.push({ item: { expr: { type: 'column', table: c.table, column: c.name }, alias: c.name, text: c.name }, column: i });
      }
      if (!any && e.table !== undefined) throw sqlError('BAD_TABLE', `Unknown table '${e.table}'`);
      if (!any && scope.columns.length === 0) throw sqlError('NO_TABLES_USED', 'No tables used');
    } else out.push({ item });
  }
  return out;
}

/** LIMIT and OFFSET compiled over no columns (they are constants or parameters). */
export function planLimit(limit: Limit | undefined, ctx: PlanContext): LimitPlan | undefined {
  if (!limit) return undefined;
  const env: CompileEnv = { scope: new Scope([]), session: ctx.session, clause: 'limit clause' };
  return { count: compileExpr(limit.count, env), offset: limit.offset ? compileExpr(limit.offset, env) : undefined };
}

/** Resolves ORDER BY items: ordinals and aliases refer to select items, anything else is compiled in `env`. */
function compileOrder(order: OrderItem[], items: Compiled[], names: string[], env: CompileEnv): SortKey[] {
  return order.map((o) => {
    const e = o.expr;
    if (e.type === 'literal' && e.kind === 'integer') {
      const n = Number(e.value);
      if (n < 1 || n > items.length) throw sqlError('BAD_FIELD', `Unknown column '${n}' in 'order clause'`);
      return { c: items[n - 1], desc: o.desc };
    }
    if (e.type === 'column' && e.table === undefined) {
      // A select alias wins over an input column only when the input has no such column (MySQL's rule for ORDER BY).
      const idx = names.findIndex((n) => n.toLowerCase() === e.column.toLowerCase());
      if (idx >= 0 && env.scope.find(e.column) < 0) return { c: items[idx], desc: o.desc };
    }
    return { c: compileExpr(e, env), desc: o.desc };
  });
}

/**
 * MySQL's implicit order of a natural-language full-text search: a one-table SELECT without ORDER BY whose WHERE is
 * (or is ANDed with) MATCH ... AGAINST in natural language mode returns its rows most relevant first. Boolean mode
 * does not sort, as in MySQL.
 */
function relevanceOrder(stmt: SelectStmt): OrderItem[] {
  if (stmt.from.length !== 1 || stmt.from[0].type !== 'table') return stmt.orderBy;
  const conjuncts: Expr[] = [];
  const collect = (e: Expr | undefined): void => {
    if (e?.type === 'binary' && e.op === 'AND') {
      collect(e.left);
      collect(e.right);
    } else if (e) conjuncts.push(e);
  };
  collect(stmt.where);
  const match = conjuncts.find((e) => e.type === 'match' && e.mode !== 'BOOLEAN MODE');
  return match ? [{ expr: match, desc: true }] : stmt.orderBy;
}

function planSelect(stmt: SelectStmt, ctx: PlanContext, outer?: Scope): SelectPlan {
  const subqueries: QueryPlan[] = [];
  const hook = planSubqueries(ctx, subqueries);
  const from = planSource(stmt.from, stmt.where, ctx, (q, o, c) => planQuery(q, c ?? ctx, o), outer, hook);
  const scope = from.scope;
  const base: CompileEnv = { scope, session: ctx.session, clause: 'field list', text: ctx.text, subquery: hook(scope) };
  // Which table columns the statement reads, so a base-table scan decodes only those. A
  // correlated subquery may read this row too, so any outer reference compiled while
  // compiling this statement turns the narrowing off.
  const columnsRead: boolean[] | undefined = from.kind === 'table' ? [] : undefined;
  base.columnsRead = columnsRead;
  const outerReferencesBefore = outerReferenceCount();
  const where = stmt.where ? compileExpr(stmt.where, { ...base, clause: 'where clause' }) : undefined;
  const expanded = expandItems(stmt.items, scope);
  const grouped = stmt.groupBy.length > 0 || expanded.some((x) => hasAggregate(x.item.expr)) || hasAggregate(stmt.having);
  const width = scope.columns.length;
  const aggregates = grouped ? new AggregateSlots(width, ctx.text) : undefined;
  const windows = new WindowSlots(stmt.windows);
  const rollupExprs = stmt.withRollup && !stmt.windows?.length ? rollupExpressions(stmt, expanded, base) : undefined;
  // Built field by field rather than spread from `base`: this spread was a tenth of planning a point select's CPU (profiled).
  const itemEnv: CompileEnv = {
    scope, session: base.session, clause: base.clause, text: base.text, subquery: base.subquery, columnsRead,
    aggregates, windows, groupExprs: rollupExprs?.byText, grouping: rollupExprs?.grouping,
  };
  const items = expanded.map((x) => compileExpr(x.item.expr, itemEnv));
  const names = expanded.map((x, i) => x.item.alias ?? unaliasedName(x.item, items[i], scope));
  const aliasMap = new Map<string, Compiled>();
  names.forEach((n, i) => { if (!aliasMap.has(n.toLowerCase())) aliasMap.set(n.toLowerCase(), items[i]); });
  const groupKeys = stmt.groupBy.map((g) => {
    if (g.type === 'literal' && g.kind === 'integer') {
      const n = Number(g.value);
      if (n < 1 || n > items.length) throw sqlError('BAD_FIELD', `Unknown column '${n}' in 'group statement'`);
      if (hasAggregate(expanded[n - 1].item.expr)) throw sqlError('WRONG_GROUP_FIELD', `Can't group on '${names[n - 1]}'`);
      return compileExpr(expanded[n - 1].item.expr, { ...base, clause: 'group statement' });
    }
    return compileExpr(g, { ...base, clause: 'group statement', aliases: rollupExprs ? groupAliases(expanded, names, base) : aliasMap });
  });
  const having = stmt.having ? compileExpr(stmt.having, { ...itemEnv, windows: undefined, clause: 'having clause', aliases: aliasMap }) : undefined;
  const orderBy = stmt.orderBy.length > 0 || grouped || stmt.distinct ? stmt.orderBy : relevanceOrder(stmt);
  // No ORDER BY (a point select), no environment to build: spreading itemEnv showed in the profile.
  const order = orderBy.length === 0 ? [] : compileOrder(orderBy, items, names, { ...itemEnv, clause: 'order clause', aliases: aliasMap });
  // Window values follow the row the select list reads: the input's columns, then any aggregates.
  windows.base = width + (aggregates?.specs.length ?? 0);
  const limit = planLimit(stmt.limit, ctx);
  if (from.kind === 'table' && columnsRead !== undefined && outerReferenceCount() === outerReferencesBefore) {
    const read = from.def.columns.map((_, i) => columnsRead[i] === true);
    // Primary key columns always: they identify the row (locking reads lock by them).
    for (const c of from.def.primaryKey?.columns ?? []) read[c] = true;
    from.columnsRead = read;
    const index = from.access.index;
    if (index !== undefined && index.id !== 0) from.covering = indexCovers(entryColumns(from.def, index), read);
  }
  const columns: ScopeColumn[] = items.map((c, i) => {
    const src = c.columnIndex !== undefined && (!grouped || c.columnIndex < width) ? scope.columns[c.columnIndex] : undefined;
    return src
      ? { ...src, name: names[i] }
      : { table: '', schema: '', orgTable: '', name: names[i], orgName: '', type: c.type, nullable: c.nullable };
  });
  const plan: SelectPlan = { kind: 'select', columns, from, where, aggregates, groupKeys, having, windows: windows.plan(), items, distinct: stmt.distinct, order, limit, subqueries };
  if (stmt.withRollup) {
    plan.rollup = rollupColumns(groupKeys, width, rollupExprs !== undefined);
    // Expression keys' values follow the aggregates in each grouped row, then the row's rollup level.
    if (rollupExprs) {
      rollupExprs.slot.base = width + (aggregates?.specs.length ?? 0);
      rollupExprs.grouping.levelSlot.index = rollupExprs.slot.base + plan.rollup.filter((c) => c < 0).length;
    }
  }
  return plan;
}

/**
 * The name of a select item without an alias: as written, except that a qualified column reference is
 * named by its column alone, and that (as in MySQL 8, not MariaDB) a column of an information_schema
 * table keeps the table's own name (`SELECT table_name FROM information_schema.tables` names it
 * TABLE_NAME): MySQL 8 tools such as drizzle-kit read the upper-case names.
 */
function unaliasedName(item: SelectItem, compiled: Compiled, scope: Scope): string {
  if (item.expr.type !== 'column') return item.text;
  const source = compiled.columnIndex !== undefined ? scope.columns[compiled.columnIndex] : undefined;
  if (source !== undefined && source.schema === INFORMATION_SCHEMA && source.orgName !== '') return source.orgName;
  return item.expr.column;
}

/** ORDER BY over an already projected result (set operations, VALUES): by position or output name. */
function projectedOrder(orderBy: OrderItem[], columns: ScopeColumn[], ctx: PlanContext): SortKey[] {
  if (orderBy.length === 0) return [];
  const scope = new Scope(columns);
  const items = columns.map((c, i): Compiled => ({ type: c.type, nullable: true, constant: false, eval: (r) => r[i], columnIndex: i }));
  return compileOrder(orderBy, items, columns.map((c) => c.name), { scope, session: ctx.session, clause: 'order clause' });
}

function planValues(rowsAst: Expr[][], orderBy: OrderItem[], limit: Limit | undefined, ctx: PlanContext, outer?: Scope): ValuesPlan {
  const subqueries: QueryPlan[] = [];
  const scope = new Scope([], outer);
  const env: CompileEnv = { scope, session: ctx.session, clause: 'field list', text: ctx.text, subquery: planSubqueries(ctx, subqueries)(scope) };
  if (rowsAst.some((r) => r.length !== rowsAst[0].length)) throw sqlError('WRONG_VALUE_COUNT_ON_ROW', 'Column count doesn\'t match value count at row 2');
  const compiled = rowsAst.map((r) => r.map((e) => compileExpr(e, env)));
  const types = compiled[0].map((_, i) => unifyTypes(compiled.map((r) => r[i].type)));
  const rows = compiled.map((r) => r.map((c, i) => convertTo(c, types[i])));
  const columns: ScopeColumn[] = types.map((t, i) => ({ table: '', schema: '', orgTable: '', name: `column_${i}`, orgName: '', type: t, nullable: true }));
  return { kind: 'values', columns, rows, order: projectedOrder(orderBy, columns, ctx), limit: planLimit(limit, ctx), subqueries };
}

function planSetOp(stmt: SetOpStmt, ctx: PlanContext, outer?: Scope): SetOpPlan {
  const left = planQuery(stmt.left, ctx, outer);
  const right = planQuery(stmt.right, ctx, outer);
  if (left.columns.length !== right.columns.length) {
    throw sqlError('WRONG_NUMBER_OF_COLUMNS_IN_SELECT', 'The used SELECT statements have a different number of columns');
  }
  const columns = left.columns.map((c, i) => ({
    ...c,
    type: unifyTypes([c.type, right.columns[i].type]),
    nullable: c.nullable || right.columns[i].nullable,
  }));
  // Each side's values converted to the unified column types.
  const converters = (side: QueryPlan) =>
    side.columns.map((c, i) => convertTo({ type: c.type, nullable: true, constant: false, eval: (r) => r[i] }, columns[i].type));
  return {
    kind: 'setop', columns, op: stmt.op, all: stmt.all, left, right,
    convertLeft: converters(left), convertRight: converters(right),
    order: projectedOrder(stmt.orderBy, columns, ctx), limit: planLimit(stmt.limit, ctx),
  };
}

/** The context an UPDATE / DELETE plans in: with the CTEs written before it, if any. */
export function dmlContext(stmt: UpdateStmt | DeleteStmt, ctx: PlanContext): PlanContext {
  return stmt.with ? withCtes(stmt.with, ctx, undefined) : ctx;
}

/**
 * UPDATE / DELETE: the target rows' source with its access path chosen for the WHERE, and the WHERE
 * compiled. The multi-table forms read a join and name their written tables in `targets`.
 */
export function planDml(stmt: UpdateStmt | DeleteStmt, ctx: PlanContext): DmlPlan {
  if (isMultiTableDml(stmt)) return planMultiDml(stmt, ctx);
  const refs = stmt.type === 'update' ? stmt.tables : stmt.table ? [stmt.table] : [];
  const ref = refs[0];
  if (ref?.type !== 'table') throw new Error('planner: a single-table UPDATE/DELETE without its table');
  // A write to information_schema is 1044, a missing table 1146, before anything is planned.
  resolveTableName(ctx, ref.schema, ref.name);
  const subqueries: QueryPlan[] = [];
  const hook = planSubqueries(ctx, subqueries);
  const source = planSource(refs, stmt.where, ctx, (q, o, c) => planQuery(q, c ?? ctx, o), undefined, hook);
  if (source.kind !== 'table') {
    throw sqlError('NON_UPDATABLE_TABLE', `The target table ${ref.name} of the ${stmt.type.toUpperCase()} is not updatable`);
  }
  const env: CompileEnv = { scope: source.scope, session: ctx.session, clause: 'where clause', text: ctx.text, subquery: hook(source.scope) };
  const where = stmt.where ? compileExpr(stmt.where, env) : undefined;
  const limit = planLimit(stmt.limit, ctx);
  const order = stmt.orderBy.map((o) => ({ c: compileExpr(o.expr, { ...env, clause: 'order clause' }), desc: o.desc }));
  const assignments = stmt.type === 'update' ? planAssignments(stmt, source.def, { ...env, clause: 'field list' }) : [];
  return { kind: 'dml', source, where, limit, ordered: order.length > 0, order, assignments, subqueries };
}

/** Multi-table UPDATE / DELETE: the FROM planned as a join (as a SELECT would read it), then the written tables found in it. */
function planMultiDml(stmt: UpdateStmt | DeleteStmt, ctx: PlanContext): DmlPlan {
  checkMultiTableClauses(stmt);
  const refs = stmt.type === 'update' ? stmt.tables : stmt.from ?? [];
  const subqueries: QueryPlan[] = [];
  const hook = planSubqueries(ctx, subqueries);
  const source = planSource(refs, stmt.where, ctx, (q, o, c) => planQuery(q, c ?? ctx, o), undefined, hook);
  const env: CompileEnv = { scope: source.scope, session: ctx.session, clause: 'where clause', text: ctx.text, subquery: hook(source.scope) };
  const where = stmt.where ? compileExpr(stmt.where, env) : undefined;
  const written = stmt.type === 'update'
    ? planUpdateTargets(stmt, source, { ...env, clause: 'field list' })
    : { targets: planDeleteTargets(stmt.targets ?? [], source), assignments: [] };
  return { kind: 'dml', source, where, limit: undefined, ordered: false, order: [], assignments: written.assignments, subqueries, targets: written.targets };
}

/** An UPDATE's `SET column = value` list: each column found in the table, each value compiled over its row. */
function planAssignments(stmt: UpdateStmt, def: TableDef, env: CompileEnv): AssignmentPlan[] {
  const alias = env.scope.columns[0]?.table;
  return stmt.set.map((a) => {
    if (a.column.table && a.column.table !== alias) throw sqlError('BAD_FIELD', `Unknown column '${a.column.table}.${a.column.column}' in 'field list'`);
    const column = def.columns.findIndex((c) => c.name.toLowerCase() === a.column.column.toLowerCase());
    if (column < 0) throw sqlError('BAD_FIELD', `Unknown column '${a.column.column}' in 'field list'`);
    checkAssignable(def, column, isDefaultKeyword(a.value));
    return { column, value: isDefaultKeyword(a.value) ? undefined : compileExpr(a.value, env) };
  });
}

/** Statements' query plans, reused by their next executions (prepared statements, repeated texts). */
export const queryPlans = new PlanCache<QueryExpr, QueryPlan>((query, ctx) => planQuery(query, ctx));

/** UPDATE / DELETE target plans, reused likewise. */
export const dmlPlans = new PlanCache<UpdateStmt | DeleteStmt, DmlPlan>((stmt, ctx) => planDml(stmt, dmlContext(stmt, ctx)));

/**
 * WITH ROLLUP nulls the grouping columns of its super-aggregate rows: a column key by its input
 * column, an expression key (-1 here) by the value the rollup appends after the aggregates.
 */
function rollupColumns(keys: Compiled[], width: number, expressionsAllowed: boolean): number[] {
  return keys.map((k) => {
    if (k.columnIndex !== undefined && k.columnIndex < width) return k.columnIndex;
    if (!expressionsAllowed) throw sqlError('NOT_SUPPORTED_YET', 'This version of mizzle does not yet support WITH ROLLUP over expressions with window functions');
    return -1;
  });
}

/** Select aliases for GROUP BY compiled as their expressions (under ROLLUP the select items read the keys' values instead). */
function groupAliases(expanded: { item: SelectItem }[], names: string[], base: CompileEnv): Map<string, Compiled> {
  const out = new Map<string, Compiled>();
  names.forEach((n, i) => {
    const e = expanded[i].item.expr;
    if (!out.has(n.toLowerCase()) && !hasAggregate(e) && !callsGrouping(e)) out.set(n.toLowerCase(), compileExpr(e, { ...base, clause: 'group statement' }));
  });
  return out;
}

/**
 * WITH ROLLUP's expression keys, compiled as reads of the values the rollup appends after the
 * aggregates (`slot.base` is known once every aggregate has been collected), keyed by syntax tree.
 */
function rollupExpressions(stmt: SelectStmt, expanded: { item: SelectItem }[], base: CompileEnv): { byText: Map<string, Compiled>; slot: { base: number }; grouping: RollupGrouping } {
  const slot = { base: -1 };
  const byText = new Map<string, Compiled>();
  // A GROUP BY position or select alias stands for the select item's expression.
  const resolve = (g: Expr): Expr | undefined => {
    const ast = g.type === 'literal' && g.kind === 'integer' ? expanded[Number(g.value) - 1]?.item.expr : g;
    if (ast?.type === 'column' && ast.table === undefined && base.scope.find(ast.column) < 0) {
      const name = ast.column.toLowerCase();
      return expanded.find((x) => x.item.alias?.toLowerCase() === name)?.item.expr ?? ast;
    }
    return ast;
  };
  /** Each key as GROUPING() matches it: a column by its input position, an expression by its syntax tree. */
  const identity = (ast: Expr): string => (ast.type === 'column' ? `#${compileExpr(ast, { ...base, clause: 'group statement' }).columnIndex}` : groupExprKey(ast));
  const keyIdentities: string[] = [];
  let n = 0;
  for (const g of stmt.groupBy) {
    const ast = resolve(g);
    keyIdentities.push(ast ? identity(ast) : '');
    if (!ast || ast.type === 'column') continue;
    // One value per expression key, in key order, as the rollup appends them.
    const offset = n++;
    const key = groupExprKey(ast);
    if (byText.has(key)) continue;
    const type = compileExpr(ast, { ...base, clause: 'group statement' }).type;
    byText.set(key, { type, nullable: true, constant: false, eval: (row) => row[slot.base + offset] });
  }
  const grouping: RollupGrouping = {
    keyOf(arg) {
      // GROUPING(1) names no key: a number is a GROUP BY position only in GROUP BY itself.
      if (arg.type === 'literal') return -1;
      const ast = resolve(arg);
      return ast ? keyIdentities.indexOf(identity(ast)) : -1;
    },
    levelSlot: { index: -1 },
  };
  return { byText, slot, grouping };
}
