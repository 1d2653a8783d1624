// The change log as people and scripts read it: one JSON object per transaction, or replayable SQL.
import type { Change, RowChange, Transaction, Value } from './gen/mizzle/replication/v1/change_log_pb.js';
import { RowChange_Kind } from './gen/mizzle/replication/v1/change_log_pb.js';
import { quoteIdentifier } from '../../base/identifier.js';

/** A JSON value: integers as numbers while exact, else as strings; bytes as {base64}. */
type JsonOut = null | number | string | { base64: string };

export function valueToJson(v: Value): JsonOut {
  switch (v.kind.case) {
    case 'int':
    case 'uint': {
      const n = v.kind.value;
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
    }
    case 'double':
      return v.kind.value;
    case 'string':
    case 'decimal':
    case 'temporal':
      return v.kind.value;
    case 'bytes':
      return { base64: Buffer.from(v.kind.value).toString('base64') };
    default:
      return null;
  }
}

function image(columns: readonly string[], values: readonly Value[]): Record<string, JsonOut> {
  const out: Record<string, JsonOut> = {};
  for (let i = 0; i < values.length; i++) out[columns[i] ?? `col${i}`] = valueToJson(values[i]);
  return out;
}

const KIND_NAMES: Record<number, string> = { [RowChange_Kind.INSERT]: 'insert', [RowChange_Kind.UPDATE]: 'update', [RowChange_Kind.DELETE]: 'delete' };

function changeToJson(c: Change): Record<string, unknown> {
  if (c.change.case === 'ddl') {
    const d = c.change.value;
    return { type: 'ddl', schema: d.schema, statement: d.statement, tables: d.tables.map((t) => `${t.schema}.${t.name}`), dropped: d.droppedTables };
  }
  const r = c.change.value as RowChange;
  const out: Record<string, unknown> = { type: KIND_NAMES[r.kind] ?? 'unknown', schema: r.schema, table: r.table };
  if (r.before.length > 0) out.before = image(r.columns, r.before);
  if (r.after.length > 0) out.after = image(r.columns, r.after);
  return out;
}

/** The id as MySQL writes a GTID: `server_uuid:sequence`. */
export function commitIdText(t: Transaction): string {
  return `${t.id?.serverUuid ?? ''}:${t.id?.sequence ?? 0n}`;
}

/** One transaction as one line of JSON (the shape the Python reader in test/ prints too). */
export function transactionToJson(t: Transaction): string {
  return JSON.stringify({ id: commitIdText(t), commit_time_ms: Number(t.commitTimeMs), origin: t.originServerUuid, changes: t.changes.map(changeToJson) });
}


const ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\0': '\\0', '\n': '\\n', '\r': '\\r', '\x1a': '\\Z' };

function quoteString(s: string): string {
  return "'" + s.replace(/[\\'\0\n\r\x1a]/g, (c) => ESCAPES[c]) + "'";
}

/** A value as an SQL literal. */
export function valueToSql(v: Value): string {
  switch (v.kind.case) {
    case 'int':
    case 'uint':
    case 'decimal':
      return String(v.kind.value);
    case 'double':
      return String(v.kind.value);
    case 'string':
    case 'temporal':
      return quoteString(v.kind.value);
    case 'bytes':
      return v.kind.value.length === 0 ? "''" : `X'${Buffer.from(v.kind.value).toString('hex')}'`;
    default:
      return 'NULL';
  }
}

/** `col = v AND ...` over the key columns (all columns when the table has no key). */
function whereClause(r: RowChange): string {
  const positions = r.keyColumns.length > 0 ? r.keyColumns : r.columns.map((_, i) => i);
  return positions
    .map((i) => {
      const v = r.before[i];
      return v.kind.case === 'null' || v.kind.case === undefined ? `${quoteIdentifier(r.columns[i])} IS NULL` : `${quoteIdentifier(r.columns[i])} = ${valueToSql(v)}`;
    })
    .join(' AND ') + (r.keyColumns.length > 0 ? '' : ' LIMIT 1');
}

/**
 * One row change as the statement that redoes it (without a trailing `;`), touching exactly that
 * row; undefined for an UPDATE that changed no value.
 */
export function rowChangeToSql(r: RowChange): string | undefined {
  const table = `${quoteIdentifier(r.schema)}.${quoteIdentifier(r.table)}`;
  switch (r.kind) {
    case RowChange_Kind.INSERT:
      return `INSERT INTO ${table} (${r.columns.map(quoteIdentifier).join(', ')}) VALUES (${r.after.map(valueToSql).join(', ')})`;
    case RowChange_Kind.UPDATE: {
      const sets: string[] = [];
      for (let i = 0; i < r.after.length; i++) {
        if (valueToSql(r.after[i]) !== valueToSql(r.before[i])) sets.push(`${quoteIdentifier(r.columns[i])} = ${valueToSql(r.after[i])}`);
      }
      if (sets.length === 0) return undefined;
      return `UPDATE ${table} SET ${sets.join(', ')} WHERE ${whereClause(r)}`;
    }
    default:
      return `DELETE FROM ${table} WHERE ${whereClause(r)}`;
  }
}

function rowToSql(r: RowChange): string {
  const sql = rowChangeToSql(r);
  return sql === undefined ? `-- UPDATE of ${quoteIdentifier(r.schema)}.${quoteIdentifier(r.table)} changed nothing` : sql + ';';
}

/**
 * One transaction as statements that redo it: row changes inside BEGIN/COMMIT, schema changes
 * as their own statements after USE of the schema they ran in.
 */
export function transactionToSql(t: Transaction): string {
  const lines = [`-- ${commitIdText(t)} committed ${new Date(Number(t.commitTimeMs)).toISOString()}`];
  let open = false;
  for (const c of t.changes) {
    if (c.change.case === 'ddl') {
      if (open) lines.push('COMMIT;');
      open = false;
      if (c.change.value.schema !== '') lines.push(`USE ${quoteIdentifier(c.change.value.schema)};`);
      lines.push(c.change.value.statement.replace(/;\s*$/, '') + ';');
    } else if (c.change.case === 'row') {
      if (!open) lines.push('BEGIN;');
      open = true;
      lines.push(rowToSql(c.change.value));
    }
  }
  if (open) lines.push('COMMIT;');
  return lines.join('\n');
}
