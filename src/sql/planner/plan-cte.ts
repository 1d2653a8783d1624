// Plans WITH: common table expressions as shared, once-materialized sources, and recursive ones as a seed plus re-run blocks.
import { sqlError, type ErrorName } from '../../base/errors.js';
import type { QueryExpr, SetOpStmt, TableRef, WithClause, WithStmt } from '../parser/ast.js';
import { Scope, type ScopeColumn } from '../analyzer/scope.js';
import { convertTo, outerReferenceCount } from '../analyzer/compile-expr.js';
import type { CtePlan, CteSource, CteWorkSource, QueryPlan } from './plan.js';
import type { PlanContext } from './plan-context.js';

type Planner = (query: QueryExpr, ctx: PlanContext, outer?: Scope) => QueryPlan;
type CteDef = WithClause['ctes'][number];

/** One CTE as the names in its WITH see it: planned on first reference, so an unused one costs nothing. */
interface CteBinding {
  def: CteDef;
  recursive: boolean;
  /** Where the body is planned: the earlier CTEs (and this one when recursive). */
  ctx: PlanContext;
  outer: Scope | undefined;
  plan: CtePlan | undefined;
  /** Set while the recursive blocks are planned: a reference then reads the previous round. */
  inRecursiveBlock: boolean;
}

/** The CTE names visible at one point: each CTE of a WITH adds a link, so a body sees only the ones before it. */
export class CteScope {
  constructor(private readonly parent: CteScope | undefined, private readonly binding: CteBinding | undefined) {}

  lookup(name: string): CteBinding | undefined {
    for (let s: CteScope | undefined = this; s; s = s.parent) if (s.binding?.def.name === name) return s.binding;
    return undefined;
  }
}

/** Plans `WITH ... query`: the CTEs become visible in order, then the query is planned with all of them. */
export function planWith(stmt: WithStmt, ctx: PlanContext, outer: Scope | undefined, planQuery: Planner): QueryPlan {
  return planQuery(stmt.query, withCtes(stmt, ctx, outer), outer);
}

/** `ctx` with the CTEs of a WITH clause visible (each CTE's body sees the ones before it). */
export function withCtes(clause: WithClause, ctx: PlanContext, outer: Scope | undefined): PlanContext {
  const seen = new Set<string>();
  let scope = ctx.ctes;
  for (const def of clause.ctes) {
    // MySQL answers a repeated name in one WITH as a repeated table alias.
    if (seen.has(def.name)) throw sqlError('NONUNIQ_TABLE', `Not unique table/alias: '${def.name}'`);
    seen.add(def.name);
    const recursive = clause.recursive && referencesName(def.query, def.name);
    const binding: CteBinding = { def, recursive, ctx, outer, plan: undefined, inRecursiveBlock: false };
    const withThis = new CteScope(scope, binding);
    // A body sees the CTEs before it; a recursive one also sees itself.
    binding.ctx = { ...ctx, ctes: recursive ? withThis : scope };
    scope = withThis;
  }
  return { ...ctx, ctes: scope };
}

/** The source for a reference to CTE `name`, or undefined when no CTE of that name is visible. */
export function cteSource(ctes: CteScope | undefined, name: string, alias: string, outer: Scope | undefined, planQuery: Planner): CteSource | CteWorkSource | undefined {
  const binding = ctes?.lookup(name);
  if (!binding) return undefined;
  if (binding.inRecursiveBlock && binding.plan) {
    return { kind: 'cteWork', alias, cte: binding.plan, scope: new Scope(aliased(binding.plan.columns, alias), outer) };
  }
  const plan = (binding.plan ??= planCte(binding, planQuery));
  return { kind: 'cte', alias, cte: plan, scope: new Scope(aliased(plan.columns, alias), outer) };
}

function aliased(columns: ScopeColumn[], alias: string): ScopeColumn[] {
  return columns.map((c) => ({ ...c, table: alias }));
}

function planCte(binding: CteBinding, planQuery: Planner): CtePlan {
  const { def } = binding;
  const before = outerReferenceCount();
  if (!binding.recursive) {
    const query = planQuery(def.query, binding.ctx, binding.outer);
    return { name: def.name, columns: cteColumns(def, query.columns), query, recursive: undefined, correlated: outerReferenceCount() !== before };
  }
  const { seed, steps, distinct } = splitRecursive(def);
  const query = planQuery(seed, binding.ctx, binding.outer);
  // Recursive rows take the seed's types; a round may produce NULLs where the seed had none.
  const columns = cteColumns(def, query.columns).map((c) => ({ ...c, nullable: true }));
  const plan: CtePlan = { name: def.name, columns, query, recursive: undefined, correlated: false };
  binding.plan = plan;
  binding.inRecursiveBlock = true;
  try {
    const stepPlans = steps.map((s) => planQuery(s, binding.ctx, binding.outer));
    const convert = stepPlans.map((s) => {
      if (s.columns.length !== columns.length) throw sqlError('WRONG_NUMBER_OF_COLUMNS_IN_SELECT', 'The used SELECT statements have a different number of columns');
      return s.columns.map((c, i) => convertTo({ type: c.type, nullable: true, constant: false, eval: (r) => r[i] }, columns[i].type));
    });
    plan.recursive = { steps: stepPlans, convert, distinct };
  } finally {
    binding.inRecursiveBlock = false;
  }
  plan.correlated = outerReferenceCount() !== before;
  return plan;
}

