// How a statement would read its tables, decided before it runs: the executor's access-path and join-order choices plus row estimates.
import type { DeleteStmt, Expr, Limit, QueryExpr, SelectStmt, Statement, TableRef, UpdateStmt } from '../parser/ast.js';
import { parse } from '../parser/index.js';
import { Scope } from '../analyzer/scope.js';
import type { TableDef } from '../../storage/table-def.js';
import type { EvalContext, SessionContext } from '../analyzer/eval-context.js';
import { flattenInner, joinKeyIndex, tableScopeColumns } from '../executor/from.js';
import { INDEX_JOIN_OUTER_MAX } from '../executor/join.js';
import { isIntegerType } from '../../base/sql-type.js';
import type { Value } from '../../base/value.js';
import { bindAccess, chooseAccess, type AccessPath, type AccessPlan } from './access-path.js';
import { classifyConjuncts, orderJoins, type JoinInput, type JoinStep } from './join-plan.js';

/** How a statement would read its tables, for filters that stop expensive plans. */
export interface PlanSummary {
  tables: { schema: string; table: string; access: 'scan' | 'index'; index?: string; estimatedRows: number }[];
  /** The product of every table's estimated rows: the join's worst case. */
  estimatedJoinRows: number;
}

/** What the summary needs to know about the schema and the data, all of it cheap. */
export interface PlanSource {
  table(schema: string, name: string): TableDef | undefined;
  view(schema: string, name: string): { query: string } | undefined;
  /** A cheap, possibly stale estimate of a table's row count. */
  rowCount(def: TableDef): number;
  /**
   * The statement's session and evaluation context: with them the key constants are
   * bound as the executor binds them (an index the constants cannot use is a scan).
   */
  bind?: { session: SessionContext; ctx: EvalContext };
}

/** Without index statistics, each column fixed by equality on a non-unique index keeps this share of the rows. */
const EQUALITY_SELECTIVITY = 0.1;
/** The share of rows an open or non-numeric range keeps (MySQL's old guess for ranges without statistics). */
const RANGE_SELECTIVITY = 1 / 3;
/** Views nested deeper than this are not followed (a view defined on itself would loop). */
const VIEW_DEPTH_MAX = 16;

type TableEntry = PlanSummary['tables'][number];

/**
 * The plan of a SELECT (and set operations, VALUES, WITH), UPDATE or DELETE, else
 * undefined. Tables read by subqueries, derived tables and views are listed too; the
 * join product covers the outermost FROM list (the rows MySQL's max_join_size weighs).
 * Tables that do not exist are left out: the statement fails on its own.
 */
export function summarizePlan(stmt: Statement, defaultSchema: string | null, src: PlanSource): PlanSummary | undefined {
  const planner = new SummaryPlanner(defaultSchema, src);
  let product: number;
  switch (stmt.type) {
    case 'select': case 'setop': case 'values': case 'with':
      product = planner.query(stmt);
      break;
    case 'update':
      product = planner.dml(stmt.tables, stmt);
      break;
    case 'delete':
      product = planner.dml(stmt.table ? [stmt.table] : stmt.from ?? [], stmt);
      break;
    default:
      return undefined;
  }
  return { tables: planner.tables, estimatedJoinRows: product };
}

class SummaryPlanner {
  readonly tables: TableEntry[] = [];
  private viewDepth = 0;
  private readonly cteNames = new Set<string>();

  constructor(private readonly defaultSchema: string | null, private readonly src: PlanSource) {}

  /** Plans a query expression; returns its estimated row product. */
  query(q: QueryExpr): number {
    switch (q.type) {
      case 'select':
        return this.select(q);
      case 'setop':
        return this.query(q.left) + this.query(q.right);
      case 'values':
        return q.rows.length;
      case 'with':
        for (const cte of q.ctes) {
          this.query(cte.query);
          this.cteNames.add(cte.name.toLowerCase());
        }
        return this.query(q.query);
    }
  }

