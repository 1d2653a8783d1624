// Produces the rows of a planned FROM clause: table reads along their access paths, system tables, derived tables, JSON_TABLE and joins.
import { toBoolean } from '../types/convert.js';
import type { Row } from '../../base/value.js';
import { bindAccess } from '../planner/access-path.js';
import type { LateralSource, NestedJoinSource, SourcePlan, TableSource } from '../planner/plan.js';
import { runJoin } from './join.js';
import { informationSchemaRows } from './information-schema.js';
import { executeQuery } from './query.js';
import { cteRows, cteWorkRows } from './cte.js';
import { jsonTableSourceRows } from './json-table.js';
import { collect, drain, PAUSE, PAUSE_EVERY, type Pulled } from './pause.js';
import type { ReadTx, StatementEnv } from './statement-env.js';

/**
 * The rows of a source, read when pulled, with a pause every PAUSE_EVERY rows of work;
 * derived tables and the inner sides of nested loops are materialized once.
 */
export function sourceRows(plan: SourcePlan, env: StatementEnv, tx: ReadTx): Iterable<Pulled> {
  switch (plan.kind) {
    case 'empty':
      return [[]];
    case 'table':
      return tableRows(plan, env, tx);
    case 'system':
      return informationSchemaRows(plan.name, plan.alias, env, tx, plan.where);
    case 'derived':
      return executeQuery(plan.query, env, tx);
    case 'cte':
      return cteRows(plan.cte, env, tx);
    case 'cteWork':
      return cteWorkRows(plan.cte, env);
    case 'innerJoin':
      return runJoin(plan, env, tx);
    case 'nestedJoin':
      return nestedJoinRows(plan, env, tx);
    case 'jsonTable':
      return jsonTableSourceRows(plan, plan.left ? sourceRows(plan.left, env, tx) : [[]], env.ctx);
    case 'lateral':
      return lateralRows(plan, env, tx);
    case 'cross': {
      const inputs = plan.inputs.map((input) => sourceRows(input, env, tx));
      return inputs.slice(1).reduce((acc, rows) => crossRows(acc, rows), inputs[0]);
    }
  }
}

/** A base table along its access path, whose constants are bound now (parameters and @variables are fixed per statement). */
function tableRows(plan: TableSource, env: StatementEnv, tx: ReadTx): Iterable<Pulled> {
  const path = bindAccess(plan.def, plan.access, plan.keys, env.ctx);
  const rows = tx.table(plan.def).scan(path, plan.columnsRead);
  // Point lookups on a unique key read a handful of rows: no pauses needed, no wrapper.
  return path?.unique ? rows : withPauses(rows);
}

/**
 * The rows of a table read by a whole unique key (`id = ?`, `id IN (...)`), which never pause;
 * undefined when its access path is anything else (or falls back to a scan for this execution).
 */
export function uniqueKeyRows(plan: TableSource, env: StatementEnv, tx: ReadTx): Iterable<Row> | undefined {
  const index = plan.access.index;
  if (index === undefined || !index.unique || plan.access.equalities.length !== index.columns.length) return undefined;
  const path = bindAccess(plan.def, plan.access, plan.keys, env.ctx);
  return path?.unique ? tx.table(plan.def).scan(path, plan.columnsRead) : undefined;
}

function* withPauses(rows: Iterable<Row>): Generator<Pulled> {
  let n = 0;
  for (const row of rows) {
    yield row;
    if (++n === PAUSE_EVERY) {
      n = 0;
      yield PAUSE;
    }
  }
}

function* crossRows(left: Iterable<Pulled>, rightRows: Iterable<Pulled>): Generator<Pulled> {
  const right = yield* collect(rightRows, []);
  let n = 0;
  for (const l of left) {
    if (l === PAUSE) {
      yield PAUSE;
      continue;
    }
    // Rows stream to the consumer, so no count limit here: whatever holds them (a sort, a group) is bounded by query_memory_limit.
    for (const r of right) {
      yield [...l, ...r];
      if (++n % PAUSE_EVERY === 0) yield PAUSE;
    }
  }
}

function* nestedJoinRows(plan: NestedJoinSource, env: StatementEnv, tx: ReadTx): Generator<Pulled> {
  const ctx = env.ctx;
  const cond = plan.on;
  const swapped = plan.swapped;
  const rightRows = yield* collect(sourceRows(plan.right, env, tx), []);
  const nulls: Row = new Array(plan.right.scope.columns.length).fill(null);
  let n = 0;
  for (const l of sourceRows(plan.left, env, tx)) {
    if (l === PAUSE) {
      yield PAUSE;
      continue;
    }
    let matched = false;
    for (const r of rightRows) {
      const row = [...l, ...r];
      if (!cond || toBoolean(cond.eval(row, ctx)) === true) {
        matched = true;
        yield swapped ? [...r, ...l] : row;
      }
      if (++n === PAUSE_EVERY) {
        n = 0;
        yield PAUSE;
      }
    }
    if (!matched && plan.keepUnmatched) yield swapped ? [...nulls, ...l] : [...l, ...nulls];
  }
}

/** A LATERAL derived table: its query runs to its end for each row before it, with that row as its nearest outer row. */
function* lateralRows(plan: LateralSource, env: StatementEnv, tx: ReadTx): Generator<Pulled> {
  const ctx = env.ctx;
  const nulls: Row = new Array(plan.scope.columns.length - plan.left.scope.columns.length).fill(null);
  let n = 0;
  for (const l of sourceRows(plan.left, env, tx)) {
    if (l === PAUSE) {
      yield PAUSE;
      continue;
    }
    // Drained at once, as a correlated subquery is: no pause may come between the push and the pop.
    ctx.outerRows.push(l as Row);
    let rightRows: Row[];
    try {
      rightRows = drain(executeQuery(plan.query, env, tx), env.checkpoint);
    } finally {
      ctx.outerRows.pop();
    }
    let matched = false;
    for (const r of rightRows) {
      const row = [...l, ...r];
      if (!plan.on || toBoolean(plan.on.eval(row, ctx)) === true) {
        matched = true;
        yield row;
      }
    }
    if (!matched && plan.keepUnmatched) yield [...l, ...nulls];
    n += rightRows.length + 1;
    if (n >= PAUSE_EVERY) {
      n = 0;
      yield PAUSE;
    }
  }
}
