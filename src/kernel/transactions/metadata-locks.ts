// Metadata locks: statements share a lock on each table they use until their transaction ends; DDL takes it exclusively.
import type { Statement, TableName } from '../../sql/parser/ast.js';
import type { TableDef } from '../../storage/table-def.js';
import { METADATA_KEY_PREFIX, type LockOwner, type RowLocks } from './lock-manager.js';

/** The lock key of a table name (names are case-sensitive: lower_case_table_names=0). */
export function metadataKey(schema: string, name: string): string {
  return `${METADATA_KEY_PREFIX}${schema}\u0000${name}`;
}

/** Keys by definition: a statement that uses a table again (a point select, say) builds no string for it. */
const keysByDef = new WeakMap<TableDef, string>();

/**
 * Shares the metadata lock of a table a statement reads or writes, for `owner` (its transaction, or
 * the session's statement owner outside one; none when describing a prepared statement, which only
 * plans); throws LockConflict while DDL holds or waits for it. Temporary tables are the session's own: they need none.
 */
export function shareTable(locks: RowLocks, owner: LockOwner | undefined, def: TableDef): void {
  if (owner === undefined || def.temporary) return;
  let key = keysByDef.get(def);
  if (key === undefined) keysByDef.set(def, (key = metadataKey(def.schema, def.name)));
  locks.acquire(owner, key, 'S');
}

let lastStatementOwnerId = 0;

/**
 * The owner of the metadata locks a session's statement takes outside any transaction (a plain
 * autocommit read, DDL): one per session, its locks released when the statement ends.
 */
export class StatementLockOwner implements LockOwner {
  // Negative: never the id of a transaction.
  readonly id = -++lastStatementOwnerId;
  waitingFor: Set<LockOwner> | undefined;
  constructor(readonly session: number) {}
}

/** What the names of a DDL statement resolve against: the current database and the tables of a schema. */
export interface DdlNameScope {
  database: string | null;
  tablesOf(schema: string): readonly string[];
  /** Whether `schema`.`name` is one of the session's temporary tables (they need no lock). */
  isTemporary(schema: string, name: string): boolean;
}

/**
 * The metadata keys a statement that commits implicitly takes exclusively, sorted (two DDL statements
 * then take shared names in the same order). CREATE TABLE locks its new name; RENAME both names;
 * DROP DATABASE every table in it. Views and databases themselves take none.
 */
export function ddlLockKeys(statement: Statement, scope: DdlNameScope): string[] {
  const names: TableName[] = [];
  switch (statement.type) {
    case 'createTable':
    case 'createIndex':
    case 'dropIndex':
    case 'truncate':
      names.push(statement.table);
      break;
    case 'alterTable':
      names.push(statement.table);
      for (const a of statement.actions) if (a.kind === 'renameTable') names.push(a.to);
      break;
    case 'dropTable':
      names.push(...statement.tables);
      break;
    case 'renameTable':
      for (const r of statement.renames) names.push(r.from, r.to);
      break;
    case 'dropDatabase':
      return scope.tablesOf(statement.name).map((t) => metadataKey(statement.name, t)).sort();
    default:
      return [];
  }
  const keys = new Set<string>();
  for (const n of names) {
    const schema = n.schema ?? scope.database;
    // Without a database the statement fails on its own (1046).
    if (schema === null || scope.isTemporary(schema, n.name)) continue;
    keys.add(metadataKey(schema, n.name));
  }
  return [...keys].sort();
}
