// UPDATE and DELETE of one table, with WHERE (index-assisted), ORDER BY and LIMIT.
import { SqlError, sqlError } from '../../base/errors.js';
import type { StatementResult } from '../../base/result.js';
import type { DeleteStmt, UpdateStmt } from '../parser/ast.js';
import { dmlPlans } from '../planner/plan-query.js';
import type { DmlPlan, TableSource } from '../planner/plan.js';
import { compareForSort } from '../types/compare.js';
import { toBoolean, toInteger } from '../types/convert.js';
import type { Row, Value } from '../../base/value.js';
import type { TableDef } from '../../storage/table-def.js';
import { planContext } from './query.js';
import { sourceRows } from './source.js';
import { PAUSE } from './pause.js';
import type { StatementEnv, WriteTx } from './statement-env.js';
import { defaultValue, sameStoredValue, storeValue } from './write-row.js';
import { formatDateTime } from '../../base/temporal.js';
import { constrainedTx } from './constraint-writer.js';

/** Errors UPDATE IGNORE turns into warnings (the row is skipped). */
const IGNORABLE = new Set([1062, 1451, 1452, 3819]);

interface Target {
  def: TableDef;
  rows: Row[];
  plan: DmlPlan;
}

/** Finds the rows a WHERE / ORDER BY / LIMIT selects, before any of them is changed. */
function selectTargets(tx: WriteTx, env: StatementEnv, stmt: UpdateStmt | DeleteStmt): Target {
  const plan = dmlPlans.plan(stmt, planContext(env, tx));
  const source = plan.source as TableSource;
  const def = source.def;
  const order = plan.order;
  // The plan compiled the LIMIT, ORDER BY and an UPDATE's assignments already.
  const count = plan.limit ? Number(toInteger(plan.limit.count.eval([], env.ctx) ?? 0)) : Infinity;
  const rows: Row[] = [];
  const ctx = env.ctx;
  const cond = plan.where;
  // Rows are collected first so that changing a key cannot make the scan see a row twice.
  for (const row of sourceRows(source, env, tx)) {
    // Writes run to their end within one storage transaction: no pause.
    if (row === PAUSE) continue;
    if (cond && toBoolean(cond.eval(row, ctx)) !== true) continue;
    rows.push(row);
    if (order.length === 0 && rows.length >= count) break;
  }
  if (order.length) {
    const keyed = rows.map((r) => ({ r, k: order.map((o) => o.c.eval(r, ctx)) }));
    keyed.sort((a, b) => {
      for (let i = 0; i < order.length; i++) {
        const c = compareForSort(order[i].c.type, a.k[i], b.k[i]);
        if (c) return order[i].desc ? -c : c;
      }
      return 0;
    });
    rows.length = 0;
    for (const x of keyed.slice(0, count === Infinity ? undefined : count)) rows.push(x.r);
  }
  return { def, rows, plan };
}

export function executeUpdate(stmt: UpdateStmt, env: StatementEnv): StatementResult {
  return env.write((raw) => {
    const tx = constrainedTx(raw, env);
    const t = selectTargets(tx, env, stmt);
    const sets = t.plan.assignments;
    const table = tx.table(t.def);
    const ctx = env.ctx;
    const assigned = new Set(sets.map((x) => x.column));
    const autoNow = t.def.columns.map((c, i) => (c.onUpdateNow && !assigned.has(i) ? i : -1)).filter((i) => i >= 0);
    let changed = 0;
    let n = 0;
    for (const old of t.rows) {
      ctx.rowNumber = ++n;
      // Assignments apply left to right; later ones see earlier results (MySQL's single-table rule).
      const next = old.slice();
      for (const s of sets) {
        const col = t.def.columns[s.column];
        const v: Value = s.value ? s.value.eval(next, ctx) : null;
        next[s.column] = storeValue(col, s.value ? v : defaultValue(col, ctx, false), ctx);
      }
      if (next.every((v, i) => sameStoredValue(v, old[i]))) {
        // Unchanged rows are still locked, as InnoDB locks every row an UPDATE matches.
        table.lockRow(old);
        continue;
      }
      // Columns declared ON UPDATE CURRENT_TIMESTAMP take the statement time when the row changes and they were not set.
      for (const c of autoNow) next[c] = storeValue(t.def.columns[c], formatDateTime(ctx.now, t.def.columns[c].type.fsp ?? 0), ctx);
      try {
        table.update(old, next);
        changed++;
      } catch (e) {
        if (stmt.ignore && e instanceof SqlError && IGNORABLE.has(e.code)) {
          env.session.warn(e.code, e.message);
          continue;
        }
        throw e;
      }
    }
    return { kind: 'ok', affectedRows: env.session.matchedRowsAsAffected ? t.rows.length : changed, insertId: 0, info: `Rows matched: ${t.rows.length}  Changed: ${changed}  Warnings: 0` };
  });
}

export function executeDelete(stmt: DeleteStmt, env: StatementEnv): StatementResult {
  if (!stmt.table || stmt.targets) throw sqlError('NOT_SUPPORTED_YET', 'This version of mizzle does not yet support multi-table DELETE');
  return env.write((raw) => {
    const tx = constrainedTx(raw, env);
    const t = selectTargets(tx, env, stmt);
    const table = tx.table(t.def);
    let deleted = 0;
    // A row a foreign key cascade of this statement already deleted is not counted again.
    for (const row of t.rows) if (table.delete(row)) deleted++;
    return { kind: 'ok', affectedRows: deleted, insertId: 0 };
  });
}
