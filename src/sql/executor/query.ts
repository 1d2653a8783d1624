// Runs query expressions: SELECT (filter, group, having, distinct, order, limit), set operations and VALUES.
import { sqlError } from '../../base/errors.js';
import type { Expr, Limit, OrderItem, QueryExpr, SelectItem, SelectStmt, SetOpStmt } from '../parser/ast.js';
import { Scope, type ScopeColumn } from '../analyzer/scope.js';
import { compileExpr, convertTo, outerReferenceCount, type Compiled, type CompileEnv } from '../analyzer/compile-expr.js';
import { compareForSort } from '../types/compare.js';
import { toBoolean, toInteger } from '../types/convert.js';
import { unifyTypes } from '../types/infer.js';
import type { Row, Value } from '../../base/value.js';
import { AggregateSlots } from './aggregates.js';
import { buildSource, type Source } from './from.js';
import { rowKey } from './row-key.js';
import type { ReadTx, StatementEnv } from './statement-env.js';

/** A query's result: typed columns and materialized rows. */
export interface QueryResult {
  columns: ScopeColumn[];
  rows: Row[];
  /** The FROM source, kept for EXPLAIN. */
  source?: Source;
}

/** Runs any query expression inside a read transaction. */
export function runQuery(query: QueryExpr, env: StatementEnv, tx: ReadTx, outer?: Scope): QueryResult {
  switch (query.type) {
    case 'select':
      return runSelect(query, env, tx, outer);
    case 'setop':
      return runSetOp(query, env, tx, outer);
    case 'values':
      return runValues(query.rows, query.orderBy, query.limit, env, tx, outer);
    case 'with':
      throw sqlError('NOT_SUPPORTED_YET', 'This version of mizzle does not yet support WITH (common table expressions)');
  }
}

/**
 * Compiles a subquery. It is run once here with an all-NULL outer row, which
 * gives its column types and tells whether it refers to the enclosing query;
 * an uncorrelated subquery's rows are kept, a correlated one runs again for
 * every outer row.
 */
export function subqueryCompiler(env: StatementEnv, tx: ReadTx, scope: Scope): NonNullable<CompileEnv['subquery']> {
  return (query) => {
    const before = outerReferenceCount();
    env.ctx.outerRows.push(new Array(scope.columns.length).fill(null));
    let probe: QueryResult;
    try {
      probe = runQuery(query, env, tx, scope);
    } finally {
      env.ctx.outerRows.pop();
    }
    const correlated = outerReferenceCount() !== before;
    const types = probe.columns.map((c) => c.type);
    if (!correlated) {
      const rows = probe.rows;
      return { types, run: () => rows };
    }
    return {
      types,
      run: (row, ctx) => {
        ctx.outerRows.push(row);
        try {
          return runQuery(query, env, tx, scope).rows;
        } finally {
          ctx.outerRows.pop();
        }
      },
    };
  };
}

function hasAggregate(e: Expr | undefined): boolean {
  if (!e) return false;
  let found = false;
  const visit = (x: unknown): void => {
    if (found || x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) { x.forEach(visit); return; }
    const node = x as { type?: string };
    if (node.type === 'aggregate') { found = true; return; }
    if (node.type === 'subquery' || node.type === 'inSubquery' || node.type === 'exists' || node.type === 'quantified') {
      // Aggregates inside a subquery belong to the subquery; only its operand counts.
      const op = (x as { operand?: unknown }).operand;
      if (op) visit(op);
      return;
    }
    for (const v of Object.values(x)) visit(v);
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
      scope.columns.forEach((c, i) => {
        if (c.hidden) return;
        if (e.table !== undefined && c.table !== e.table) return;
        any = true;
        out.push({ item: { expr: { type: 'column', table: c.table, column: c.name }, alias: c.name, text: c.name }, column: i });
      });
      if (!any && e.table !== undefined) throw sqlError('BAD_TABLE', `Unknown table '${e.table}'`);
      if (!any && scope.columns.length === 0) throw sqlError('NO_TABLES_USED', 'No tables used');
    } else out.push({ item });
  }
  return out;
}

