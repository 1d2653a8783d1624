// The filters' view of a plan: every base table a statement reads, how, and the estimated join size.
import type { Statement } from '../parser/ast.js';
import type { DmlPlan, QueryPlan, SubqueryRunnerFactory } from './plan.js';
import type { PlanContext } from './plan-context.js';
import { planStatement } from './plan-query.js';
import { estimateDml, estimateQuery, type Estimator, type QueryEstimate } from './estimate.js';

/** How a statement would read its tables, for filters that stop expensive plans. */
export interface PlanSummary {
  tables: { schema: string; table: string; access: 'scan' | 'index'; index?: string; estimatedRows: number }[];
  /** The product of every table's estimated rows in the outermost FROM list: the join's worst case (what max_join_size weighs). */
  estimatedJoinRows: number;
}

type SummaryTable = PlanSummary['tables'][number];

/**
 * Summarizes a statement's plan tree (the one execution and EXPLAIN use). Tables read by
 * subqueries, derived tables, views and set operations are listed too, in reading order.
 */
export function summarizePlan(plan: QueryPlan | DmlPlan, est: Estimator): PlanSummary {
  const estimate = plan.kind === 'dml' ? estimateDml(plan, est) : estimateQuery(plan, est);
  const tables: SummaryTable[] = [];
  collect(estimate, tables);
  return { tables, estimatedJoinRows: estimate.product };
}

function collect(q: QueryEstimate, into: SummaryTable[]): void {
  for (const t of q.tables) {
    if (t.derived) collect(t.derived, into);
    if (t.source !== 'table') continue;
    const entry: SummaryTable = { schema: t.schema, table: t.table, access: t.access === 'ALL' ? 'scan' : 'index', estimatedRows: t.rows };
    if (t.index !== undefined && t.access !== 'ALL') entry.index = t.index;
    into.push(entry);
  }
  for (const part of q.parts) collect(part, into);
  for (const sub of q.subqueries) collect(sub, into);
}

/** The subquery runner of a plan that is only looked at (filters, EXPLAIN): planning never calls it. */
export const PLAN_ONLY: SubqueryRunnerFactory = () => () => {
  throw new Error('a plan built only to be described was executed');
};

/** Plans a statement and summarizes it; undefined for statements without a plan. Planning errors propagate. */
export function summarizeStatement(stmt: Statement, ctx: PlanContext, est: Estimator): PlanSummary | undefined {
  const plan = planStatement(stmt, ctx);
  return plan && summarizePlan(plan, est);
}
