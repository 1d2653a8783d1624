// FOREIGN KEY definitions: validating a constraint against its parent as InnoDB does, naming it, and giving the child an index.
import { sqlError } from '../../base/errors.js';
import { isIntegerType, type SqlType } from '../../base/sql-type.js';
import type { ForeignKeyRef } from '../parser/ast.js';
import type { ColumnDef, ForeignKeyDef, IndexDef, ReferentialAction, TableDef } from '../../storage/table-def.js';
import type { CatalogView, CatalogWriter, StatementEnv } from './statement-env.js';
import { quoteIdentifier } from '../../base/identifier.js';

/** The table shape a foreign key is built against (CREATE TABLE's definition before it has an id). */
export type KeyedShape = Pick<TableDef, 'schema' | 'name' | 'columns' | 'primaryKey' | 'indexes' | 'nextIndexId'> & { foreignKeys?: ForeignKeyDef[] };

/** One FOREIGN KEY clause as written. */
export interface ForeignKeyClause {
  name?: string;
  columns: string[];
  references: ForeignKeyRef;
}

const lower = (s: string): string => s.toLowerCase();

/** Whether `foreign_key_checks` is on for this session. */
export function foreignKeyChecks(env: StatementEnv): boolean {
  return Number(env.session.getSystemVariable('foreign_key_checks')) !== 0;
}

/** Positions of named columns in a shape, or -1 for each unknown one. */
export function columnPositions(shape: Pick<TableDef, 'columns'>, names: readonly string[]): number[] {
  return names.map((n) => shape.columns.findIndex((c) => lower(c.name) === lower(n)));
}

/** Whether an index has exactly `cols` (positions) as its leading columns, in order and without prefixes. */
export function indexLeadsWith(ix: IndexDef, cols: readonly number[]): boolean {
  if (ix.columns.length < cols.length) return false;
  return cols.every((c, k) => ix.columns[k] === c && ix.prefixLengths?.[k] === undefined);
}

/** The index (primary first) whose leading columns are `cols`, if any. */
export function indexFor(shape: Pick<TableDef, 'primaryKey' | 'indexes'>, cols: readonly number[]): IndexDef | undefined {
  return [shape.primaryKey, ...shape.indexes].find((ix): ix is IndexDef => ix !== undefined && indexLeadsWith(ix, cols));
}

/** InnoDB's rule for "similar" column types: same family; integers and decimals of the same size and sign; strings of the same collation. */
function compatible(a: SqlType, b: SqlType): boolean {
  const family = (t: SqlType): string => {
    if (isIntegerType(t)) return `int:${t.kind}:${t.unsigned ? 'u' : 's'}`;
    switch (t.kind) {
      case 'char': case 'varchar': return `str:${t.collation ?? ''}`;
      case 'binary': case 'varbinary': return 'bin';
      case 'decimal': return `dec:${t.precision ?? 10}:${t.scale ?? 0}:${t.unsigned ? 'u' : 's'}`;
      case 'tinytext': case 'text': case 'mediumtext': case 'longtext': case 'tinyblob': case 'blob': case 'mediumblob': case 'longblob': case 'json':
        return `blob:${t.kind}`;
      default: return `${t.kind}:${t.unsigned ? 'u' : 's'}`;
    }
  };
  return family(a) === family(b) && !family(a).startsWith('blob');
}

/** Every foreign key name in a schema, lower-cased (InnoDB's names are unique per schema). */
export function foreignKeyNamesInSchema(tables: readonly TableDef[], except?: string): Set<string> {
  const out = new Set<string>();
  for (const t of tables) if (t.name !== except) for (const fk of t.foreignKeys ?? []) out.add(lower(fk.name));
  return out;
}

function action(a: string | undefined): ReferentialAction {
  if (a === undefined) return 'NO ACTION';
  if (a === 'SET DEFAULT') throw sqlError('CANNOT_ADD_FOREIGN', 'Cannot add foreign key constraint');
  return a as ReferentialAction;
}

