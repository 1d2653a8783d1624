// Produces the rows of a planned FROM clause: table reads along their access paths, system tables, derived tables and joins.
import { sqlError } from '../../base/errors.js';
import { Scope } from '../analyzer/scope.js';
import { toBoolean } from '../types/convert.js';
import type { Row } from '../../base/value.js';
import { bindAccess } from '../planner/access-path.js';
import type { NestedJoinSource, SourcePlan, TableSource } from '../planner/plan.js';
import { JOIN_ROWS_MAX, runJoin } from './join.js';
import { informationSchemaRows } from './information-schema.js';
import { executeQuery } from './query.js';
import type { ReadTx, StatementEnv } from './statement-env.js';

/** The rows of a source, read when pulled; derived tables and the inner sides of nested loops are materialized once. */
export function sourceRows(plan: SourcePlan, env: StatementEnv, tx: ReadTx): Iterable<Row> {
  switch (plan.kind) {
    case 'empty':
      return [[]];
    case 'table':
      return tableRows(plan, env, tx);
    case 'system':
      return informationSchemaRows(plan.name, plan.alias, env, tx, plan.where);
    case 'derived':
      return [...executeQuery(plan.query, env, tx)];
    case 'innerJoin':
      return runJoin(plan, env, tx);
    case 'nestedJoin':
      return nestedJoinRows(plan, env, tx);
    case 'cross': {
      const inputs = plan.inputs.map((input) => sourceRows(input, env, tx));
      return inputs.slice(1).reduce((acc, rows) => crossRows(acc, rows), inputs[0]);
    }
  }
}

/** A base table along its access path, whose constants are bound now (parameters and @variables are fixed per statement). */
function tableRows(plan: TableSource, env: StatementEnv, tx: ReadTx): Iterable<Row> {
  const path = bindAccess(plan.def, plan.access, { scope: new Scope([]), session: env.session, clause: 'where clause' }, env.ctx);
  return tx.table(plan.def).scan(path, plan.columnsRead);
}

function* crossRows(left: Iterable<Row>, rightRows: Iterable<Row>): Generator<Row> {
  const right = [...rightRows];
  let n = 0;
  for (const l of left) {
    for (const r of right) {
      if (++n > JOIN_ROWS_MAX) throw sqlError('TOO_BIG_SELECT', `The join would examine more than ${JOIN_ROWS_MAX} rows; add join conditions or indexes`);
      yield [...l, ...r];
    }
  }
}

function* nestedJoinRows(plan: NestedJoinSource, env: StatementEnv, tx: ReadTx): Generator<Row> {
  const ctx = env.ctx;
  const cond = plan.on;
  const swapped = plan.swapped;
  const rightRows = [...sourceRows(plan.right, env, tx)];
  const nulls: Row = new Array(plan.right.scope.columns.length).fill(null);
  for (const l of sourceRows(plan.left, env, tx)) {
    let matched = false;
    for (const r of rightRows) {
      const row = [...l, ...r];
      if (!cond || toBoolean(cond.eval(row, ctx)) === true) {
        matched = true;
        yield swapped ? [...r, ...l] : row;
      }
    }
    if (!matched && plan.keepUnmatched) yield swapped ? [...nulls, ...l] : [...l, ...nulls];
  }
}
