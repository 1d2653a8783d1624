// Multi-table UPDATE and DELETE: the joined rows are read first (in slices), then each matched row of each target table is written once.
import { SqlError } from '../../base/errors.js';
import type { StatementResult } from '../../base/result.js';
import type { Row, Value } from '../../base/value.js';
import { Decimal } from '../../base/decimal.js';
import { formatDateTime } from '../../base/temporal.js';
import type { TableDef } from '../../storage/table-def.js';
import type { StoredRow } from '../../storage/table-store.js';
import type { DmlPlan, DmlTargetPlan } from '../planner/plan.js';
import { toBoolean } from '../types/convert.js';
import { sourceRows } from './source.js';
import { drain, PAUSE, type Pause } from './pause.js';
import type { StatementEnv, WriteTx } from './statement-env.js';
import { defaultValue, sameStoredValue, storeValue, UPDATE_IGNORABLE } from './write-row.js';
import { computeGenerated, hasGenerated } from './generated-columns.js';

/** Exact identity of stored values (no collation folding: 'a' and 'A' are different rows of a table without a key). */
function exactKey(values: readonly Value[]): string {
  let k = '';
  for (const v of values) {
    if (v === null) k += 'N|';
    else if (typeof v === 'string') k += `s${v.length}:${v}|`;
    else if (Buffer.isBuffer(v)) k += `b${v.toString('hex')}|`;
    else if (v instanceof Decimal) k += `d${v.toString()}|`;
    else k += `n${String(v)}|`;
  }
  return k;
}

/** One stored row a target's slice of a joined row stands for, with its identity within the table. */
interface Matched {
  key: string;
  row: StoredRow;
}

/**
 * Finds the stored rows behind a target's slice of joined rows. A table with a primary key is
 * identified by it (a NULL key is the NULL side of an outer join: no row). Rows of a table without
 * one carry a hidden row id the join does not keep, so the table is read once and its rows are
 * found by their values: identical rows match identically, so all of them are written.
 */
class RowFinder {
  private byValues: Map<string, StoredRow[]> | undefined;
  private readonly pk: readonly number[] | undefined;

  constructor(private readonly target: DmlTargetPlan, private readonly tx: WriteTx) {
    this.pk = target.def.primaryKey?.columns;
  }

  find(joined: Row): Matched[] {
    const { offset, def } = this.target;
    const slice = joined.slice(offset, offset + def.columns.length);
    if (this.pk !== undefined) {
      const key = this.pk.map((c) => slice[c]);
      return key.some((v) => v === null) ? [] : [{ key: exactKey(key), row: slice }];
    }
    return this.stored().get(exactKey(slice))?.map((row, i) => ({ key: `${exactKey(slice)}#${i}`, row })) ?? [];
  }

  private stored(): Map<string, StoredRow[]> {
    if (this.byValues) return this.byValues;
    const map = new Map<string, StoredRow[]>();
    for (const row of this.tx.table(this.target.def).scan(undefined)) {
      const k = exactKey(row);
      const list = map.get(k);
      if (list) list.push(row);
      else map.set(k, [row]);
    }
    return (this.byValues = map);
  }
}

/**
 * The joined rows the WHERE keeps, all read before anything is written, pausing between slices
 * of the join. When it paused, other sessions may have changed the rows it read meanwhile: every
 * target row it found is then locked and compared with its newest version, and if any changed
 * (or a target has no primary key to lock it by), the join is read again in one go, now that
 * its target rows are locked. The writes that follow do not pause, so they use what it read.
 */
function* joinedRows(plan: DmlPlan, env: StatementEnv, tx: WriteTx): Generator<Pause, Row[]> {
  let paused = false;
  const rows: Row[] = [];
  const cond = plan.where;
  for (const row of sourceRows(plan.source, env, tx)) {
    if (row === PAUSE) {
      paused = true;
      yield PAUSE;
      continue;
    }
    if (cond && toBoolean(cond.eval(row, env.ctx)) !== true) continue;
    rows.push(row);
  }
  if (!paused || targetsCurrent(plan.targets ?? [], rows, tx)) return rows;
  return drain(keptRows(plan, env, tx));
}

function* keptRows(plan: DmlPlan, env: StatementEnv, tx: WriteTx): Generator<Row | Pause> {
  const cond = plan.where;
  for (const row of sourceRows(plan.source, env, tx)) if (row === PAUSE || !cond || toBoolean(cond.eval(row, env.ctx)) === true) yield row;
}

/** Locks every target row the joined rows stand for; whether each is still as the join read it. */
function targetsCurrent(targets: readonly DmlTargetPlan[], rows: readonly Row[], tx: WriteTx): boolean {
  let current = true;
  for (const target of targets) {
    const pk = target.def.primaryKey?.columns;
    if (pk === undefined) return false;
    const table = tx.table(target.def);
    const width = target.def.columns.length;
    for (const joined of rows) {
      const slice = joined.slice(target.offset, target.offset + width);
      // The NULL side of an outer join: no row.
      if (pk.some((c) => slice[c] === null)) continue;
      const now = table.lockCurrent(slice);
      if (now !== slice && (now === undefined || !now.every((v, i) => sameStoredValue(v, slice[i])))) current = false;
    }
  }
  return current;
}

