// The plan tree: what a query will read and compute, decided and compiled before any row is read.
import type { Expr } from '../parser/ast.js';
import type { Scope, ScopeColumn } from '../analyzer/scope.js';
import type { Compiled } from '../analyzer/compile-expr.js';
import type { CompareDomain } from '../types/compare.js';
import type { AggregateSlots, AggregateSpec } from '../functions/aggregates.js';
import type { IndexDef, TableDef } from '../../storage/table-def.js';
import type { Row } from '../../base/value.js';
import type { EvalContext } from '../analyzer/eval-context.js';
import type { AccessKeys, AccessPlan } from './access-path.js';
import type { JoinInput } from './join-plan.js';
import type { JsonTablePlan } from './plan-json-table.js';

/**
 * A FROM clause as a tree of sources. Every node carries the scope its rows are laid out in;
 * execution (executor/source.ts), EXPLAIN and the filters' plan summary all walk the same tree.
 */
export type SourcePlan = EmptySource | TableSource | SystemTableSource | DerivedSource | CteSource | CteWorkSource | InnerJoinSource | NestedJoinSource | CrossSource | JsonTableSource | LateralSource;

/** No FROM: one empty row. */
export interface EmptySource {
  kind: 'empty';
  scope: Scope;
}

/** A base table, read along the access path chosen for `where` (its constants are bound when it runs). */
export interface TableSource {
  kind: 'table';
  scope: Scope;
  def: TableDef;
  alias: string;
  access: AccessPlan;
  /** The constants `access` compares with, compiled (bound per execution). */
  keys: AccessKeys;
  /** The conjuncts the access path was chosen for (estimates bind them again). */
  where: Expr | undefined;
  /** Columns the statement reads (index = table column); unset: every column. */
  columnsRead?: readonly boolean[];
  /** The access path's secondary index carries every column read, so the scan reads index entries only (see storage's indexCovers). */
  covering?: boolean;
}

/** A table of information_schema, built from the catalog when read; `where` narrows which rows are worth building. */
export interface SystemTableSource {
  kind: 'system';
  scope: Scope;
  name: string;
  alias: string;
  where: Expr | undefined;
}

/** A derived table or a view: a planned query whose rows are materialized once per execution. */
export interface DerivedSource {
  kind: 'derived';
  scope: Scope;
  alias: string;
  query: QueryPlan;
  /** The view's qualified name, when it is one. */
  view?: string;
}

/**
 * JSON_TABLE. With `left`, it reads its document from each row of the FROM items before it (it is
 * lateral) and its rows follow that row's columns; `on` and `keepUnmatched` are the join's.
 */
export interface JsonTableSource {
  kind: 'jsonTable';
  scope: Scope;
  alias: string;
  left: SourcePlan | undefined;
  table: JsonTablePlan;
  on: Compiled | undefined;
  keepUnmatched: boolean;
}

/**
 * A LATERAL derived table after `left`: its query is run again for each row of `left`, which it reads
 * as its nearest outer row; its rows follow that row's columns. `on` and `keepUnmatched` are the join's.
 */
export interface LateralSource {
  kind: 'lateral';
  scope: Scope;
  alias: string;
  left: SourcePlan;
  query: QueryPlan;
  on: Compiled | undefined;
  keepUnmatched: boolean;
}

/** A reference to a common table expression: its rows, materialized once per execution and shared by every reference. */
export interface CteSource {
  kind: 'cte';
  scope: Scope;
  alias: string;
  cte: CtePlan;
}

/** A recursive CTE's reference to itself inside its recursive blocks: the rows the previous round added. */
export interface CteWorkSource {
  kind: 'cteWork';
  scope: Scope;
  alias: string;
  cte: CtePlan;
}

/** A planned common table expression. */
export interface CtePlan {
  name: string;
  columns: ScopeColumn[];
  /** The whole query; for a recursive CTE its non-recursive blocks (the seed). */
  query: QueryPlan;
  /** Recursive CTEs: set once planned (the blocks refer back to this plan while they are planned). */
  recursive: RecursiveCtePlan | undefined;
  /** Reads columns of an enclosing query, so it is computed again for each use instead of once. */
  correlated: boolean;
}

/** The recursive blocks of a recursive CTE, re-run over the previous round's rows until a round adds none. */
export interface RecursiveCtePlan {
  steps: QueryPlan[];
  /** Per step, per column: converts the step's value to the seed's column type. */
  convert: Compiled[][];
  /** UNION DISTINCT: rows already produced are not added (nor recursed on) again. */
  distinct: boolean;
}

/** One input of an inner join, with the conjuncts that read it alone and an index that can fetch it by join key. */
export interface JoinLeafPlan {
  input: JoinInput;
  source: SourcePlan;
  filter: Compiled | undefined;
  /** Index nested-loop lookups: `keyOrder[c]` is the step key feeding index column c. */
  lookup?: { table: TableDef; index: IndexDef; keyOrder: number[] };
}

/** An equality between the rows joined so far (outer) and the input a step adds (inner). */
export interface JoinKeyPlan {
  outer: Compiled;
  inner: Compiled;
  domain: CompareDomain;
  collation: string | undefined;
}

/** One step of an inner join: add `input`, matching by `keys`, then apply `filters` over the full row. */
export interface JoinStepPlan {
  input: number;
  keys: JoinKeyPlan[];
  filters: Compiled[];
}

