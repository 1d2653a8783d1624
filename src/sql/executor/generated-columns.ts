// Generated columns at write time: their expressions compiled once per table definition, and computed into each row an INSERT, UPDATE or ALTER writes.
import { sqlError } from '../../base/errors.js';
import type { Row } from '../../base/value.js';
import type { TableDef } from '../../storage/table-def.js';
import type { EvalContext, SessionContext } from '../analyzer/eval-context.js';
import { compileExpr, type Compiled } from '../analyzer/compile-expr.js';
import { Scope } from '../analyzer/scope.js';
import { parseExpr } from '../parser/index.js';
import { tableScopeColumns } from '../planner/plan-source.js';
import { storeValue } from './write-row.js';

interface GeneratedEval {
  column: number;
  value: Compiled;
}

/** Definitions are frozen and replaced on DDL, so a compiled list per definition never goes stale. */
const compiled = new WeakMap<TableDef, readonly GeneratedEval[]>();

/** Whether the table has any generated column. */
export function hasGenerated(def: TableDef): boolean {
  return def.columns.some((c) => c.generated !== undefined);
}

/** The table's generated columns in column order, their expressions compiled over a row of the table. */
export function generatedEvals(def: TableDef, session: SessionContext): readonly GeneratedEval[] {
  let list = compiled.get(def);
  if (list) return list;
  const scope = new Scope(tableScopeColumns(def, def.name));
  const out: GeneratedEval[] = [];
  def.columns.forEach((c, i) => {
    if (c.generated) out.push({ column: i, value: compileExpr(parseExpr(c.generated.expr), { scope, session, clause: 'generated column function' }) });
  });
  list = Object.freeze(out);
  compiled.set(def, list);
  return list;
}

/** Computes every generated column of `row` in place, in column order (later ones see earlier results), with the column's NOT NULL and type rules. */
export function computeGenerated(def: TableDef, row: Row, ctx: EvalContext): void {
  for (const g of generatedEvals(def, ctx.session)) row[g.column] = storeValue(def.columns[g.column], g.value.eval(row, ctx), ctx);
}

/** 3105: a generated column may only be written as DEFAULT. */
/**
 * Whether an INSERT's value for generated column `column` is dropped: under a strict sql_mode it
 * is error 3105 (MySQL 8); otherwise it is ignored with warning 1906, as MariaDB does, so the
 * dumps mariadb-dump writes (generated values in every INSERT, loaded without strict mode) load.
 */
export function ignoreGivenGenerated(def: TableDef, column: number, ctx: EvalContext): void {
  if (ctx.strict) throw nonDefaultGenerated(def, column);
  ctx.session.warn(1906, `The value specified for generated column '${def.columns[column].name}' in table '${def.name}' has been ignored`);
}

export function nonDefaultGenerated(def: TableDef, column: number): Error {
  return sqlError('NON_DEFAULT_VALUE_FOR_GENERATED_COLUMN', `The value specified for generated column '${def.columns[column].name}' in table '${def.name}' is not allowed.`);
}
