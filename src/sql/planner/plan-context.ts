// What planning needs from around it: the session (names, parameters), the catalog, and who runs subqueries.
import type { ScopeColumn } from '../analyzer/scope.js';
import type { SessionContext } from '../analyzer/eval-context.js';
import type { TableDef } from '../../storage/table-def.js';
import type { SubqueryRunnerFactory } from './plan.js';
import type { CteScope } from './plan-cte.js';

/** The catalog lookups planning makes (a statement's snapshot, or the live catalog for filter estimates). */
export interface PlanCatalog {
  getTable(schema: string, name: string): TableDef | undefined;
  getView(schema: string, name: string): { query: string; columns?: string[] } | undefined;
}

export interface PlanContext {
  readonly session: SessionContext;
  /** The statement's source text, for error messages and column names. */
  readonly text?: string;
  readonly catalog: PlanCatalog;
  /** The columns of an information_schema table (1109 when it has none of that name). */
  systemColumns(name: string, alias: string): ScopeColumn[];
  /** Turns a planned subquery into what its expression calls for rows; planning itself never calls it. */
  readonly subqueryRunner: SubqueryRunnerFactory;
  /** The common table expressions visible here (WITH of this query and the queries around it). */
  readonly ctes?: CteScope;
}