  private select(q: SelectStmt): number {
    let product = this.from(q.from, q.where);
    for (const e of [q.where, q.having, ...q.items.map((i) => i.expr)]) this.subqueries(e);
    // A single-table read with a constant LIMIT and nothing that needs every row stops early, as runSelect does.
    const limit = this.constantLimit(q.limit);
    const single = q.from.length === 1 && q.from[0].type === 'table';
    const stopsEarly = !q.distinct && q.groupBy.length === 0 && q.orderBy.length === 0 && !q.having && !q.items.some((i) => hasAggregate(i.expr));
    if (single && stopsEarly && limit !== undefined && this.tables.length > 0) {
      const last = this.tables[this.tables.length - 1];
      if (q.where === undefined || last.access === 'index') last.estimatedRows = Math.min(last.estimatedRows, limit);
      product = Math.min(product, limit);
    }
    return product;
  }

  /** UPDATE / DELETE: one table uses the WHERE for its access path, as selectTargets does; the targets come first. */
  dml(refs: TableRef[], stmt: UpdateStmt | DeleteStmt): number {
    const limit = stmt.orderBy.length === 0 ? this.constantLimit(stmt.limit) : undefined;
    const product = this.from(refs, stmt.where);
    this.subqueries(stmt.where);
    if (limit !== undefined && refs.length === 1 && this.tables.length > 0) {
      const target = this.tables[0];
      if (target.access === 'index' || stmt.where === undefined) target.estimatedRows = Math.min(target.estimatedRows, limit);
      return Math.min(product, limit);
    }
    return product;
  }

  /** Plans a FROM list the way buildSource does. */
  private from(from: TableRef[], where: Expr | undefined): number {
    if (from.length === 0) return 1;
    if (from.length === 1 && from[0].type === 'table') return this.ref(from[0], where);
    const flat = flattenInner(from);
    if (!flat || flat.leaves.length < 2) return from.reduce((p, ref) => p * this.ref(ref, undefined), 1);
    return this.innerJoin(flat.leaves, [...flat.on, ...(where ? [where] : [])]);
  }

  /** One FROM item without join analysis: a table (index chosen for `where`), a view, a derived table or a nested join. */
  private ref(ref: TableRef, where: Expr | undefined): number {
    switch (ref.type) {
      case 'table': {
        const found = this.resolve(ref);
        if (found === undefined) return 0;
        if ('view' in found) return this.view(found.view);
        const entry = this.access(found.def, where, ref.alias ?? ref.name);
        this.tables.push(entry);
        return entry.estimatedRows;
      }
      case 'derived':
        return this.query(ref.query);
      case 'join': {
        this.subqueries(ref.on);
        return this.ref(ref.left, undefined) * this.ref(ref.right, undefined);
      }
    }
  }

  private view(v: { query: string }): number {
    if (this.viewDepth >= VIEW_DEPTH_MAX) return 0;
    let q: Statement;
    try {
      q = parse(v.query);
    } catch {
      return 0;
    }
    if (q.type !== 'select' && q.type !== 'setop' && q.type !== 'values' && q.type !== 'with') return 0;
    this.viewDepth++;
    try {
      return this.query(q);
    } finally {
      this.viewDepth--;
    }
  }

  private resolve(ref: Extract<TableRef, { type: 'table' }>): { def: TableDef } | { view: { query: string } } | undefined {
    if (ref.schema === undefined && this.cteNames.has(ref.name.toLowerCase())) return undefined;
    const schema = ref.schema ?? this.defaultSchema;
    if (schema === null) return undefined;
    const def = this.src.table(schema, ref.name);
    if (def) return { def };
    const view = this.src.view(schema, ref.name);
    return view ? { view } : undefined;
  }