/** Inner joins of several inputs flattened: single-input conjuncts pushed down, a greedy order along equalities. */
export interface InnerJoinSource {
  kind: 'innerJoin';
  scope: Scope;
  width: number;
  leaves: JoinLeafPlan[];
  steps: JoinStepPlan[];
}

/** An outer join (or an inner join that cannot be flattened: NATURAL, USING, nested outer joins), as nested loops. */
export interface NestedJoinSource {
  kind: 'nestedJoin';
  scope: Scope;
  left: SourcePlan;
  right: SourcePlan;
  /** LEFT (and RIGHT, run as LEFT with the sides swapped) keep unmatched left rows. */
  keepUnmatched: boolean;
  /** A RIGHT JOIN: the output restores the written column order. */
  swapped: boolean;
  on: Compiled | undefined;
}

/** A comma list that is not a flattenable inner join: a cartesian product. */
export interface CrossSource {
  kind: 'cross';
  scope: Scope;
  inputs: SourcePlan[];
}

/** A query expression, planned. `columns` is its result layout. */
export type QueryPlan = SelectPlan | SetOpPlan | ValuesPlan;

/** An ORDER BY key. */
export interface SortKey {
  c: Compiled;
  desc: boolean;
}

/** LIMIT/OFFSET, compiled; evaluated when the query runs (they may be parameters). */
export interface LimitPlan {
  count: Compiled;
  offset: Compiled | undefined;
}

export interface SelectPlan {
  kind: 'select';
  columns: ScopeColumn[];
  from: SourcePlan;
  where: Compiled | undefined;
  /** Grouped queries: the aggregate slots and the grouping keys; post-aggregation rows are [first row..., aggregates...]. */
  aggregates: AggregateSlots | undefined;
  groupKeys: Compiled[];
  /** WITH ROLLUP: the input column each grouping key reads (super-aggregate rows show it as NULL). */
  rollup?: number[];
  having: Compiled | undefined;
  /** Window functions, computed over the rows after HAVING; their values follow those rows' columns. */
  windows: WindowPlan | undefined;
  items: Compiled[];
  distinct: boolean;
  order: SortKey[];
  limit: LimitPlan | undefined;
  /** The subqueries its expressions contain, planned (they run when an expression needs their rows). */
  subqueries: QueryPlan[];
}

/** One end of a window frame; `offset` (N PRECEDING/FOLLOWING) is a constant. */
export interface FrameBoundPlan {
  kind: 'unboundedPreceding' | 'preceding' | 'current' | 'following' | 'unboundedFollowing';
  offset: Compiled | undefined;
}

/** A window frame; the default ones are spelled out (RANGE UNBOUNDED PRECEDING to CURRENT ROW covers a whole unordered partition). */
export interface WindowFramePlan {
  unit: 'rows' | 'range';
  start: FrameBoundPlan;
  end: FrameBoundPlan;
}

/** One window function call: its name, arguments, and for aggregates the accumulator spec. */
export interface WindowFunctionPlan {
  name: string;
  /** Its value's position after the input columns. */
  slot: number;
  args: Compiled[];
  aggregate: AggregateSpec | undefined;
  frame: WindowFramePlan;
}

/** The window functions sharing one PARTITION BY / ORDER BY: the rows are sorted once for all of them. */
export interface WindowGroupPlan {
  partition: Compiled[];
  order: SortKey[];
  functions: WindowFunctionPlan[];
}

/** A query's window functions: values appended at `base` (the width of the rows after grouping). */
export interface WindowPlan {
  base: number;
  count: number;
  groups: WindowGroupPlan[];
}

export interface SetOpPlan {
  kind: 'setop';
  columns: ScopeColumn[];
  op: 'union' | 'intersect' | 'except';
  all: boolean;
  left: QueryPlan;
  right: QueryPlan;
  /** Per column, converts a side's value to the unified type (evaluated over that side's row). */
  convertLeft: Compiled[];
  convertRight: Compiled[];
  order: SortKey[];
  limit: LimitPlan | undefined;
}

export interface ValuesPlan {
  kind: 'values';
  columns: ScopeColumn[];
  /** Each row's values, converted to the column types. */
  rows: Compiled[][];
  order: SortKey[];
  limit: LimitPlan | undefined;
  subqueries: QueryPlan[];
}

/** One `column = value` of an UPDATE; no value is `= DEFAULT`. */
export interface AssignmentPlan {
  column: number;
  value: Compiled | undefined;
  /** Multi-table UPDATE: which of the plan's targets the column belongs to. */
  target?: number;
}

/** UPDATE / DELETE: the target rows' source (one table, its access chosen for the WHERE), the WHERE, ORDER BY and LIMIT, and an UPDATE's assignments. */
export interface DmlPlan {
  kind: 'dml';
  source: SourcePlan;
  where: Compiled | undefined;
  limit: LimitPlan | undefined;
  ordered: boolean;
  order: SortKey[];
  assignments: AssignmentPlan[];
  subqueries: QueryPlan[];
  /** Multi-table UPDATE / DELETE: the tables written, each a slice of the joined row (each assignment's `target` indexes this list). */
  targets?: DmlTargetPlan[];
}

/** One table a multi-table UPDATE or DELETE writes, and where its columns sit in the joined row. */
export interface DmlTargetPlan {
  alias: string;
  def: TableDef;
  offset: number;
}

/** Runs a planned subquery for an outer row (correlated) or once (not): supplied by whoever executes the plan. */
export type SubqueryRunnerFactory = (plan: QueryPlan, correlated: boolean) => (outerRow: Row, ctx: EvalContext) => Row[];
