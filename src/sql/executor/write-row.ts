// Turning assigned values into a storable row: defaults, AUTO_INCREMENT, NOT NULL checks and type coercion.
import { sqlError } from '../../base/errors.js';
import type { ColumnDef, TableDef } from '../../storage/table-def.js';
import { coerceValue } from '../types/coerce.js';
import { evalExpressionDefault } from './expression-defaults.js';
import type { Row, Value } from '../../base/value.js';
import type { EvalContext } from '../analyzer/eval-context.js';
import { fixedDefault, implicitDefault } from '../analyzer/column-default.js';

/** Errors UPDATE IGNORE turns into warnings, skipping the row: duplicate key, foreign key (1451/1452), CHECK (3819). */
export const UPDATE_IGNORABLE: ReadonlySet<number> = new Set([1062, 1451, 1452, 3819]);

/**
 * The value a column gets when an INSERT does not give one (or says DEFAULT). An expression default
 * is computed for this row: given the table, the column's position and the row, it may read other columns.
 */
export function defaultValue(col: ColumnDef, ctx: EvalContext, strictCheck: boolean, def?: TableDef, column = -1, row?: Row): Value {
  const d = col.default;
  if (d === undefined) {
    if (col.nullable || col.autoIncrement) return null;
    if (strictCheck && ctx.strict) throw sqlError('NO_DEFAULT_FOR_FIELD', `Field '${col.name}' doesn't have a default value`);
    if (strictCheck) ctx.session.warn(1364, `Field '${col.name}' doesn't have a default value`);
    return implicitDefault(col);
  }
  if (d.kind === 'expr') return evalExpressionDefault(def, column, d.expr, row, ctx);
  return fixedDefault(col, d, ctx.now);
}

/** Coerces one value into a column, enforcing NOT NULL (1048 in strict mode, or the implicit default with a warning). */
export function storeValue(col: ColumnDef, v: Value, ctx: EvalContext): Value {
  if (v === null) {
    if (col.nullable) return null;
    if (ctx.strict) throw sqlError('BAD_NULL', `Column '${col.name}' cannot be null`);
    ctx.session.warn(1048, `Column '${col.name}' cannot be null`);
    return implicitDefault(col);
  }
  return coerceValue(v, col.type, {
    mode: 'store',
    strict: ctx.strict,
    column: col.name,
    rowNumber: ctx.rowNumber,
    warn: (code, message) => ctx.session.warn(code, message),
  });
}

/** Index of the AUTO_INCREMENT column, or -1. */
export function autoIncrementColumn(def: TableDef): number {
  return def.columns.findIndex((c) => c.autoIncrement);
}

/** Whether a value asks for a generated AUTO_INCREMENT value (NULL or 0, as without NO_AUTO_VALUE_ON_ZERO). */
export function wantsGeneratedId(v: Value): boolean {
  return v === null || v === 0 || v === 0n || (typeof v === 'string' && v.trim() === '0');
}

/** Whether a stored value is unchanged (decides "Changed" counts and affected rows, as MySQL does). */
export function sameStoredValue(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return typeof a === typeof b && String(a) === String(b);
}

export type { Row };