  /**
   * An inner join of base tables, planned as buildInnerJoin plans it: conjuncts on one
   * table choose its index, a greedy order along equalities, and index lookups on join
   * keys while the outer side is small enough for the executor to use them.
   */
  private innerJoin(leaves: TableRef[], conds: Expr[]): number {
    const defs: { def: TableDef; alias: string }[] = [];
    for (const leaf of leaves) {
      const found = leaf.type === 'table' ? this.resolve(leaf) : undefined;
      if (!found || !('def' in found) || leaf.type !== 'table') {
        // Views and derived tables in a join: every input read in full, as the nested loops do.
        for (const c of conds) this.subqueries(c);
        return leaves.reduce((p, ref) => p * this.ref(ref, undefined), 1);
      }
      defs.push({ def: found.def, alias: leaf.alias ?? leaf.name });
    }
    const scopes = defs.map((d) => new Scope(tableScopeColumns(d.def, d.alias)));
    const inputs: JoinInput[] = [];
    let offset = 0;
    for (const s of scopes) {
      inputs.push({ offset, width: s.columns.length });
      offset += s.columns.length;
    }
    const scope = new Scope(scopes.flatMap((s) => s.columns));
    for (const c of conds) this.subqueries(c);
    const plan = orderJoins(defs.length, classifyConjuncts(conds, scope, inputs));
    let product = 1;
    for (const step of plan.steps) {
      const { def, alias } = defs[step.input];
      const local = plan.local[step.input];
      const localWhere = local.length === 0 ? undefined : local.reduce((a, b) => ({ type: 'binary', op: 'AND', left: a, right: b }));
      let entry = this.access(def, localWhere, alias);
      const lookup = product <= INDEX_JOIN_OUTER_MAX ? joinLookup(def, step, scopes[step.input]) : undefined;
      if (lookup) {
        const rows = this.src.rowCount(def);
        const perLookup = lookup.unique ? 1 : Math.max(1, Math.ceil(rows * EQUALITY_SELECTIVITY ** lookup.columns));
        entry = { schema: def.schema, table: def.name, access: 'index', index: lookup.index, estimatedRows: Math.min(rows, perLookup) };
      }
      this.tables.push(entry);
      product *= entry.estimatedRows;
    }
    return product;
  }

  /** How one table is read for `where` (its own conjuncts), with a row estimate. */
  private access(def: TableDef, where: Expr | undefined, alias: string): TableEntry {
    const rows = this.src.rowCount(def);
    const scan: TableEntry = { schema: def.schema, table: def.name, access: 'scan', estimatedRows: rows };
    const plan = chooseAccess(def, where, new Scope(tableScopeColumns(def, alias)), 0);
    if (!plan.index) return scan;
    let estimate: number;
    const bind = this.src.bind;
    if (bind) {
      let path: AccessPath | 'unbound' | undefined;
      try {
        path = bindAccess(def, plan, { scope: new Scope([]), session: bind.session, clause: 'where clause' }, bind.ctx);
      } catch {
        // A constant that fails to evaluate fails the statement itself; the estimate just does without it.
        path = 'unbound';
      }
      if (path === undefined) return scan;
      estimate = path === 'unbound' ? staticEstimate(plan, rows) : pathEstimate(def, path, rows);
    } else {
      estimate = staticEstimate(plan, rows);
    }
    return { schema: def.schema, table: def.name, access: 'index', index: plan.index.name, estimatedRows: estimate };
  }

  /** Plans the subqueries inside an expression (their tables are read too). */
  private subqueries(e: Expr | undefined): void {
    if (!e) return;
    const visit = (x: unknown): void => {
      if (x === null || typeof x !== 'object' || Buffer.isBuffer(x)) return;
      if (Array.isArray(x)) {
        x.forEach(visit);
        return;
      }
      const node = x as { type?: string; query?: QueryExpr };
      if ((node.type === 'subquery' || node.type === 'inSubquery' || node.type === 'exists' || node.type === 'quantified') && node.query) {
        this.query(node.query);
        const operand = (x as { operand?: unknown }).operand;
        if (operand) visit(operand);
        return;
      }
      for (const v of Object.values(x)) visit(v);
    };
    visit(e);
  }