function evalLimit(limit: Limit | undefined, env: StatementEnv): { offset: number; count: number } {
  if (!limit) return { offset: 0, count: Infinity };
  const val = (e: Expr) => {
    const c = compileExpr(e, { scope: new Scope([]), session: env.session, clause: 'limit clause' });
    const v = c.eval([], env.ctx);
    if (v === null) throw sqlError('WRONG_ARGUMENTS', 'Incorrect arguments to LIMIT');
    const n = Number(toInteger(v));
    if (n < 0) throw sqlError('PARSE', `You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near '${n}' at line 1`);
    return n;
  };
  return { offset: limit.offset ? val(limit.offset) : 0, count: val(limit.count) };
}

/** Resolves ORDER BY items: ordinals and aliases refer to select items, anything else is compiled in `env`. */
function compileOrder(order: OrderItem[], items: Compiled[], names: string[], env: CompileEnv): { c: Compiled; desc: boolean }[] {
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

function runSelect(stmt: SelectStmt, env: StatementEnv, tx: ReadTx, outer?: Scope): QueryResult {
  const source = buildSource(stmt.from, stmt.where, env, tx, (q, t, o) => runQuery(q, env, t, o), outer);
  const scope = source.scope;
  const base: CompileEnv = { scope, session: env.session, clause: 'field list', text: env.text };
  // Which table columns the statement reads, so a base-table scan decodes only those. A
  // correlated subquery may read this row too, so any outer reference compiled while
  // compiling this statement turns the narrowing off.
  const columnsRead: boolean[] | undefined = source.readOnlyColumns ? [] : undefined;
  base.columnsRead = columnsRead;
  const outerReferencesBefore = outerReferenceCount();
  base.subquery = subqueryCompiler(env, tx, scope);
  const where = stmt.where ? compileExpr(stmt.where, { ...base, clause: 'where clause' }) : undefined;
  const expanded = expandItems(stmt.items, scope);
  const grouped = stmt.groupBy.length > 0 || expanded.some((x) => hasAggregate(x.item.expr)) || hasAggregate(stmt.having);
  const width = scope.columns.length;
  const slots = grouped ? new AggregateSlots(width, env.text) : undefined;
  const itemEnv: CompileEnv = { ...base, aggregates: slots };
  const items = expanded.map((x) => compileExpr(x.item.expr, itemEnv));
  // Without an alias a column is named as written, except that a qualified column reference is named by its column alone.
  const names = expanded.map((x) => x.item.alias ?? (x.item.expr.type === 'column' ? x.item.expr.column : x.item.text));
  const aliasMap = new Map<string, Compiled>();
  names.forEach((n, i) => { if (!aliasMap.has(n.toLowerCase())) aliasMap.set(n.toLowerCase(), items[i]); });
  const groupKeys = stmt.groupBy.map((g) => {
    if (g.type === 'literal' && g.kind === 'integer') {
      const n = Number(g.value);
      if (n < 1 || n > items.length) throw sqlError('BAD_FIELD', `Unknown column '${n}' in 'group statement'`);
      if (hasAggregate(expanded[n - 1].item.expr)) throw sqlError('WRONG_GROUP_FIELD', `Can't group on '${names[n - 1]}'`);
      return compileExpr(expanded[n - 1].item.expr, { ...base, clause: 'group statement' });
    }
    return compileExpr(g, { ...base, clause: 'group statement', aliases: aliasMap });
  });
  const having = stmt.having ? compileExpr(stmt.having, { ...itemEnv, clause: 'having clause', aliases: aliasMap }) : undefined;
  const order = compileOrder(stmt.orderBy, items, names, { ...itemEnv, clause: 'order clause', aliases: aliasMap });
  const { offset, count } = evalLimit(stmt.limit, env);
  if (columnsRead !== undefined && outerReferenceCount() === outerReferencesBefore) source.readOnlyColumns?.(columnsRead);
  const ctx = env.ctx;

  // 1. Rows from FROM, filtered by WHERE; grouped queries aggregate as rows stream by instead of holding them.
  let working: Row[] = [];
  const memory = ctx.memory;
  const groups = new Map<string, { first: Row; accs: ReturnType<NonNullable<typeof slots>['specs'][number]['create']>[] }>();
  if (slots) {
    // 2. Grouping and aggregation: post-aggregation rows are [first row of group..., aggregate results...].
    const keyTypes = groupKeys.map((g) => g.type);
    for (const row of source.rows()) {
      if (where && toBoolean(where.eval(row, ctx)) !== true) continue;
      const k = groupKeys.length ? rowKey(groupKeys.map((g) => g.eval(row, ctx)), keyTypes) : '';
      let g = groups.get(k);
      if (!g) {
        memory?.charge(row);
        g = { first: row, accs: slots.specs.map((s) => s.create()) };
        groups.set(k, g);
      }
      for (const a of g.accs) a.add(row, ctx);
    }
  } else {
    const canStopEarly = !stmt.distinct && order.length === 0;
    const needed = offset + count;
    for (const row of source.rows()) {
      if (where && toBoolean(where.eval(row, ctx)) !== true) continue;
      memory?.charge(row);
      working.push(row);
      if (canStopEarly && working.length >= needed) break;
    }
  }

  if (slots) {
    if (groups.size === 0 && groupKeys.length === 0) {
      groups.set('', { first: new Array(width).fill(null), accs: slots.specs.map((s) => s.create()) });
    }
    working = [];
    for (const g of groups.values()) {
      const row = g.first.slice(0, width);
      for (const a of g.accs) row.push(a.result());
      working.push(row);
    }
    if (having) working = working.filter((r) => toBoolean(having.eval(r, ctx)) === true);
  } else if (having) {
    working = working.filter((r) => toBoolean(having.eval(r, ctx)) === true);
  }

  // 3. Projection, DISTINCT, ORDER BY, LIMIT.
  const itemEvals = items.map((i) => i.eval);
  let out: { proj: Row; keys: Value[] }[] = working.map((r) => ({
    proj: itemEvals.map((e) => e(r, ctx)),
    keys: order.map((o) => o.c.eval(r, ctx)),
  }));
  const types = items.map((i) => i.type);
  if (stmt.distinct) {
    const seen = new Set<string>();
    out = out.filter((o) => {
      const k = rowKey(o.proj, types);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }
  if (order.length) {
    out.sort((a, b) => {
      for (let i = 0; i < order.length; i++) {
        const c = compareForSort(order[i].c.type, a.keys[i], b.keys[i]);
        if (c !== 0) return order[i].desc ? -c : c;
      }
      return 0;
    });
  }
  const rows = out.slice(offset, count === Infinity ? undefined : offset + count).map((o) => o.proj);
  const columns: ScopeColumn[] = items.map((c, i) => {
    const src = c.columnIndex !== undefined && !grouped ? scope.columns[c.columnIndex] : c.columnIndex !== undefined && c.columnIndex < width ? scope.columns[c.columnIndex] : undefined;
    return src
      ? { ...src, name: names[i] }
      : { table: '', schema: '', orgTable: '', name: names[i], orgName: '', type: c.type, nullable: c.nullable };
  });
  return { columns, rows, source };
}

function runValues(rowsAst: Expr[][], orderBy: OrderItem[], limit: Limit | undefined, env: StatementEnv, tx: ReadTx, outer?: Scope): QueryResult {
  const scope = new Scope([], outer);
  const cenv: CompileEnv = { scope, session: env.session, clause: 'field list', text: env.text };
  cenv.subquery = subqueryCompiler(env, tx, scope);
  if (rowsAst.some((r) => r.length !== rowsAst[0].length)) throw sqlError('WRONG_VALUE_COUNT_ON_ROW', 'Column count doesn\'t match value count at row 2');
  const compiled = rowsAst.map((r) => r.map((e) => compileExpr(e, cenv)));
  const types = compiled[0].map((_, i) => unifyTypes(compiled.map((r) => r[i].type)));
  let rows = compiled.map((r) => r.map((c, i) => convertTo(c, types[i]).eval([], env.ctx)));
  const columns: ScopeColumn[] = types.map((t, i) => ({ table: '', schema: '', orgTable: '', name: `column_${i}`, orgName: '', type: t, nullable: true }));
  rows = sortAndLimit(rows, columns, orderBy, limit, env);
  return { columns, rows };
}

function runSetOp(stmt: SetOpStmt, env: StatementEnv, tx: ReadTx, outer?: Scope): QueryResult {
  const left = runQuery(stmt.left, env, tx, outer);
  const right = runQuery(stmt.right, env, tx, outer);
  if (left.columns.length !== right.columns.length) {
    throw sqlError('WRONG_NUMBER_OF_COLUMNS_IN_SELECT', 'The used SELECT statements have a different number of columns');
  }
  const types = left.columns.map((c, i) => unifyTypes([c.type, right.columns[i].type]));
  const conv = (res: QueryResult) => {
    const convs = res.columns.map((c, i) => convertTo({ type: c.type, nullable: true, constant: false, eval: (r) => r[i] }, types[i]).eval);
    return res.rows.map((r) => convs.map((e) => e(r, env.ctx)));
  };
  const l = conv(left);
  const r = conv(right);
  let rows: Row[];
  const key = (row: Row) => rowKey(row, types);
  if (stmt.op === 'union') {
    rows = [...l, ...r];
    if (!stmt.all) rows = dedupe(rows, key);
  } else {
    // INTERSECT keeps left rows found on the right, EXCEPT those not found; ALL counts duplicates.
    const wantFound = stmt.op === 'intersect';
    const counts = new Map<string, number>();
    for (const row of r) counts.set(key(row), (counts.get(key(row)) ?? 0) + 1);
    rows = [];
    for (const row of stmt.all ? l : dedupe(l, key)) {
      const k = key(row);
      const n = counts.get(k) ?? 0;
      if (n > 0 && stmt.all) counts.set(k, n - 1);
      if ((n > 0) === wantFound) rows.push(row);
    }
  }
  const columns = left.columns.map((c, i) => ({ ...c, type: types[i], nullable: c.nullable || right.columns[i].nullable }));
  return { columns, rows: sortAndLimit(rows, columns, stmt.orderBy, stmt.limit, env) };
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
function sortAndLimit(rows: Row[], columns: ScopeColumn[], orderBy: OrderItem[], limit: Limit | undefined, env: StatementEnv): Row[] {
  if (orderBy.length) {
    const scope = new Scope(columns);
    const items = columns.map((c, i): Compiled => ({ type: c.type, nullable: true, constant: false, eval: (r) => r[i], columnIndex: i }));
    const order = compileOrder(orderBy, items, columns.map((c) => c.name), { scope, session: env.session, clause: 'order clause' });
    const keyed = rows.map((r) => ({ r, k: order.map((o) => o.c.eval(r, env.ctx)) }));
    keyed.sort((a, b) => {
      for (let i = 0; i < order.length; i++) {
        const c = compareForSort(order[i].c.type, a.k[i], b.k[i]);
        if (c !== 0) return order[i].desc ? -c : c;
      }
      return 0;
    });
    rows = keyed.map((x) => x.r);
  }
  const { offset, count } = evalLimit(limit, env);
  return offset || count !== Infinity ? rows.slice(offset, count === Infinity ? undefined : offset + count) : rows;
}
