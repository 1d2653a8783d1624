// The tables (and schemas) a statement touches and the privilege each needs: for authorization and query filters.
import type { Statement, TableName } from '../parser/ast.js';

/** One object a statement touches, with the MySQL privilege name it needs. */
export interface ObjectAccess {
  object: 'schema' | 'table';
  schema: string;
  /** Set for `table`. */
  table?: string;
  action: string;
}

/**
 * What `stmt` reads and writes. Tables without a schema resolve to
 * `defaultSchema`; when there is none, they are left out (the statement fails
 * with 1046 on its own). Names of common table expressions are not tables.
 */
export function statementAccess(stmt: Statement, defaultSchema: string | null): ObjectAccess[] {
  const out: ObjectAccess[] = [];
  const seen = new Set<string>();
  const cteNames = new Set<string>();
  const add = (t: TableName, action: string) => {
    if (t.schema === undefined && cteNames.has(t.name.toLowerCase())) return;
    const schema = t.schema ?? defaultSchema;
    if (schema === null) return;
    const key = `${action}\u0000${schema}\u0000${t.name}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ object: 'table', schema, table: t.name, action });
  };
  const addSchema = (schema: string | null | undefined, action: string) => {
    if (schema === null || schema === undefined) return;
    const key = `${action}\u0000${schema}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ object: 'schema', schema, action });
  };
  /** Every table named anywhere below `node` (FROM clauses, joins, subqueries) is read. */
  const reads = (node: unknown, skip?: ReadonlySet<unknown>) => {
    collectTableNames(node, (t) => {
      if (!skip?.has(t)) add(t, 'SELECT');
    }, cteNames);
  };

  switch (stmt.type) {
    case 'select': case 'setop': case 'values': case 'with':
      reads(stmt);
      break;
    case 'insert':
      add(stmt.table, 'INSERT');
      if (stmt.replace) add(stmt.table, 'DELETE');
      if (stmt.onDuplicate) add(stmt.table, 'UPDATE');
      reads({ rows: stmt.rows, query: stmt.query, set: stmt.set, onDuplicate: stmt.onDuplicate });
      break;
    case 'update': {
      // Every table of a multi-table UPDATE may be changed; the parser does not say which, so all need UPDATE.
      const targets = new Set<unknown>();
      collectTableNames(stmt.tables, (t) => {
        targets.add(t);
        add(t, 'UPDATE');
      }, cteNames, false);
      reads(stmt, targets);
      break;
    }
    case 'delete': {
      const targets = new Set<unknown>();
      for (const t of stmt.table ? [stmt.table] : stmt.targets ?? []) {
        targets.add(t);
        add(t, 'DELETE');
      }
      // Multi-table DELETE names targets by alias; the FROM list says which tables they are.
      reads(stmt, targets);
      break;
    }
    case 'createTable':
      add(stmt.table, 'CREATE');
      if (stmt.like) add(stmt.like, 'SELECT');
      if (stmt.asQuery) reads(stmt.asQuery);
      break;
    case 'dropTable':
      for (const t of stmt.tables) add(t, 'DROP');
      break;
    case 'truncate':
      add(stmt.table, 'DROP');
      break;
    case 'createIndex': case 'dropIndex':
      add(stmt.table, 'INDEX');
      break;
    case 'alterTable':
      add(stmt.table, 'ALTER');
      for (const a of stmt.actions) {
        if (a.kind === 'renameTable') {
          add(stmt.table, 'DROP');
          add(a.to, 'CREATE');
        }
      }
      break;
    case 'renameTable':
      for (const r of stmt.renames) {
        add(r.from, 'ALTER');
        add(r.from, 'DROP');
        add(r.to, 'CREATE');
      }
      break;
    case 'createView':
      add(stmt.name, 'CREATE VIEW');
      reads(stmt.query);
      break;
    case 'dropView':
      for (const t of stmt.names) add(t, 'DROP');
      break;
    case 'createDatabase':
      addSchema(stmt.name, 'CREATE');
      break;
    case 'dropDatabase':
      addSchema(stmt.name, 'DROP');
      break;
    case 'use':
      addSchema(stmt.database, 'USAGE');
      break;
    case 'show':
      if (stmt.table) add(stmt.table, 'SELECT');
      else if (stmt.what === 'tables' || stmt.what === 'tableStatus' || stmt.what === 'createDatabase') addSchema(stmt.database ?? stmt.name ?? defaultSchema, 'USAGE');
      break;
    case 'explain':
      return statementAccess(stmt.statement, defaultSchema);
    default:
      // SET, DO, KILL, transaction control and admin statements may still read tables in subqueries.
      reads(stmt);
      break;
  }
  return out;
}

/** Calls `found` for each table name below `node`; records CTE names as it meets WITH clauses. */
function collectTableNames(node: unknown, found: (t: TableName) => void, cteNames: Set<string>, descend = true): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) collectTableNames(item, found, cteNames, descend);
    return;
  }
  const n = node as { type?: unknown; name?: unknown; ctes?: unknown };
  if (n.type === 'table' && typeof n.name === 'string') {
    found(node as TableName);
    return;
  }
  if (n.type === 'with' && Array.isArray(n.ctes)) {
    for (const c of n.ctes as { name: string }[]) cteNames.add(c.name.toLowerCase());
  }
  if (!descend) {
    // Only the table list itself: the sides of joins, not their ON conditions.
    if (n.type === 'join') {
      const j = node as { left: unknown; right: unknown };
      collectTableNames(j.left, found, cteNames, false);
      collectTableNames(j.right, found, cteNames, false);
    }
    return;
  }
  for (const key in node) {
    const v = (node as Record<string, unknown>)[key];
    if (v !== null && typeof v === 'object') collectTableNames(v, found, cteNames, descend);
  }
}

/** The tables a statement names, each once, schema resolved. */
export function statementTables(stmt: Statement, defaultSchema: string | null): { schema: string; table: string }[] {
  const seen = new Set<string>();
  const out: { schema: string; table: string }[] = [];
  for (const a of statementAccess(stmt, defaultSchema)) {
    if (a.object !== 'table' || a.table === undefined) continue;
    const key = `${a.schema}\u0000${a.table}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ schema: a.schema, table: a.table });
  }
  return out;
}
