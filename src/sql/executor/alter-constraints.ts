// ALTER TABLE on constraints: ADD/DROP FOREIGN KEY, ADD/DROP/ALTER CHECK, DROP CONSTRAINT, with existing rows validated.
import { fulltextAfterRename } from './fulltext-ddl.js';
import { sqlError } from '../../base/errors.js';
import type { Row } from '../../base/value.js';
import type { CheckClause } from '../parser/ast.js';
import type { ForeignKeyDef, TableDef } from '../../storage/table-def.js';
import { buildChecks, checkColumns, checkExistingRows, checkNamesInSchema } from './check-constraints.js';
import { addForeignKeys, foreignKeyChecks, referencingKeys, type ForeignKeyClause } from './foreign-key-ddl.js';
import { ForeignKeyEnforcer } from './foreign-key-enforce.js';
import type { CatalogWriter, StatementEnv, TableWriter } from './statement-env.js';
import { dropIndex, tableOrThrow } from './ddl.js';

/** What constraint changes need besides the catalog: the rows a table holds now, and a writer to read other tables with. */
export interface AlterRows {
  /** The stored rows of `def` (held definition changes are applied first). */
  rows(def: TableDef): Iterable<Row>;
  writer(def: TableDef): TableWriter;
}

const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** ADD [CONSTRAINT name] FOREIGN KEY: the child index is built if needed; with foreign_key_checks on, every row must find its parent (1452). */
export function addForeignKey(catalog: CatalogWriter, def: TableDef, clause: ForeignKeyClause, env: StatementEnv, io: AlterRows): TableDef {
  const keyed = addForeignKeys(def, [clause], catalog, env);
  let current = def;
  const added = keyed.indexes.filter((ix) => !def.indexes.some((old) => old.id === ix.id));
  for (const ix of added) current = catalog.addIndex(current, ix);
  catalog.alterTable({ ...current, foreignKeys: keyed.foreignKeys });
  const next = tableOrThrow(catalog, def.schema, def.name);
  if (foreignKeyChecks(env)) {
    const fk = (next.foreignKeys ?? [])[(next.foreignKeys ?? []).length - 1];
    const only: TableDef = { ...next, foreignKeys: [fk] };
    const enforcer = new ForeignKeyEnforcer(catalog, { writer: (d) => io.writer(d), deeper: (fn) => fn() });
    for (const r of io.rows(next)) enforcer.checkChild(only, r);
  }
  return next;
}

/** DROP FOREIGN KEY name: 1091 when there is none; its index stays, as in MySQL. */
export function dropForeignKey(catalog: CatalogWriter, def: TableDef, name: string): TableDef {
  const fks = def.foreignKeys ?? [];
  if (!fks.some((fk) => sameName(fk.name, name))) throw sqlError('NO_SUCH_INDEX', `Can't DROP '${name}'; check that column/key exists`);
  const rest = fks.filter((fk) => !sameName(fk.name, name));
  const next: TableDef = { ...def, foreignKeys: rest };
  if (rest.length === 0) delete next.foreignKeys;
  catalog.alterTable(next);
  return tableOrThrow(catalog, def.schema, def.name);
}

/** ADD [CONSTRAINT name] CHECK (expr): 3819 when an existing row fails it (if enforced). */
export function addCheck(catalog: CatalogWriter, def: TableDef, clause: CheckClause, env: StatementEnv, io: AlterRows): TableDef {
  const checks = buildChecks(def.name, [{ clause }], def, def.checks ?? [], checkNamesInSchema(catalog.listTables(def.schema), def.name));
  const next: TableDef = { ...def, checks };
  if (clause.enforced) checkExistingRows({ ...next, checks: [checks[checks.length - 1]] }, io.rows(def), env);
  catalog.alterTable(next);
  return tableOrThrow(catalog, def.schema, def.name);
}

/** ALTER CHECK name [NOT] ENFORCED: 3821 for an unknown name; enforcing it checks the existing rows. */
export function alterCheck(catalog: CatalogWriter, def: TableDef, name: string, enforced: boolean, env: StatementEnv, io: AlterRows): TableDef {
  const found = (def.checks ?? []).find((c) => sameName(c.name, name));
  if (found === undefined) throw sqlError('CHECK_CONSTRAINT_NOT_FOUND', `Check constraint '${name}' is not found in the table.`);
  const changed = { ...found, enforced };
  if (enforced && !found.enforced) checkExistingRows({ ...def, checks: [changed] }, io.rows(def), env);
  catalog.alterTable({ ...def, checks: (def.checks ?? []).map((c) => (c === found ? changed : c)) });
  return tableOrThrow(catalog, def.schema, def.name);
}

