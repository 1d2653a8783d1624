// EXPLAIN: describes a statement's plan tree and its estimates, without running the statement.
import { sqlError } from '../../base/errors.js';
import type { ResultColumn, StatementResult } from '../../base/result.js';
import type { Row } from '../../base/value.js';
import type { ExplainStmt } from '../parser/ast.js';
import { planStatement } from '../planner/plan-query.js';
import { PLAN_ONLY } from '../planner/plan-summary.js';
import { estimateDml, estimateQuery, type QueryEstimate, type TableEstimate } from '../planner/estimate.js';
import { planContext } from './query.js';
import type { StatementEnv } from './statement-env.js';

const TRADITIONAL_COLUMNS = ['id', 'select_type', 'table', 'partitions', 'type', 'possible_keys', 'key', 'key_len', 'ref', 'rows', 'filtered', 'Extra'];

function column(name: string): ResultColumn {
  const type = name === 'id' || name === 'rows' ? { kind: 'bigint' as const, length: 3 } : name === 'filtered' ? { kind: 'double' as const } : { kind: 'varchar' as const, length: 64 };
  return { name, orgName: '', table: '', orgTable: '', schema: '', type, nullable: true };
}

/** Plans the explained statement in the current snapshot and describes it; subqueries are planned, never run. */
export function executeExplain(stmt: ExplainStmt, env: StatementEnv): StatementResult {
  const inner = stmt.statement;
  const estimate = env.read((tx) => {
    const ctx = { ...planContext(env, tx), subqueryRunner: PLAN_ONLY };
    const plan = planStatement(inner, ctx);
    if (!plan) throw sqlError('NOT_SUPPORTED_YET', `This version of mizzle does not yet support EXPLAIN of ${inner.type.toUpperCase()} statements`);
    const est = { rowCount: env.server.rowEstimate, bind: { session: env.session, ctx: env.ctx } };
    return plan.kind === 'dml' ? estimateDml(plan, est) : estimateQuery(plan, est);
  });
  const topType = inner.type === 'update' ? 'UPDATE' : inner.type === 'delete' ? 'DELETE' : undefined;
  if (stmt.format === 'tree') {
    return { kind: 'rows', columns: [{ ...column('EXPLAIN'), type: { kind: 'text' }, nullable: false }], rows: [[describeTree(estimate)]] };
  }
  return { kind: 'rows', columns: TRADITIONAL_COLUMNS.map(column), rows: traditionalRows(estimate, topType) };
}

function extra(t: TableEstimate): string | null {
  if (t.join === 'hash') return 'Using where; Using join buffer (hash join)';
  if (t.join === 'cross') return 'Using join buffer (cross product)';
  if (t.access === 'ALL' || t.source !== 'table') return null;
  return t.covering ? 'Using where; Using index' : 'Using where';
}

/** One row per table read, numbered per query block as MySQL numbers them (derived tables and subqueries get their own id). */
function traditionalRows(top: QueryEstimate, topType: string | undefined): Row[] {
  const rows: Row[] = [];
  let nextId = 1;
  const block = (q: QueryEstimate, selectType: string): void => {
    if (q.parts.length > 0) {
      q.parts.forEach((part, i) => block(part, i === 0 ? selectType : 'UNION'));
      return;
    }
    const id = nextId++;
    const later: [QueryEstimate, string][] = [];
    for (const t of q.tables) {
      let name = t.alias;
      if (t.derived) {
        name = `<derived${nextId + later.length}>`;
        later.push([t.derived, 'DERIVED']);
      }
      const key = t.access === 'ALL' ? null : t.index ?? null;
      rows.push([id, selectType, name, null, t.access, key, key, null, null, t.rows, 100, extra(t)]);
    }
    if (q.tables.length === 0) rows.push([id, selectType, null, null, null, null, null, null, null, null, null, 'No tables used']);
    for (const sub of q.subqueries) later.push([sub, 'SUBQUERY']);
    for (const [q2, type] of later) block(q2, type);
  };
  const nested = top.parts.length > 0 || top.subqueries.length > 0 || top.tables.some((t) => t.derived);
  block(top, topType ?? (nested ? 'PRIMARY' : 'SIMPLE'));
  return rows;
}

/** EXPLAIN FORMAT=TREE: the top query block's reads, innermost first, as nested joins. */
function describeTree(q: QueryEstimate): string {
  const tables = q.parts.length > 0 ? q.parts.flatMap((p) => p.tables) : q.tables;
  const describe = (t: TableEstimate): string => {
    if (t.derived) return `Table scan on ${t.alias} (materialized)`;
    if (t.access === 'ALL') return `Table scan on ${t.alias}`;
    if (t.access === 'const' || t.access === 'eq_ref') return `Single-row index lookup on ${t.alias} using ${t.index}`;
    return `${t.covering ? 'Covering index' : 'Index'} ${t.access === 'ref' ? 'lookup' : 'range scan'} on ${t.alias} using ${t.index}`;
  };
  const windowed = (tree: string): string => (q.windows ? `-> Window aggregate  (rows=${q.product})\n${tree.replace(/^/gm, '    ')}` : tree);
  if (tables.length === 0) return windowed('-> Rows fetched before execution');
  let tree = `-> ${describe(tables[0])}  (rows=${tables[0].rows})`;
  let product = tables[0].rows;
  for (const t of tables.slice(1)) {
    product *= t.rows;
    const how = t.join === 'index' ? 'Nested loop inner join' : t.join === 'hash' ? 'Inner hash join' : 'Nested loop (cross product)';
    tree = `-> ${how}  (rows=${product})\n${tree.replace(/^/gm, '    ')}\n    -> ${describe(t)}  (rows=${t.rows})`;
  }
  return windowed(tree);
}
