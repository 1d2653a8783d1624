// INSERT, INSERT IGNORE, REPLACE and INSERT ... ON DUPLICATE KEY UPDATE.
import { SqlError, sqlError } from '../../base/errors.js';
import type { StatementResult } from '../../base/result.js';
import { isDefaultKeyword, type Assignment, type Expr, type InsertStmt } from '../parser/ast.js';
import { Scope } from '../analyzer/scope.js';
import { compileExpr, type Compiled, type CompileEnv } from '../analyzer/compile-expr.js';
import type { TableDef } from '../../storage/table-def.js';
import type { Row, Value } from '../../base/value.js';
import { runQuerySteps } from './query.js';
import { finish, PAUSE, PAUSE_EVERY, type Pause } from './pause.js';
import { resolveTableName, tableScopeColumns } from '../planner/plan-source.js';
import type { StatementEnv, TableWriter } from './statement-env.js';
import { computeGenerated, hasGenerated, ignoreGivenGenerated, nonDefaultGenerated } from './generated-columns.js';
import { constrainedTx } from './constraint-writer.js';
import { autoIncrementColumn, defaultValue, sameStoredValue, storeValue, wantsGeneratedId } from './write-row.js';

/** Maps the statement's column list to table column positions (1054 for unknown, 1110 for repeats). */
function targetColumns(def: TableDef, names: string[] | undefined): number[] {
  if (!names) return def.columns.map((_, i) => i);
  const seen = new Set<number>();
  return names.map((n) => {
    const i = def.columns.findIndex((c) => c.name.toLowerCase() === n.toLowerCase());
    if (i < 0) throw sqlError('BAD_FIELD', `Unknown column '${n}' in 'field list'`);
    if (seen.has(i)) throw sqlError('FIELD_SPECIFIED_TWICE', `Column '${def.columns[i].name}' specified twice`);
    seen.add(i);
    return i;
  });
}

export function executeInsert(stmt: InsertStmt, env: StatementEnv): StatementResult {
  return finish(insertSteps(stmt, env));
}

