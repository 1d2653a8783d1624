// Row estimates over a plan tree, without reading a row: what EXPLAIN prints and what the query filters weigh.
import type { EvalContext, SessionContext } from '../analyzer/eval-context.js';
import type { TableDef } from '../../storage/table-def.js';
import { isIntegerType } from '../../base/sql-type.js';
import type { Value } from '../../base/value.js';
import { bindAccess, type AccessPath, type AccessPlan } from './access-path.js';
import { usesIndexLookup } from './join-plan.js';
import type { DmlPlan, JoinLeafPlan, JoinStepPlan, LimitPlan, QueryPlan, SelectPlan, SourcePlan, TableSource } from './plan.js';

/** Without index statistics, each column fixed by equality on a non-unique index keeps this share of the rows. */
const EQUALITY_SELECTIVITY = 0.1;
/** The share of rows an open or non-numeric range keeps (MySQL's old guess for ranges without statistics). */
const RANGE_SELECTIVITY = 1 / 3;

/** What estimating needs to know about the data, all of it cheap. */
export interface Estimator {
  /** A cheap, possibly stale estimate of a table's row count. */
  rowCount(def: TableDef): number;
  /**
   * The statement's session and evaluation context: with them the key constants are
   * bound as the executor binds them (an index the constants cannot use is a scan).
   */
  bind?: { session: SessionContext; ctx: EvalContext };
}

/** EXPLAIN's access types. */
export type AccessType = 'const' | 'eq_ref' | 'ref' | 'range' | 'ALL';

/** How one FROM item is read, in the order the executor reads it. */
export interface TableEstimate {
  alias: string;
  schema: string;
  table: string;
  source: 'table' | 'system' | 'derived';
  access: AccessType;
  index?: string;
  rows: number;
  /** How an inner-join step matches it with the rows joined before it. */
  join?: 'hash' | 'index' | 'cross';
  /** Its index holds every column the statement reads: no clustered row is fetched (EXPLAIN's "Using index"). */
  covering?: boolean;
  /** A derived table's or view's own query. */
  derived?: QueryEstimate;
}

/** A query's estimate: its FROM items, the product of their rows, its set-operation sides and subqueries. */
export interface QueryEstimate {
  tables: TableEstimate[];
  product: number;
  parts: QueryEstimate[];
  subqueries: QueryEstimate[];
  /** How many window functions the query computes over its rows (none: absent). */
  windows?: number;
}

/** Estimates a planned query. */
export function estimateQuery(plan: QueryPlan, est: Estimator): QueryEstimate {
  switch (plan.kind) {
    case 'select':
      return estimateSelect(plan, est);
    case 'setop': {
      const left = estimateQuery(plan.left, est);
      const right = estimateQuery(plan.right, est);
      return { tables: [], product: left.product + right.product, parts: [left, right], subqueries: [] };
    }
    case 'values':
      return { tables: [], product: plan.rows.length, parts: [], subqueries: plan.subqueries.map((q) => estimateQuery(q, est)) };
  }
}

/** Estimates an UPDATE/DELETE's target read; a LIMIT without ORDER BY stops it early. */
export function estimateDml(plan: DmlPlan, est: Estimator): QueryEstimate {
  const out = sourceEstimate(plan.source, est);
  const limit = plan.ordered ? undefined : constantLimit(plan.limit, est);
  const target = out.tables[0];
  if (limit !== undefined && target) {
    if (target.access !== 'ALL' || plan.where === undefined) target.rows = Math.min(target.rows, limit);
    out.product = Math.min(out.product, limit);
  }
  return { tables: out.tables, product: out.product, parts: [], subqueries: plan.subqueries.map((q) => estimateQuery(q, est)) };
}

function estimateSelect(plan: SelectPlan, est: Estimator): QueryEstimate {
  const out = sourceEstimate(plan.from, est);
  // A single-table read with a constant LIMIT and nothing that needs every row stops early, as the executor does.
  const stopsEarly = !plan.distinct && !plan.aggregates && plan.order.length === 0 && !plan.having && !plan.windows;
  const limit = stopsEarly && plan.from.kind === 'table' ? constantLimit(plan.limit, est) : undefined;
  if (limit !== undefined && out.tables.length === 1) {
    const only = out.tables[0];
    if (plan.where === undefined || only.access !== 'ALL') only.rows = Math.min(only.rows, limit);
    out.product = Math.min(out.product, limit);
  }
  const estimate: QueryEstimate = { tables: out.tables, product: out.product, parts: [], subqueries: plan.subqueries.map((q) => estimateQuery(q, est)) };
  if (plan.windows) estimate.windows = plan.windows.count;
  return estimate;
}

/** A LIMIT whose count and offset are constants or bound parameters, as offset + count. */
function constantLimit(limit: LimitPlan | undefined, est: Estimator): number | undefined {
  if (!limit) return undefined;
  const ctx = est.bind?.ctx;
  const value = (c: LimitPlan['count'] | undefined): number | undefined => {
    if (c === undefined) return 0;
    // Without the statement's context only literals are known.
    if (!c.constant && !ctx) return undefined;
    try {
      return nonNegative(c.eval([], ctx as EvalContext));
    } catch {
      return undefined;
    }
  };
  const count = value(limit.count);
  const offset = value(limit.offset);
  return count === undefined || offset === undefined ? undefined : count + offset;
}

function nonNegative(v: Value): number | undefined {
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
  return n !== undefined && n >= 0 ? n : undefined;
}

