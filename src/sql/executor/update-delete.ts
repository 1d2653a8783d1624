// UPDATE and DELETE of one table, with WHERE (index-assisted), ORDER BY and LIMIT; the multi-table forms are handed to multi-table-dml.ts.
import { SqlError } from '../../base/errors.js';
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
import { finish, PAUSE, PAUSE_EVERY, type Pause } from './pause.js';
import type { StatementEnv, TableWriter, WriteTx } from './statement-env.js';
import { defaultValue, sameStoredValue, storeValue, UPDATE_IGNORABLE } from './write-row.js';
import { formatDateTime } from '../../base/temporal.js';
import { executeMultiDelete, executeMultiUpdate } from './multi-table-dml.js';
import { computeGenerated, hasGenerated } from './generated-columns.js';
import { constrainedTx } from './constraint-writer.js';

interface Target {
  def: TableDef;
  rows: Row[];
  plan: DmlPlan;
}

/**
 * Finds the rows a WHERE / ORDER BY / LIMIT selects, before any of them is changed, pausing
 * between slices of the scan. After a pause these are candidates: see `lockedTarget`.
 */
function* selectTargets(plan: DmlPlan, tx: WriteTx, env: StatementEnv): Generator<Pause, Target> {
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
    if (row === PAUSE) {
      yield PAUSE;
      continue;
    }
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

/**
 * A target row locked and read as it is now (other sessions may have changed it while the
 * statement paused), with the WHERE checked again on that version: undefined when it is gone
 * or no longer matches. So no other transaction's committed change is overwritten unseen.
 */
function lockedTarget(table: TableWriter, found: Row, plan: DmlPlan, env: StatementEnv): Row | undefined {
  const row = table.lockCurrent(found);
  if (row === undefined || row === found || !plan.where) return row;
  return toBoolean(plan.where.eval(row, env.ctx)) === true ? row : undefined;
}

export function executeUpdate(stmt: UpdateStmt, env: StatementEnv): StatementResult {
  return finish(updateSteps(stmt, env));
}

/** UPDATE in slices: the scan and the changes pause every PAUSE_EVERY rows. */
export function updateSteps(stmt: UpdateStmt, env: StatementEnv): Generator<Pause, StatementResult> {
  return env.writeSteps(function* (raw) {
    const tx = constrainedTx(raw, env);
    const plan = dmlPlans.plan(stmt, planContext(env, tx));
    if (plan.targets) return yield* executeMultiUpdate(plan, stmt.ignore, env, tx);
    const t = yield* selectTargets(plan, tx, env);
    const sets = t.plan.assignments;
    const table = tx.table(t.def);
    const ctx = env.ctx;
    const assigned = new Set(sets.map((x) => x.column));
    const autoNow = t.def.columns.map((c, i) => (c.onUpdateNow && !assigned.has(i) ? i : -1)).filter((i) => i >= 0);
    const generated = hasGenerated(t.def);
    let matched = 0;
    let changed = 0;
    let n = 0;
    for (let i = 0; i < t.rows.length; i++) {
      if (i > 0 && i % PAUSE_EVERY === 0) yield PAUSE;
      // Unchanged rows are locked too, as InnoDB locks every row an UPDATE matches.
      const old = lockedTarget(table, t.rows[i], t.plan, env);
      if (old === undefined) continue;
      matched++;
      ctx.rowNumber = ++n;
      // Assignments apply left to right; later ones see earlier results (MySQL's single-table rule).
      const next = old.slice();
      for (const s of sets) {
        const col = t.def.columns[s.column];
        const v: Value = s.value ? s.value.eval(next, ctx) : null;
        next[s.column] = storeValue(col, s.value ? v : defaultValue(col, ctx, false, t.def, s.column, next), ctx);
      }
      if (generated) computeGenerated(t.def, next, ctx);
      if (next.every((v, i) => sameStoredValue(v, old[i]))) continue;
      // Columns declared ON UPDATE CURRENT_TIMESTAMP take the statement time when the row changes and they were not set.
      for (const c of autoNow) next[c] = storeValue(t.def.columns[c], formatDateTime(ctx.now, t.def.columns[c].type.fsp ?? 0), ctx);
      if (generated && autoNow.length) computeGenerated(t.def, next, ctx);
      try {
        table.update(old, next);
        changed++;
      } catch (e) {
        if (stmt.ignore && e instanceof SqlError && UPDATE_IGNORABLE.has(e.code)) {
          env.session.warn(e.code, e.message);
          continue;
        }
        throw e;
      }
    }
    return { kind: 'ok', affectedRows: env.session.matchedRowsAsAffected ? matched : changed, insertId: 0, info: `Rows matched: ${matched}  Changed: ${changed}  Warnings: 0` };
  });
}

export function executeDelete(stmt: DeleteStmt, env: StatementEnv): StatementResult {
  return finish(deleteSteps(stmt, env));
}

/** DELETE in slices, as updateSteps. */
export function deleteSteps(stmt: DeleteStmt, env: StatementEnv): Generator<Pause, StatementResult> {
  return env.writeSteps(function* (raw) {
    const tx = constrainedTx(raw, env);
    const plan = dmlPlans.plan(stmt, planContext(env, tx));
    if (plan.targets) return yield* executeMultiDelete(plan, env, tx);
    const t = yield* selectTargets(plan, tx, env);
    const table = tx.table(t.def);
    let deleted = 0;
    for (let i = 0; i < t.rows.length; i++) {
      if (i > 0 && i % PAUSE_EVERY === 0) yield PAUSE;
      const row = lockedTarget(table, t.rows[i], t.plan, env);
      // A row a foreign key cascade of this statement already deleted is not counted again.
      if (row !== undefined && table.delete(row)) deleted++;
    }
    return { kind: 'ok', affectedRows: deleted, insertId: 0 };
  });
}