/** The CTE's column names: its own list, else the query's; 1353 when the counts differ, 1060 on a repeat. */
function cteColumns(def: CteDef, columns: ScopeColumn[]): ScopeColumn[] {
  if (def.columns && def.columns.length !== columns.length) {
    throw sqlError('VIEW_WRONG_LIST', 'In definition of view, derived table or common table expression, SELECT list and column names list have different column counts');
  }
  const seen = new Set<string>();
  return columns.map((c, i) => {
    const name = def.columns?.[i] ?? c.name;
    if (seen.has(name.toLowerCase())) throw sqlError('DUP_FIELDNAME', `Duplicate column name '${name}'`);
    seen.add(name.toLowerCase());
    return { ...c, table: def.name, name };
  });
}

/**
 * Splits a recursive CTE's UNION into its non-recursive blocks (the seed, first) and the
 * blocks that read the CTE, checking MySQL's rules for them (3573 to 3577).
 */
function splitRecursive(def: CteDef): { seed: QueryExpr; steps: QueryExpr[]; distinct: boolean } {
  const name = def.name;
  const fail = (code: ErrorName, message: string): never => { throw sqlError(code, message); };
  const q = def.query;
  if (q.type !== 'setop' || q.op !== 'union') fail('CTE_RECURSIVE_REQUIRES_UNION', `Recursive Common Table Expression '${name}' should contain a UNION`);
  const top = q as SetOpStmt;
  if (top.orderBy.length > 0 || top.limit) fail('NOT_SUPPORTED_YET', "This version of mizzle doesn't yet support 'ORDER BY / LIMIT over UNION in recursive Common Table Expression'");
  const blocks: QueryExpr[] = [];
  let distinct = false;
  const flatten = (e: QueryExpr): void => {
    if (e.type === 'setop' && e.op === 'union' && e.orderBy.length === 0 && !e.limit) {
      if (!e.all) distinct = true;
      flatten(e.left);
      flatten(e.right);
    } else blocks.push(e);
  };
  flatten(top);
  const firstRecursive = blocks.findIndex((b) => referencesName(b, name));
  if (firstRecursive <= 0 || blocks.slice(firstRecursive).some((b) => !referencesName(b, name))) {
    fail('CTE_RECURSIVE_REQUIRES_NONRECURSIVE_FIRST', `Recursive Common Table Expression '${name}' should have one or more non-recursive query blocks followed by one or more recursive ones`);
  }
  const steps = blocks.slice(firstRecursive);
  for (const b of steps) {
    if (b.type !== 'select') fail('CTE_RECURSIVE_REQUIRES_SINGLE_REFERENCE', singleReference(name));
    const s = b as Extract<QueryExpr, { type: 'select' }>;
    if (s.groupBy.length > 0 || s.items.some((i) => containsAggregate(i.expr)) || containsAggregate(s.having) || containsAggregate(s.orderBy)) {
      fail('CTE_RECURSIVE_FORBIDS_AGGREGATION', `Recursive Common Table Expression '${name}' can contain neither aggregation nor window functions in recursive query block`);
    }
    if (s.distinct || s.orderBy.length > 0 || s.limit) fail('NOT_SUPPORTED_YET', "This version of mizzle doesn't yet support 'DISTINCT, ORDER BY or LIMIT in the recursive query block of a Common Table Expression'");
    let direct = 0;
    for (const ref of s.from) direct += fromReferences(ref, name, false);
    // Any reference beyond the one in FROM is a second one or sits in a subquery.
    if (direct !== 1 || countReferences(s, name) !== 1) fail('CTE_RECURSIVE_REQUIRES_SINGLE_REFERENCE', singleReference(name));
  }
  const seedBlocks = blocks.slice(0, firstRecursive);
  const seed = seedBlocks.reduce((left, right): QueryExpr => ({ type: 'setop', op: 'union', all: !distinct, left, right, orderBy: [] }));
  return { seed, steps, distinct };
}

function singleReference(name: string): string {
  return `In recursive query block of Recursive Common Table Expression '${name}', the recursive table must be referenced only once, and not in any subquery`;
}

/** References to `name` directly in a FROM tree (not in derived tables); 3576 when one is the inner side of an outer join. */
function fromReferences(ref: TableRef, name: string, innerSide: boolean): number {
  switch (ref.type) {
    case 'table': {
      const hit = ref.schema === undefined && ref.name === name ? 1 : 0;
      if (hit && innerSide) {
        throw sqlError('CTE_RECURSIVE_FORBIDDEN_JOIN_ORDER', `In recursive query block of Recursive Common Table Expression '${name}', the recursive table must neither be in the right argument of a LEFT JOIN, nor be forced to be non-first with join order hints`);
      }
      return hit;
    }
    case 'derived':
    case 'jsonTable':
      return 0;
    case 'join':
      return fromReferences(ref.left, name, innerSide || ref.kind === 'right') + fromReferences(ref.right, name, innerSide || ref.kind === 'left');
  }
}

/** Every table reference to `name` anywhere in a query, subqueries included (a nested WITH of the same name is not told apart). */
function countReferences(node: unknown, name: string): number {
  if (node === null || typeof node !== 'object') return 0;
  if (Array.isArray(node)) return node.reduce((n: number, x) => n + countReferences(x, name), 0);
  const n = node as { type?: string; name?: unknown; schema?: unknown };
  let count = n.type === 'table' && n.schema === undefined && n.name === name ? 1 : 0;
  for (const v of Object.values(node)) if (v !== null && typeof v === 'object') count += countReferences(v, name);
  return count;
}

function referencesName(query: QueryExpr, name: string): boolean {
  return countReferences(query, name) > 0;
}

/** An aggregate or window call outside subqueries. */
function containsAggregate(node: unknown): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some(containsAggregate);
  const t = (node as { type?: string }).type;
  if (t === 'aggregate') return true;
  if (t === 'subquery' || t === 'exists' || t === 'inSubquery' || t === 'quantified') return false;
  return Object.values(node).some((v) => v !== null && typeof v === 'object' && containsAggregate(v));
}