  /** A LIMIT whose count and offset are literals or bound parameters, as offset + count. */
  private constantLimit(limit: Limit | undefined): number | undefined {
    if (!limit) return undefined;
    const value = (e: Expr | undefined): number | undefined => {
      if (e === undefined) return 0;
      let v: Value | undefined;
      if (e.type === 'literal' && e.kind === 'integer') v = e.value;
      else if (e.type === 'param') v = this.src.bind?.ctx.params[e.index];
      const n = typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
      return n !== undefined && n >= 0 ? n : undefined;
    };
    const count = value(limit.count);
    const offset = value(limit.offset);
    return count === undefined || offset === undefined ? undefined : count + offset;
  }
}

/** Estimated rows an access path reads. */
function pathEstimate(def: TableDef, path: AccessPath, rows: number): number {
  if (path.ranges.length === 0) return 0;
  if (path.unique) return Math.min(rows, path.ranges.length);
  const k = path.equalityColumns;
  const prefixShare = EQUALITY_SELECTIVITY ** k;
  const index = path.index === 0 ? def.primaryKey : def.indexes.find((i) => i.id === path.index);
  const rangeColumn = index?.columns[k];
  let total = 0;
  for (const r of path.ranges) {
    const lo = r.lower?.values[k];
    const hi = r.upper?.values[k];
    if (r.lower?.values.length === k && r.upper?.values.length === k) {
      total += Math.max(1, Math.ceil(rows * prefixShare));
      continue;
    }
    let share = Math.ceil(rows * prefixShare * RANGE_SELECTIVITY);
    // An integer range with both ends known is at most as wide as its ends are apart (auto-increment ids).
    if (rangeColumn !== undefined && isIntegerType(def.columns[rangeColumn].type) && isIntegral(lo) && isIntegral(hi)) {
      const width = Number(hi) - Number(lo) + 1 - (r.lower?.inclusive ? 0 : 1) - (r.upper?.inclusive ? 0 : 1);
      share = Math.min(Math.ceil(rows * prefixShare), Math.max(0, width));
    }
    total += Math.max(1, share);
  }
  return Math.min(rows, total);
}

/** Estimated rows when the constants cannot be bound: counts of equality values, heuristic shares otherwise. */
function staticEstimate(plan: AccessPlan, rows: number): number {
  const index = plan.index;
  if (!index) return rows;
  const points = plan.equalities.reduce((p, c) => p * Math.max(1, c.values.length), 1);
  if (index.unique && plan.equalities.length === index.columns.length) return Math.min(rows, points);
  const share = EQUALITY_SELECTIVITY ** plan.equalities.length * (plan.range.length || plan.or ? RANGE_SELECTIVITY : 1);
  return Math.min(rows, Math.max(1, Math.ceil(rows * share)) * points);
}

function isIntegral(v: Value | undefined): v is number | bigint {
  return typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
}

/** The index the executor's indexLookup would use for this step's join keys. */
function joinLookup(def: TableDef, step: JoinStep, scope: Scope): { index: string; unique: boolean; columns: number } | undefined {
  if (step.keys.length === 0) return undefined;
  const keyColumn = step.keys.map((k) => {
    if (k.inner.type !== 'column') return -1;
    try {
      return scope.find(k.inner.column, k.inner.table, k.inner.schema);
    } catch {
      return -1;
    }
  });
  const best = joinKeyIndex(def, keyColumn);
  if (!best) return undefined;
  const columns = best.order.length;
  return { index: best.index.name, unique: best.index.unique && columns === best.index.columns.length, columns };
}

function hasAggregate(e: Expr): boolean {
  let found = false;
  const visit = (x: unknown): void => {
    if (found || x === null || typeof x !== 'object' || Buffer.isBuffer(x)) return;
    if (Array.isArray(x)) {
      x.forEach(visit);
      return;
    }
    const node = x as { type?: string };
    if (node.type === 'aggregate') {
      found = true;
      return;
    }
    if (node.type === 'subquery' || node.type === 'inSubquery' || node.type === 'exists' || node.type === 'quantified') return;
    for (const v of Object.values(x)) visit(v);
  };
  visit(e);
  return found;
}