/**
 * Adds foreign keys to `shape` (whose indexes are final): 1072 for an unknown child column,
 * 1239 for a column count mismatch, 1824 for a missing parent (unless foreign_key_checks=0),
 * 3734 for a missing parent column, 3780 for incompatible types, 1822 without a parent index,
 * 1830 for SET NULL on a NOT NULL column, 1826 for a duplicate name. The child gets an index on
 * the columns when none leads with them, named after the constraint (or its first column).
 * Returns the new shape; `existing` names are taken.
 */
export function addForeignKeys(shape: KeyedShape, clauses: readonly ForeignKeyClause[], catalog: CatalogView, env: StatementEnv): KeyedShape {
  if (clauses.length === 0) return shape;
  const checks = foreignKeyChecks(env);
  const taken = foreignKeyNamesInSchema(catalog.listTables(shape.schema), shape.name);
  let next: KeyedShape = { ...shape, foreignKeys: [...(shape.foreignKeys ?? [])] };
  const fks = next.foreignKeys as ForeignKeyDef[];
  for (const fk of fks) taken.add(lower(fk.name));
  const prefix = lower(`${shape.name}_ibfk_`);
  let n = 0;
  for (const fk of fks) if (lower(fk.name).startsWith(prefix)) n = Math.max(n, Number(fk.name.slice(prefix.length)) || 0);
  for (const clause of clauses) {
    const name = clause.name ?? `${shape.name}_ibfk_${++n}`;
    if (taken.has(lower(name))) throw sqlError('FK_DUP_NAME', `Duplicate foreign key constraint name '${name}'`);
    taken.add(lower(name));
    const cols = columnPositions(next, clause.columns);
    cols.forEach((p, k) => {
      if (p < 0) throw sqlError('KEY_COLUMN_DOES_NOT_EXIST', `Key column '${clause.columns[k]}' doesn't exist in table`);
    });
    const ref = clause.references;
    if (ref.columns.length !== clause.columns.length) {
      throw sqlError('WRONG_FK_DEF', `Incorrect foreign key definition for '${name}': Key reference and table reference don't match`);
    }
    const refSchema = ref.table.schema ?? shape.schema;
    const self = refSchema === shape.schema && ref.table.name === shape.name;
    const parent: KeyedShape | undefined = self ? next : catalog.getTable(refSchema, ref.table.name);
    const def: ForeignKeyDef = {
      name, columns: cols.map((p) => next.columns[p].name), refSchema, refTable: ref.table.name, refColumns: [...ref.columns],
      onDelete: action(ref.onDelete), onUpdate: action(ref.onUpdate),
    };
    // A temporary table cannot be a parent (InnoDB refuses it).
    if (parent !== undefined && !self && (parent as TableDef).temporary === true) throw sqlError('CANNOT_ADD_FOREIGN', 'Cannot add foreign key constraint');
    if (parent === undefined) {
      if (checks) throw sqlError('FK_CANNOT_OPEN_PARENT', `Failed to open the referenced table '${ref.table.name}'`);
    } else {
      const refCols = columnPositions(parent, ref.columns);
      refCols.forEach((p, k) => {
        if (p < 0) throw sqlError('FK_NO_COLUMN_PARENT', `Failed to add the foreign key constraint. Missing column '${ref.columns[k]}' for constraint '${name}' in the referenced table '${ref.table.name}'`);
      });
      def.refColumns = refCols.map((p) => parent.columns[p].name);
      cols.forEach((p, k) => {
        const child: ColumnDef = next.columns[p];
        const par: ColumnDef = parent.columns[refCols[k]];
        if (!compatible(child.type, par.type)) {
          throw sqlError('FK_INCOMPATIBLE_COLUMNS', `Referencing column '${child.name}' and referenced column '${par.name}' in foreign key constraint '${name}' are incompatible.`);
        }
      });
      if (indexFor(parent, refCols) === undefined) {
        throw sqlError('FK_NO_INDEX_PARENT', `Failed to add the foreign key constraint. Missing index for constraint '${name}' in the referenced table '${ref.table.name}'`);
      }
    }
    if (def.onDelete === 'SET NULL' || def.onUpdate === 'SET NULL') {
      for (const p of cols) {
        if (!next.columns[p].nullable) throw sqlError('FK_COLUMN_NOT_NULL', `Column '${next.columns[p].name}' cannot be NOT NULL: needed in a foreign key constraint '${name}' SET NULL`);
      }
    }
    if (indexFor(next, cols) === undefined) next = withChildIndex(next, cols, clause.name ?? next.columns[cols[0]].name);
    fks.push(def);
  }
  return next;
}

