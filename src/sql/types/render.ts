// Renders a column type as SQL text, as SHOW COLUMNS and SHOW CREATE TABLE print it (MySQL 8 style).
import type { SqlType } from '../../base/sql-type.js';

function quoteList(values: readonly string[]): string {
  return values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',');
}

export function renderType(t: SqlType): string {
  let s: string;
  switch (t.kind) {
    case 'tinyint':
      s = t.boolean || t.length === 1 ? 'tinyint(1)' : 'tinyint';
      break;
    case 'smallint': case 'mediumint': case 'int': case 'bigint':
      s = t.zerofill && t.length ? `${t.kind}(${t.length})` : t.kind;
      break;
    case 'decimal':
      s = `decimal(${t.precision ?? 10},${t.scale ?? 0})`;
      break;
    case 'float': case 'double':
      s = t.precision !== undefined && t.scale !== undefined ? `${t.kind}(${t.precision},${t.scale})` : t.kind;
      break;
    case 'char': case 'binary':
      s = `${t.kind}(${t.length ?? 1})`;
      break;
    case 'varchar': case 'varbinary':
      s = `${t.kind}(${t.length ?? 0})`;
      break;
    case 'bit':
      s = `bit(${t.length ?? 1})`;
      break;
    case 'datetime': case 'timestamp': case 'time':
      s = t.fsp ? `${t.kind}(${t.fsp})` : t.kind;
      break;
    case 'enum': case 'set':
      s = `${t.kind}(${quoteList(t.values ?? [])})`;
      break;
    default:
      s = t.kind;
  }
  if (t.unsigned) s += ' unsigned';
  if (t.zerofill) s += ' zerofill';
  return s;
}