/** INSERT / REPLACE in slices: the SELECT of INSERT ... SELECT and the rows written pause every PAUSE_EVERY rows. */
export function insertSteps(stmt: InsertStmt, env: StatementEnv): Generator<Pause, StatementResult> {
  return env.writeSteps(function* (raw) {
    const tx = constrainedTx(raw, env);
    const found = resolveTableName({ session: env.session, catalog: tx.catalog }, stmt.table.schema, stmt.table.name);
    if (!found.table) throw sqlError('NON_INSERTABLE_TABLE', `The target table ${stmt.table.name} of the INSERT is not insertable-into`);
    const def = found.table;
    const table = tx.table(def);
    const ctx = env.ctx;
    // VALUES reads no column; DEFAULT(col) in it names the target table's.
    const emptyEnv: CompileEnv = { scope: new Scope([]), defaultScope: new Scope(tableScopeColumns(def, def.name)), session: env.session, clause: 'field list', text: env.text };

    // Source rows: evaluated lists of values (undefined = DEFAULT) for the target columns.
    let columns: number[];
    let sourceRows: (Value | undefined)[][];
    if (stmt.set) {
      columns = targetColumns(def, stmt.set.map((a) => a.column.column));
      sourceRows = [stmt.set.map((a) => evalInsertValue(a.value, emptyEnv, ctx, 1))];
    } else if (stmt.query) {
      columns = targetColumns(def, stmt.columns);
      const query = stmt.query;
      const result = yield* env.readSteps((rtx) => runQuerySteps(query, env, rtx));
      if (result.columns.length !== columns.length) throw sqlError('WRONG_VALUE_COUNT_ON_ROW', "Column count doesn't match value count at row 1");
      sourceRows = result.rows;
    } else {
      columns = targetColumns(def, stmt.columns);
      const rows = stmt.rows ?? [];
      sourceRows = [];
      for (let r = 0; r < rows.length; r++) {
        const exprs = rows[r];
        if (exprs.length !== columns.length && !(exprs.length === 0 && !stmt.columns)) {
          throw sqlError('WRONG_VALUE_COUNT_ON_ROW', `Column count doesn't match value count at row ${r + 1}`);
        }
        const values: (Value | undefined)[] = [];
        for (let i = 0; i < exprs.length; i++) values.push(evalInsertValue(exprs[i], emptyEnv, ctx, r + 1));
        sourceRows.push(values);
      }
    }

    const aiCol = autoIncrementColumn(def);
    const generatedCols = hasGenerated(def);
    const hasExpressionDefaults = def.columns.some((c) => c.default?.kind === 'expr');
    let affected = 0;
    let firstGenerated: number | bigint | undefined;
    const updates = stmt.onDuplicate ? compileUpdates(stmt, stmt.onDuplicate, def, columns, env) : undefined;
    let duplicates = 0;
    let skipped = 0;

    for (let r = 0; r < sourceRows.length; r++) {
      if (r > 0 && r % PAUSE_EVERY === 0) yield PAUSE;
      ctx.rowNumber = r + 1;
      const src = sourceRows[r];
      const given = new Array<boolean>(def.columns.length).fill(false);
      const row: Row = new Array(def.columns.length);
      for (let i = 0; i < columns.length; i++) {
        if (src[i] === undefined) continue;
        if (def.columns[columns[i]].generated) {
          ignoreGivenGenerated(def, columns[i], ctx);
          continue;
        }
        given[columns[i]] = true;
        row[columns[i]] = src[i] as Value;
      }
      // Expression defaults last, in column order: they may read the row's other columns, plain defaults included.
      for (let c = 0; c < def.columns.length; c++) {
        if (!given[c]) row[c] = def.columns[c].generated || def.columns[c].default?.kind === 'expr' ? null : defaultValue(def.columns[c], ctx, c !== aiCol);
      }
      if (hasExpressionDefaults) {
        for (let c = 0; c < def.columns.length; c++) if (!given[c] && def.columns[c].default?.kind === 'expr') row[c] = defaultValue(def.columns[c], ctx, true, def, c, row);
      }
      try {
        let generated = false;
        if (aiCol >= 0) {
          if (wantsGeneratedId(row[aiCol])) {
            row[aiCol] = table.nextAutoIncrement(1);
            generated = true;
          }
        }
        for (let c = 0; c < def.columns.length; c++) if (!def.columns[c].generated) row[c] = storeValue(def.columns[c], row[c], ctx);
        if (generatedCols) computeGenerated(def, row, ctx);
        if (aiCol >= 0) {
          const id = row[aiCol] as number | bigint;
          if (generated) {
            if (firstGenerated === undefined) firstGenerated = id;
          } else table.observeAutoIncrement(id);
        }
        affected += writeRow(stmt, table, row, updates, env, () => duplicates++);
      } catch (e) {
        if (stmt.ignore && e instanceof SqlError && (e.code === 1062 || e.code === 1048 || e.code === 1264 || e.code === 1406 || e.code === 1366 || e.code === 1452 || e.code === 3819)) {
          env.session.warn(e.code, e.message);
          skipped++;
          continue;
        }
        throw e;
      }
    }
    if (firstGenerated !== undefined) env.session.lastInsertId = firstGenerated;
    const insertId = firstGenerated ?? 0;
    const multi = sourceRows.length > 1 || !!stmt.query;
    const info = multi ? `Records: ${sourceRows.length}  Duplicates: ${duplicates + skipped}  Warnings: ${0}` : undefined;
    return { kind: 'ok', affectedRows: affected, insertId, info };
  });
}

/** Evaluates one VALUES item; DEFAULT yields undefined so the column default applies (DEFAULT(col) is an expression). */
function evalInsertValue(e: Expr, env: CompileEnv, ctx: StatementEnv['ctx'], row: number): Value | undefined {
  if (isDefaultKeyword(e)) return undefined;
  ctx.rowNumber = row;
  return compileExpr(e, env).eval([], ctx);
}

interface CompiledUpdates {
  assignments: { column: number; value: Compiled }[];
}

/**
 * ON DUPLICATE KEY UPDATE assignments are evaluated over [existing row..., new row...]:
 * plain column names read the existing row; VALUES(col) and the row alias (`AS new`, `new.col`)
 * read the row that was to be inserted. With `AS new(m, n)` the inserted columns are also
 * reachable as m and n, unqualified when no table column has that name (MySQL 8.0.19's form).
 */
