// The tables (and schemas) a statement touches and the privilege each needs: for authorization and query filters.
import type { DeleteStmt, Expr, Statement, TableName, TableRef, UpdateStmt, WithClause } from '../parser/ast.js';

/** One object a statement touches, with the MySQL privilege name it needs. */
export interface ObjectAccess {
  object: 'schema' | 'table';
  schema: string;
  /** Set for `table`. */
  table?: string;
  action: string;
}

/**
 * What `stmt` reads and writes, following MySQL's privilege rules at table level.
 * Tables without a schema resolve to `defaultSchema`; when there is none, they
 * are left out (the statement fails with 1046 on its own). Names of common table
 * expressions are not tables, but only where the CTE is in scope.
 *
 * A view counts as the view's name only: its query was checked with its
 * creator's rights when it was created (MySQL's SQL SECURITY DEFINER, without
 * definer accounts). UPDATE, DELETE and INSERT ... ON DUPLICATE KEY UPDATE also
 * need SELECT on a target whose columns they read (WHERE, ORDER BY, SET values),
 * as in MySQL, so that a write-only user cannot probe values through row counts.
 */
export function statementAccess(stmt: Statement, defaultSchema: string | null): ObjectAccess[] {
  const out: ObjectAccess[] = [];
  const seen = new Set<string>();
  const add = (t: { schema?: string; name: string }, action: string) => {
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
  /** Every table named anywhere below `node` (FROM clauses, joins, subqueries), except `skip`, is read. */
  const reads = (node: unknown, skip?: ReadonlySet<TableName>) => {
    collectTableNames(node, NO_CTES, (t) => {
      if (!skip?.has(t)) add(t, 'SELECT');
    });
  };

  switch (stmt.type) {
    case 'select': case 'setop': case 'values': case 'with':
      reads(stmt);
      break;
    case 'insert': {
      add(stmt.table, 'INSERT');
      if (stmt.replace) add(stmt.table, 'DELETE');
      if (stmt.onDuplicate) {
        add(stmt.table, 'UPDATE');
        if (stmt.onDuplicate.some((a) => readsOwnColumns(a.value, stmt.rowAlias))) add(stmt.table, 'SELECT');
      }
      reads({ rows: stmt.rows, query: stmt.query, set: stmt.set, onDuplicate: stmt.onDuplicate });
      break;
    }
    case 'update':
      updateAccess(stmt, add, reads);
      break;
    case 'delete':
      deleteAccess(stmt, defaultSchema, add, reads);
      break;
    case 'createTable':
      add(stmt.table, 'CREATE');
      if (stmt.like) add(stmt.like, 'SELECT');
      if (stmt.asQuery) {
        // CREATE TABLE ... SELECT also inserts the rows (MySQL asks for INSERT too).
        add(stmt.table, 'INSERT');
        reads(stmt.asQuery);
      }
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
        if (a.kind === 'renameTable') renames(stmt.table, a.to, add);
      }
      break;
    case 'renameTable':
      for (const r of stmt.renames) {
        add(r.from, 'ALTER');
        renames(r.from, r.to, add);
      }
      break;
    case 'createView':
      add(stmt.name, 'CREATE VIEW');
      if (stmt.orReplace) add(stmt.name, 'DROP');
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
    case 'alterDatabase':
      addSchema(stmt.name ?? defaultSchema, 'ALTER');
      break;
    case 'use':
      addSchema(stmt.database, 'USAGE');
      break;
    case 'show':
      // A WHERE filter may hold subqueries.
      reads(stmt.where);
      if (stmt.table) {
        // `SHOW COLUMNS FROM t FROM db`: the FROM db wins over a qualified name, as the executor reads it.
        add({ schema: stmt.database ?? stmt.table.schema, name: stmt.table.name }, 'SELECT');
      } else if (stmt.what === 'tables' || stmt.what === 'tableStatus' || stmt.what === 'createDatabase') {
        addSchema(stmt.database ?? stmt.name ?? defaultSchema, 'USAGE');
      }
      break;
    case 'explain':
      // EXPLAIN needs what the explained statement needs.
      return statementAccess(stmt.statement, defaultSchema);
    case 'admin':
      // ANALYZE/CHECK read; OPTIMIZE/REPAIR rewrite the table (MySQL: SELECT and INSERT); LOCK TABLES and FLUSH t read.
      for (const t of stmt.tables) {
        add(t, 'SELECT');
        if (stmt.command === 'optimizeTable' || stmt.command === 'repairTable') add(t, 'INSERT');
      }
      break;
    default:
      // SET, DO, KILL and transaction control may still read tables in subqueries.
      reads(stmt);
      break;
  }
  return out;
}

type AddTable = (t: { schema?: string; name: string }, action: string) => void;
type AddReads = (node: unknown, skip?: ReadonlySet<TableName>) => void;

/** RENAME and ALTER ... RENAME: the old name goes (DROP), the new one is created and filled (CREATE, INSERT). */
function renames(from: TableName, to: TableName, add: AddTable): void {
  add(from, 'DROP');
  add(to, 'CREATE');
  add(to, 'INSERT');
}

/**
 * UPDATE: the tables a SET assigns to need UPDATE; the other tables of the
 * statement are only read. With an unqualified SET column in a multi-table
 * UPDATE we cannot tell its table without the catalog, so every table needs UPDATE.
 */
