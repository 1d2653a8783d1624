// A column's default as a value: what INSERT fills in, and what DEFAULT(col) reads in an expression.
import { sqlError } from '../../base/errors.js';
import { formatDateTime } from '../../base/temporal.js';
import type { Value } from '../../base/value.js';
import type { ColumnDef, ColumnDefault } from '../../storage/table-def.js';
import { valueFromJson } from '../../storage/value-json.js';

/** MySQL's implicit default for a NOT NULL column without DEFAULT in non-strict mode. */
export function implicitDefault(col: ColumnDef): Value {
  switch (col.type.kind) {
    case 'char': case 'varchar': case 'tinytext': case 'text': case 'mediumtext': case 'longtext': case 'set': return '';
    case 'enum': return col.type.values?.[0] ?? '';
    case 'binary': case 'varbinary': case 'tinyblob': case 'blob': case 'mediumblob': case 'longblob': return Buffer.alloc(0);
    case 'date': return '0000-00-00';
    case 'datetime': case 'timestamp': return '0000-00-00 00:00:00';
    case 'time': return '00:00:00';
    case 'json': return 'null';
    default: return 0;
  }
}

/** A DEFAULT that is a literal or CURRENT_TIMESTAMP (an expression default is computed per row elsewhere). */
export function fixedDefault(col: ColumnDef, d: Exclude<ColumnDefault, { kind: 'expr' }>, now: Date): Value {
  if (d.kind === 'now') return col.type.kind === 'date' ? formatDateTime(now).slice(0, 10) : formatDateTime(now, d.fsp ?? col.type.fsp ?? 0);
  return valueFromJson(d.value);
}

/**
 * What DEFAULT(col) reads, as MySQL 8 answers it: the literal or CURRENT_TIMESTAMP default; NULL for a nullable
 * column without one (and for a generated column); the type's zero for AUTO_INCREMENT. A NOT NULL column without a
 * default is 1364 and a column with an expression default 3773, whatever the row.
 */
export function defaultFunctionValue(col: ColumnDef): { value: Value } | { now: (now: Date) => Value } {
  if (col.generated) return { value: null };
  const d = col.default;
  if (d === undefined) {
    if (col.nullable) return { value: null };
    if (col.autoIncrement) return { value: implicitDefault(col) };
    throw sqlError('NO_DEFAULT_FOR_FIELD', `Field '${col.name}' doesn't have a default value`);
  }
  if (d.kind === 'expr') throw sqlError('DEFAULT_AS_VAL_GENERATED', 'DEFAULT function cannot be used with default value expressions');
  if (d.kind === 'now') return { now: (now) => fixedDefault(col, d, now) };
  return { value: fixedDefault(col, d, new Date(0)) };
}