function compileUpdates(stmt: InsertStmt, assignments: Assignment[], def: TableDef, columns: number[], env: StatementEnv): CompiledUpdates {
  const cols = tableScopeColumns(def, def.name);
  const newRow = stmt.rowAlias ?? '\u0000new';
  const aliasNames = stmt.rowAliasColumns;
  if (aliasNames && aliasNames.length !== columns.length) throw sqlError('WRONG_VALUE_COUNT_ON_ROW', "Column count doesn't match value count at row 1");
  const newNames = cols.map((c) => c.name);
  if (aliasNames) {
    // Columns the alias list does not name cannot be reached through the alias.
    for (let i = 0; i < newNames.length; i++) newNames[i] = '\u0000' + newNames[i];
    for (let k = 0; k < columns.length; k++) newNames[columns[k]] = aliasNames[k];
  }
  const tableNames = new Set(cols.map((c) => c.name.toLowerCase()));
  const newCols = cols.map((c, i) => ({
    ...c, name: newNames[i], table: newRow, hidden: true,
    // Unqualified names mean the existing row, except an alias-list name no table column has.
    usingDuplicate: !aliasNames || tableNames.has(newNames[i].toLowerCase()),
  }));
  const scope = new Scope([...cols, ...newCols]);
  const rewrite = (e: Expr): Expr => {
    const valuesOf = e.type === 'call' && e.name === 'VALUES' && e.args.length === 1 ? e.args[0] : undefined;
    if (valuesOf?.type === 'column') {
      const name = valuesOf.column;
      const i = def.columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase());
      if (i < 0) throw sqlError('BAD_FIELD', `Unknown column '${name}' in 'field list'`);
      return { type: 'column', table: newRow, column: newNames[i] };
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e)) {
      out[k] = Array.isArray(v) ? v.map((x) => (x && typeof x === 'object' && 'type' in x ? rewrite(x as Expr) : x)) : v && typeof v === 'object' && 'type' in v && !Buffer.isBuffer(v) ? rewrite(v as Expr) : v;
    }
    return out as unknown as Expr;
  };
  const cenv: CompileEnv = { scope, session: env.session, clause: 'field list', text: env.text };
  const out: CompiledUpdates = { assignments: [] };
  for (const a of assignments) {
    const i = def.columns.findIndex((c) => c.name.toLowerCase() === a.column.column.toLowerCase());
    if (i < 0) throw sqlError('BAD_FIELD', `Unknown column '${a.column.column}' in 'field list'`);
    if (def.columns[i].generated) {
      // A generated column may be "set" to DEFAULT only; it is computed again anyway.
      if (!isDefaultKeyword(a.value)) throw nonDefaultGenerated(def, i);
      continue;
    }
    out.assignments.push({ column: i, value: compileExpr(rewrite(a.value), cenv) });
  }
  return out;
}

/** Writes one prepared row honoring REPLACE / ON DUPLICATE KEY UPDATE; returns its affected-rows contribution. */
function writeRow(stmt: InsertStmt, table: TableWriter, row: Row, updates: CompiledUpdates | undefined, env: StatementEnv, onDuplicate: () => void): number {
  if (!stmt.replace && !updates) {
    table.insert(row);
    return 1;
  }
  const conflicts = table.findConflicts(row);
  if (conflicts.length === 0) {
    table.insert(row);
    return 1;
  }
  onDuplicate();
  if (stmt.replace) {
    for (const old of conflicts) table.delete(old);
    table.insert(row);
    return 1 + conflicts.length;
  }
  const old = conflicts[0];
  const combined = [...old, ...row];
  const next = old.slice();
  const def = table.def;
  for (const a of (updates as CompiledUpdates).assignments) {
    next[a.column] = storeValue(def.columns[a.column], a.value.eval(combined, env.ctx), env.ctx);
    combined[a.column] = next[a.column];
  }
  if (hasGenerated(def)) computeGenerated(def, next, env.ctx);
  const changed = next.some((v, i) => !sameStoredValue(v, old[i]));
  if (!changed) {
    table.lockRow(old);
    return 0;
  }
  table.update(old, next);
  const ai = autoIncrementColumn(def);
  if (ai >= 0 && next[ai] !== null) env.session.lastInsertId = next[ai] as number | bigint;
  return 2;
}