/** The FROM items of a source in reading order, and the product of their rows. */
function sourceEstimate(plan: SourcePlan, est: Estimator): { tables: TableEstimate[]; product: number } {
  switch (plan.kind) {
    case 'empty':
      return { tables: [], product: 1 };
    case 'table': {
      const t = tableEstimate(plan, est);
      return { tables: [t], product: t.rows };
    }
    case 'system':
      // Built from the catalog when read: small, and not a table the filters weigh.
      return { tables: [{ alias: plan.alias, schema: 'information_schema', table: plan.name.toUpperCase(), source: 'system', access: 'ALL', rows: 0 }], product: 0 };
    case 'derived': {
      const derived = estimateQuery(plan.query, est);
      return { tables: [{ alias: plan.alias, schema: '', table: plan.alias, source: 'derived', access: 'ALL', rows: derived.product, derived }], product: derived.product };
    }
    case 'cte': {
      // Each reference shows the CTE's query; it is computed once however often it is read.
      const derived = estimateQuery(plan.cte.query, est);
      if (plan.cte.recursive) derived.parts.push(...plan.cte.recursive.steps.map((s) => estimateQuery(s, est)));
      return { tables: [{ alias: plan.alias, schema: '', table: plan.alias, source: 'derived', access: 'ALL', rows: derived.product, derived }], product: derived.product };
    }
    case 'cteWork':
      // The previous round's rows: unknown before running, so counted as one.
      return { tables: [{ alias: plan.alias, schema: '', table: plan.alias, source: 'derived', access: 'ALL', rows: 1 }], product: 1 };
    case 'innerJoin':
      return innerJoinEstimate(plan.steps, plan.leaves, est);
    case 'jsonTable': {
      // A document's rows are not known before it is read: counted as one per row before it.
      const left = plan.left ? sourceEstimate(plan.left, est) : { tables: [], product: 1 };
      return { tables: [...left.tables, { alias: plan.alias, schema: '', table: plan.alias, source: 'derived', access: 'ALL', rows: 1 }], product: left.product };
    }
    case 'lateral': {
      // Run once per row before it: each run counted as the query's own estimate.
      const left = sourceEstimate(plan.left, est);
      const derived = estimateQuery(plan.query, est);
      return { tables: [...left.tables, { alias: plan.alias, schema: '', table: plan.alias, source: 'derived', access: 'ALL', rows: derived.product, derived }], product: left.product * derived.product };
    }
    case 'nestedJoin':
    case 'cross': {
      const inputs = plan.kind === 'cross' ? plan.inputs : [plan.left, plan.right];
      const parts = inputs.map((i) => sourceEstimate(i, est));
      return { tables: parts.flatMap((p) => p.tables), product: parts.reduce((p, x) => p * x.product, 1) };
    }
  }
}

/** An inner join read step by step: index lookups while the rows joined so far are few enough, as the executor does. */
function innerJoinEstimate(steps: JoinStepPlan[], leaves: JoinLeafPlan[], est: Estimator): { tables: TableEstimate[]; product: number } {
  const tables: TableEstimate[] = [];
  let product = 1;
  steps.forEach((step, n) => {
    const leaf = leaves[step.input];
    const inner = sourceEstimate(leaf.source, est);
    let rows = inner.product;
    const entry = inner.tables[0];
    const lookup = leaf.lookup;
    if (lookup && usesIndexLookup(step, leaf, product) && entry) {
      const count = est.rowCount(lookup.table);
      const unique = lookup.index.unique && lookup.keyOrder.length === lookup.index.columns.length;
      rows = Math.min(count, unique ? 1 : Math.max(1, Math.ceil(count * EQUALITY_SELECTIVITY ** lookup.keyOrder.length)));
      Object.assign(entry, { access: unique ? 'eq_ref' : 'ref', index: lookup.index.name, rows, join: 'index' });
    } else if (entry) {
      entry.join = step.keys.length > 0 ? 'hash' : n > 0 ? 'cross' : undefined;
    }
    tables.push(...inner.tables);
    product *= rows;
  });
  return { tables, product };
}

/** How one base table is read for its WHERE conjuncts, with a row estimate. */
function tableEstimate(plan: TableSource, est: Estimator): TableEstimate {
  const def = plan.def;
  const rows = est.rowCount(def);
  const scan: TableEstimate = { alias: plan.alias, schema: def.schema, table: def.name, source: 'table', access: 'ALL', rows };
  const access = plan.access;
  if (!access.index) return scan;
  const bind = est.bind;
  let path: AccessPath | 'unbound' | undefined = 'unbound';
  if (bind) {
    try {
      path = bindAccess(def, access, plan.keys, bind.ctx);
    } catch {
      // A constant that fails to evaluate fails the statement itself; the estimate just does without it.
      path = 'unbound';
    }
  }
  if (path === undefined) return scan;
  const covering = plan.covering === true || undefined;
  if (path === 'unbound') return { ...scan, access: staticAccessType(access), index: access.index.name, rows: staticEstimate(access, rows), covering };
  return { ...scan, access: path.kind === 'ALL' ? 'range' : path.kind, index: path.indexName, rows: pathEstimate(def, path, rows), covering };
}

function staticAccessType(plan: AccessPlan): AccessType {
  const index = plan.index;
  if (index && index.unique && plan.equalities.length === index.columns.length && plan.equalities.every((e) => e.values.length === 1)) return 'const';
  return plan.range.length || plan.or || plan.equalities.some((e) => e.values.length > 1) ? 'range' : 'ref';
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