/** The child's automatic index on the foreign key columns (a numbered name when the first choice is taken). */
function withChildIndex(shape: KeyedShape, cols: number[], base: string): KeyedShape {
  const taken = new Set(shape.indexes.map((i) => lower(i.name)));
  taken.add('primary');
  let name = base;
  for (let k = 2; taken.has(lower(name)); k++) name = `${base}_${k}`;
  const ix: IndexDef = { name, unique: false, id: shape.nextIndexId, columns: cols, forForeignKey: true };
  return { ...shape, indexes: [...shape.indexes, ix], nextIndexId: shape.nextIndexId + 1 };
}

/**
 * The foreign keys' own indexes that `added` makes redundant: its leading columns are theirs, so it
 * serves their keys. InnoDB drops those silently; a later DROP INDEX of `added` then meets 1553.
 */
export function foreignKeyIndexesCoveredBy(def: Pick<TableDef, 'indexes'>, added: IndexDef): IndexDef[] {
  return def.indexes.filter((ix) => ix !== added && ix.forForeignKey === true && ix.prefixLengths === undefined && indexLeadsWith(added, ix.columns));
}

/** Every (child table, foreign key) that references `schema`.`table`, self-references included. */
export function referencingKeys(catalog: CatalogView, schema: string, table: string): { child: TableDef; fk: ForeignKeyDef }[] {
  const out: { child: TableDef; fk: ForeignKeyDef }[] = [];
  for (const s of catalog.listSchemas()) {
    for (const t of catalog.listTables(s.name)) {
      for (const fk of t.foreignKeys ?? []) if (fk.refSchema === schema && fk.refTable === table) out.push({ child: t, fk });
    }
  }
  return out;
}

/** 1553 when dropping index `name` would leave a foreign key of `def` (as child or as parent) without an index. */
export function checkIndexDrop(def: TableDef, name: string, catalog: CatalogView): void {
  const without: TableDef = { ...def, indexes: def.indexes.filter((i) => lower(i.name) !== lower(name)) };
  const needed = (cols: number[]): boolean => indexFor(def, cols) !== undefined && indexFor(without, cols) === undefined;
  const ownKeys = (def.foreignKeys ?? []).map((fk) => columnPositions(def, fk.columns));
  const parentKeys = referencingKeys(catalog, def.schema, def.name).map(({ fk }) => columnPositions(def, fk.refColumns));
  for (const cols of [...ownKeys, ...parentKeys]) {
    if (cols.every((c) => c >= 0) && needed(cols)) throw sqlError('DROP_INDEX_FK', `Cannot drop index '${name}': needed in a foreign key constraint`);
  }
}

/** `CONSTRAINT `fk` FOREIGN KEY (`a`) REFERENCES `p` (`id`) ON DELETE CASCADE`, as SHOW CREATE TABLE prints it. */
export function foreignKeyText(fk: ForeignKeyDef, childSchema: string): string {
  const quote = quoteIdentifier;
  const parent = fk.refSchema === childSchema ? quote(fk.refTable) : `${quote(fk.refSchema)}.${quote(fk.refTable)}`;
  let s = `CONSTRAINT ${quote(fk.name)} FOREIGN KEY (${fk.columns.map(quote).join(', ')}) REFERENCES ${parent} (${fk.refColumns.map(quote).join(', ')})`;
  if (fk.onDelete !== 'NO ACTION') s += ` ON DELETE ${fk.onDelete}`;
  if (fk.onUpdate !== 'NO ACTION') s += ` ON UPDATE ${fk.onUpdate}`;
  return s;
}