/** A row an UPDATE changes: as stored, and as it will be. */
interface Pending {
  def: TableDef;
  old: StoredRow;
  next: Row;
  /** Columns the SET list wrote (ON UPDATE CURRENT_TIMESTAMP leaves those alone). */
  assigned: Set<number>;
}

/** Multi-table UPDATE: each target row takes the values of the first joined row that matches it. */
export function* executeMultiUpdate(plan: DmlPlan, ignore: boolean, env: StatementEnv, tx: WriteTx): Generator<Pause, StatementResult> {
  const targets = plan.targets ?? [];
  const finders = targets.map((t) => new RowFinder(t, tx));
  const ctx = env.ctx;
  // Per physical row (table id + identity); the same table under two aliases shares its rows.
  const pending = new Map<string, Pending>();
  const taken = targets.map(() => new Set<string>());
  let n = 0;
  for (const joined of yield* joinedRows(plan, env, tx)) {
    ctx.rowNumber = ++n;
    const matches = finders.map((f) => f.find(joined));
    // Assignments apply left to right over the joined row; later ones see earlier results.
    const work = joined.slice();
    const fresh = targets.map((_, t) => matches[t].filter((m) => !taken[t].has(m.key)));
    for (const a of plan.assignments) {
      const t = a.target ?? 0;
      if (fresh[t].length === 0) continue;
      const target = targets[t];
      const col = target.def.columns[a.column];
      const value = storeValue(col, a.value ? a.value.eval(work, ctx) : defaultValue(col, ctx, false, target.def, a.column, work.slice(target.offset, target.offset + target.def.columns.length)), ctx);
      work[target.offset + a.column] = value;
      for (const m of fresh[t]) {
        const id = `${target.def.id}:${m.key}`;
        let p = pending.get(id);
        if (!p) pending.set(id, (p = { def: target.def, old: m.row, next: m.row.slice(), assigned: new Set() }));
        p.next[a.column] = value;
        p.assigned.add(a.column);
      }
    }
    for (let t = 0; t < targets.length; t++) for (const m of fresh[t]) taken[t].add(m.key);
  }
  let changed = 0;
  for (const p of pending.values()) if (writeUpdate(p, ignore, env, tx)) changed++;
  const affected = env.session.matchedRowsAsAffected ? pending.size : changed;
  return { kind: 'ok', affectedRows: affected, insertId: 0, info: `Rows matched: ${pending.size}  Changed: ${changed}  Warnings: 0` };
}

/** Writes one pending change; false when the row is unchanged (it is still locked) or IGNORE skipped a duplicate key. */
function writeUpdate(p: Pending, ignore: boolean, env: StatementEnv, tx: WriteTx): boolean {
  const table = tx.table(p.def);
  const ctx = env.ctx;
  const generated = hasGenerated(p.def);
  if (generated) computeGenerated(p.def, p.next, ctx);
  if (p.next.every((v, i) => sameStoredValue(v, p.old[i]))) {
    table.lockRow(p.old);
    return false;
  }
  // Columns declared ON UPDATE CURRENT_TIMESTAMP take the statement time when the row changes and they were not set.
  p.def.columns.forEach((c, i) => {
    if (c.onUpdateNow && !p.assigned.has(i)) p.next[i] = storeValue(c, formatDateTime(ctx.now, c.type.fsp ?? 0), ctx);
  });
  if (generated) computeGenerated(p.def, p.next, ctx);
  try {
    table.update(p.old, p.next);
    return true;
  } catch (e) {
    if (ignore && e instanceof SqlError && UPDATE_IGNORABLE.has(e.code)) {
      env.session.warn(e.code, e.message);
      return false;
    }
    throw e;
  }
}

/** Multi-table DELETE: every row of a target table that some joined row matched, deleted once. */
export function* executeMultiDelete(plan: DmlPlan, env: StatementEnv, tx: WriteTx): Generator<Pause, StatementResult> {
  const targets = plan.targets ?? [];
  const finders = targets.map((t) => new RowFinder(t, tx));
  const doomed = new Map<string, { def: TableDef; row: StoredRow }>();
  for (const joined of yield* joinedRows(plan, env, tx)) {
    targets.forEach((target, t) => {
      for (const m of finders[t].find(joined)) {
        const id = `${target.def.id}:${m.key}`;
        if (!doomed.has(id)) doomed.set(id, { def: target.def, row: m.row });
      }
    });
  }
  let deleted = 0;
  // A row a foreign key cascade of this statement already deleted is not counted again.
  for (const d of doomed.values()) if (tx.table(d.def).delete(d.row)) deleted++;
  return { kind: 'ok', affectedRows: deleted, insertId: 0 };
}
