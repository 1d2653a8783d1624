// A view's columns as DESCRIBE, SHOW COLUMNS and information_schema.COLUMNS show them: planned from its query, never run.
import type { QueryExpr, Statement } from '../parser/ast.js';
import { parse } from '../parser/index.js';
import { planQuery } from '../planner/plan-query.js';
import { DEFAULT_COLLATION } from '../../base/collation.js';
import type { TableDef, ViewDef } from '../../storage/table-def.js';
import { planContext } from './query.js';
import type { ReadTx, StatementEnv } from './statement-env.js';
import { quoteIdentifier } from '../../base/identifier.js';


function isQuery(s: Statement): s is QueryExpr {
  return s.type === 'select' || s.type === 'setop' || s.type === 'values' || s.type === 'with';
}

/**
 * A view described like a table: its result columns (names, types, nullability) from planning
 * `SELECT * FROM view`, so column lists and nested views resolve exactly as a query would; no keys,
 * no defaults. Throws what planning throws (a view over a dropped table: 1146 and the like).
 */
export function viewAsTable(view: ViewDef, env: StatementEnv, tx: ReadTx): TableDef {
  const q = parse(`SELECT * FROM ${quoteIdentifier(view.schema)}.${quoteIdentifier(view.name)}`);
  if (!isQuery(q)) throw new Error('view-columns: SELECT did not parse as a query');
  const plan = planQuery(q, planContext(env, tx));
  const columns = plan.columns.filter((c) => !c.hidden).map((c) => ({ name: c.name, type: c.type, nullable: c.nullable }));
  return { id: -1, schema: view.schema, name: view.name, engine: '', columns, indexes: [], charset: 'utf8mb4', collation: DEFAULT_COLLATION, nextIndexId: 1 };
}
