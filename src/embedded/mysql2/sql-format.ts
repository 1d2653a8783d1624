// mysql2's client-side SQL text helpers (escaping, `?`/`??` placeholders), one place for the connection, the pool and the module.
import SqlString from 'sqlstring';

export const escape = (v: unknown): string => SqlString.escape(v, false, 'local');
export const escapeId = (v: string): string => SqlString.escapeId(v);
export const format = (sql: string, values?: unknown): string => (values === undefined ? sql : SqlString.format(sql, values as unknown[], false, 'local'));
export const raw = (sql: string): { toSqlString(): string } => SqlString.raw(sql);