function updateAccess(stmt: UpdateStmt, add: AddTable, reads: AddReads): void {
  const tables = baseTables(stmt.tables);
  const byAlias = new Map(tables.map((t) => [t.alias ?? t.name, t]));
  const targets = new Set<TableName>();
  for (const a of stmt.set) {
    const qualifier = a.column.table;
    const t = qualifier === undefined ? undefined : byAlias.get(qualifier);
    if (t && (a.column.schema === undefined || a.column.schema === t.schema)) {
      targets.add(t);
    } else {
      // Unqualified (or a qualifier that names nothing, which fails anyway): any table may be the one.
      for (const x of tables) targets.add(x);
    }
  }
  for (const t of targets) add(t, 'UPDATE');
  const readsTargets = stmt.where !== undefined || stmt.orderBy.length > 0 || stmt.set.some((a) => mentionsColumns(a.value)) || joinsRead(stmt.tables);
  if (readsTargets) for (const t of targets) add(t, 'SELECT');
  reads(stmt, targets);
}

/**
 * DELETE: single-table `DELETE FROM t`, or multi-table `DELETE a, b FROM t1 AS a JOIN t2 AS b`
 * / `DELETE FROM a USING ...`, whose targets name FROM tables by alias (or by name when unaliased).
 */
function deleteAccess(stmt: DeleteStmt, defaultSchema: string | null, add: AddTable, reads: AddReads): void {
  const targets = new Set<TableName>();
  if (stmt.table) {
    targets.add(stmt.table);
  } else {
    const from = baseTables(stmt.from ?? []);
    for (const named of stmt.targets ?? []) {
      const real = from.find((t) => (t.alias !== undefined
        ? named.schema === undefined && t.alias === named.name
        : t.name === named.name && (named.schema === undefined || (t.schema ?? defaultSchema) === named.schema)));
      // A target that names no FROM table fails with 1109; checking it as named is the safe side.
      targets.add(real ?? named);
    }
  }
  for (const t of targets) add(t, 'DELETE');
  const readsTargets = stmt.where !== undefined || stmt.orderBy.length > 0 || joinsRead(stmt.from ?? []);
  if (readsTargets) for (const t of targets) add(t, 'SELECT');
  // Target names in `stmt.targets` are aliases, not tables: never check them as such.
  reads({ with: stmt.with, from: stmt.from, where: stmt.where, orderBy: stmt.orderBy, limit: stmt.limit }, targets);
}

/** The base tables of a FROM list (join sides), not those inside derived tables or subqueries. */
function baseTables(refs: readonly TableRef[]): TableName[] {
  const out: TableName[] = [];
  const walk = (r: TableRef) => {
    if (r.type === 'table') out.push(r);
    else if (r.type === 'join') {
      walk(r.left);
      walk(r.right);
    }
  };
  for (const r of refs) walk(r);
  return out;
}

/** Whether a join reads columns to match rows (ON / USING / NATURAL). */
function joinsRead(refs: readonly TableRef[]): boolean {
  const walk = (r: TableRef): boolean => r.type === 'join' && (r.on !== undefined || r.using !== undefined || r.natural || walk(r.left) || walk(r.right));
  return refs.some(walk);
}

/** Whether an expression refers to any column (outside subqueries too: conservative). */
function mentionsColumns(e: Expr): boolean {
  let found = false;
  visit(e, (n) => {
    if (n.type === 'column') found = true;
    return !found;
  });
  return found;
}

/** ON DUPLICATE KEY UPDATE values that read the existing row: columns other than VALUES(col) and `alias.col` of the new row. */
function readsOwnColumns(e: Expr, rowAlias: string | undefined): boolean {
  let found = false;
  visit(e, (n) => {
    if (n.type === 'call' && typeof n.name === 'string' && n.name.toUpperCase() === 'VALUES') return false;
    if (n.type === 'column' && (rowAlias === undefined || n.table !== rowAlias)) found = true;
    return !found;
  });
  return found;
}

/** Walks every object below `node`; `enter` returns false to skip an object's children. */
function visit(node: unknown, enter: (n: { type?: unknown; name?: unknown; table?: unknown }) => boolean): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) visit(item, enter);
    return;
  }
  if (!enter(node as { type?: unknown })) return;
  for (const key in node) visit((node as Record<string, unknown>)[key], enter);
}

const NO_CTES: ReadonlySet<string> = new Set();

/**
 * Calls `found` for each table name below `node`. `ctes` are the common table
 * expressions in scope: an unqualified name among them is not a table. A WITH
 * clause's names are in scope for its main query, for later CTEs of the same
 * clause, and (RECURSIVE) for every CTE of the clause, never outside it.
 */
function collectTableNames(node: unknown, ctes: ReadonlySet<string>, found: (t: TableName) => void): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) collectTableNames(item, ctes, found);
    return;
  }
  const n = node as { type?: unknown; name?: unknown };
  if (n.type === 'table' && typeof n.name === 'string') {
    const t = node as TableName;
    if (t.schema === undefined && ctes.has(t.name)) return;
    found(t);
    return;
  }
  if (n.type === 'with' && Array.isArray((node as { ctes?: unknown }).ctes)) {
    const w = node as WithClause & { query: unknown };
    collectTableNames(w.query, withClauseNames(w, ctes, found), found);
    return;
  }
  // UPDATE / DELETE after a WITH: the clause's names are in scope for the whole statement.
  const clause = (node as { with?: WithClause }).with;
  const inner = clause ? withClauseNames(clause, ctes, found) : ctes;
  for (const key in node) {
    const v = (node as Record<string, unknown>)[key];
    if (v !== null && typeof v === 'object' && v !== clause) collectTableNames(v, inner, found);
  }
}

/** Collects the tables a WITH clause's CTEs read; returns the names in scope after it. */
function withClauseNames(w: WithClause, ctes: ReadonlySet<string>, found: (t: TableName) => void): ReadonlySet<string> {
  const all = new Set([...ctes, ...w.ctes.map((c) => c.name)]);
  const earlier = new Set(ctes);
  for (const c of w.ctes) {
    collectTableNames(c.query, w.recursive ? all : earlier, found);
    earlier.add(c.name);
  }
  return all;
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