/** After RENAME TABLE: the foreign keys that referenced the old name (`children`, taken before the rename) reference the new one. */
export function followTableRename(catalog: CatalogWriter, children: readonly { child: TableDef }[], from: { schema: string; name: string }, to: { schema: string; name: string }): void {
  const done = new Set<number>();
  for (const { child } of children) {
    if (done.has(child.id)) continue;
    done.add(child.id);
    const self = child.schema === from.schema && child.name === from.name;
    const current = self ? catalog.getTable(to.schema, to.name) : catalog.getTable(child.schema, child.name);
    if (current === undefined) continue;
    const fks = (current.foreignKeys ?? []).map((fk) => (fk.refSchema === from.schema && fk.refTable === from.name ? { ...fk, refSchema: to.schema, refTable: to.name } : fk));
    catalog.alterTable({ ...current, foreignKeys: fks });
  }
}

/** After a column changed type (MODIFY / CHANGE): 3780 when a foreign key of `next`, or one referencing it, no longer joins similar types. */
export function checkForeignKeyTypes(catalog: CatalogView, next: TableDef): void {
  const pairs: { fk: ForeignKeyDef; child: Pick<TableDef, 'columns'>; parent: Pick<TableDef, 'columns'> }[] = [];
  for (const fk of next.foreignKeys ?? []) {
    const self = fk.refSchema === next.schema && fk.refTable === next.name;
    const parent = self ? next : catalog.getTable(fk.refSchema, fk.refTable);
    if (parent !== undefined) pairs.push({ fk, child: next, parent });
  }
  for (const { child, fk } of referencingKeys(catalog, next.schema, next.name)) if (child.id !== next.id) pairs.push({ fk, child, parent: next });
  for (const { fk, child, parent } of pairs) {
    const cols = columnPositions(child, fk.columns);
    const refCols = columnPositions(parent, fk.refColumns);
    cols.forEach((p, k) => {
      const r = refCols[k];
      if (p < 0 || r < 0) return;
      if (!compatible(child.columns[p].type, parent.columns[r].type)) {
        throw sqlError('FK_INCOMPATIBLE_COLUMNS', `Referencing column '${child.columns[p].name}' and referenced column '${parent.columns[r].name}' in foreign key constraint '${fk.name}' are incompatible.`);
      }
    });
  }
}

/** 3730 when a table outside `dropping` (the tables one DROP TABLE names) references `def`; a self-reference does not count. */
export function checkDropParent(catalog: CatalogView, def: TableDef, dropping: readonly { schema: string; name: string }[]): void {
  const blocker = referencingKeys(catalog, def.schema, def.name).find(({ child }) => !dropping.some((d) => d.schema === child.schema && d.name === child.name));
  if (blocker !== undefined) {
    throw sqlError('FK_CANNOT_DROP_PARENT', `Cannot drop table '${def.name}' referenced by a foreign key constraint '${blocker.fk.name}' on table '${blocker.child.name}'.`);
  }
}

/** 1701 when another table references `def` (TRUNCATE is allowed for a table referencing only itself). */
export function checkTruncate(catalog: CatalogView, def: TableDef): void {
  const blocker = referencingKeys(catalog, def.schema, def.name).find(({ child }) => child.id !== def.id);
  if (blocker === undefined) return;
  const q = quoteIdentifier;
  const fk = blocker.fk;
  const text = `CONSTRAINT ${q(fk.name)} FOREIGN KEY (${fk.columns.map(q).join(', ')}) REFERENCES ${q(fk.refSchema)}.${q(fk.refTable)} (${fk.refColumns.map(q).join(', ')})`;
  throw sqlError('TRUNCATE_ILLEGAL_FK', `Cannot truncate a table referenced in a foreign key constraint (${q(blocker.child.schema)}.${q(blocker.child.name)}, ${text})`);
}