/** DROP CHECK name (3821 if unknown) or DROP CONSTRAINT name: a check, a foreign key, a UNIQUE index or the primary key (3940 if none). */
export function dropConstraint(catalog: CatalogWriter, def: TableDef, name: string, which: 'check' | 'any', env: StatementEnv, dropPrimary: () => TableDef): TableDef {
  const check = (def.checks ?? []).find((c) => sameName(c.name, name));
  if (check !== undefined) {
    const rest = (def.checks ?? []).filter((c) => c !== check);
    const next: TableDef = { ...def, checks: rest };
    if (rest.length === 0) delete next.checks;
    catalog.alterTable(next);
    return tableOrThrow(catalog, def.schema, def.name);
  }
  if (which === 'check') throw sqlError('CHECK_CONSTRAINT_NOT_FOUND', `Check constraint '${name}' is not found in the table.`);
  if ((def.foreignKeys ?? []).some((fk) => sameName(fk.name, name))) return dropForeignKey(catalog, def, name);
  if (sameName(name, 'PRIMARY') && def.primaryKey) return dropPrimary();
  if (def.indexes.some((ix) => ix.unique && sameName(ix.name, name))) return dropIndex(catalog, def, name, false, env);
  throw sqlError('CONSTRAINT_NOT_FOUND', `Constraint '${name}' does not exist.`);
}

/**
 * Before DROP COLUMN: 1828 when a foreign key of the table uses the column, 1829 when another table's
 * foreign key references it, 3959 when a CHECK reads it.
 */
export function guardColumnDrop(catalog: CatalogWriter, def: TableDef, column: string): void {
  const own = (def.foreignKeys ?? []).find((fk) => fk.columns.some((c) => sameName(c, column)));
  if (own !== undefined) throw sqlError('FK_COLUMN_CANNOT_DROP', `Cannot drop column '${column}': needed in a foreign key constraint '${own.name}'`);
  const ref = referencingKeys(catalog, def.schema, def.name).find(({ fk }) => fk.refColumns.some((c) => sameName(c, column)));
  if (ref !== undefined) {
    throw sqlError('FK_COLUMN_CANNOT_DROP_CHILD', `Cannot drop column '${column}': needed in a foreign key constraint '${ref.fk.name}' of table '${ref.child.name}'`);
  }
  guardCheckColumn(def, column);
}

/** 3959 when a CHECK of the table reads `column` (it may be neither dropped nor renamed). */
export function guardCheckColumn(def: TableDef, column: string): void {
  const ck = (def.checks ?? []).find((c) => checkColumns(c).has(column.toLowerCase()));
  if (ck !== undefined) throw sqlError('DEPENDENT_BY_CHECK_CONSTRAINT', `Check constraint '${ck.name}' uses column '${column}', hence column cannot be dropped or renamed.`);
}

/** A column of `def` was renamed (`next` is its new definition, not yet stored): foreign keys on either side follow the new name. */
export function followColumnRename(catalog: CatalogWriter, def: TableDef, next: TableDef, from: string, to: string): TableDef {
  const rename = (c: string): string => (sameName(c, from) ? to : c);
  const self = (fk: ForeignKeyDef): boolean => fk.refSchema === def.schema && fk.refTable === def.name;
  const fks = next.foreignKeys?.map((fk) => ({ ...fk, columns: fk.columns.map(rename), refColumns: self(fk) ? fk.refColumns.map(rename) : fk.refColumns }));
  const withKeys: TableDef = fks === undefined ? next : { ...next, foreignKeys: fks };
  for (const { child } of referencingKeys(catalog, def.schema, def.name)) {
    if (child.id === def.id) continue;
    const current = tableOrThrow(catalog, child.schema, child.name);
    catalog.alterTable({ ...current, foreignKeys: (current.foreignKeys ?? []).map((fk) => (fk.refSchema === def.schema && fk.refTable === def.name ? { ...fk, refColumns: fk.refColumns.map(rename) } : fk)) });
  }
  return fulltextAfterRename(withKeys, from, to);
}
