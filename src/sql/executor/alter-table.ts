// ALTER TABLE: each spec in turn, metadata-only where the rows stay as they are, otherwise a rebuild that converts the data.
import { fulltextAfterDrop, fulltextKey, takenIndexNames, withFulltextKey } from './fulltext-ddl.js';
import { SqlError, sqlError } from '../../base/errors.js';
import type { StatementResult } from '../../base/result.js';
import type { AlterAction, AlterTableStmt, ColumnDef as AstColumn, IndexColumn, TableConstraint } from '../parser/ast.js';
import type { ColumnDef, IndexDef, SchemaDef, TableDef, ViewDef } from '../../storage/table-def.js';
import { valueFromJson } from '../../storage/value-json.js';
import { coerceValue } from '../types/coerce.js';
import type { Row, Value } from '../../base/value.js';
import type { CatalogWriter, StatementEnv } from './statement-env.js';
import { defaultValue, storeValue } from './write-row.js';
import { implicitDefault } from '../analyzer/column-default.js';
import { checkGeneratedColumns, checkNoGeneratedDependency } from './generated-column-ddl.js';
import { checkExpressionDefaults } from './expression-defaults.js';
import { computeGenerated, hasGenerated } from './generated-columns.js';
import { checkForeignKeyTypes, followTableRename, foreignKeyIndexesCoveredBy, referencingKeys } from './foreign-key-ddl.js';
import {
  addCheck, addForeignKey, alterCheck, dropConstraint, dropForeignKey, followColumnRename, guardCheckColumn, guardColumnDrop, type AlterRows,
} from './alter-constraints.js';
import {
  addIndex, buildColumn, buildDefault, checkAutoKey, checkName, currentDb, dropIndex, indexColumns, tableOrThrow, warnIndexNotBuilt,
} from './ddl.js';

const OK: StatementResult = { kind: 'ok', affectedRows: 0, insertId: 0 };

const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Position of a column by name, or 1054 as MySQL words it for ALTER TABLE. */
function columnPos(def: TableDef, name: string): number {
  const pos = def.columns.findIndex((c) => sameName(c.name, name));
  if (pos < 0) throw sqlError('BAD_FIELD', `Unknown column '${name}' in '${def.name}'`);
  return pos;
}

/**
 * A new table shape: `columns` in their new order, `from[i]` the old position column i takes its
 * values from (-1 for a new column), and `convert` the new positions whose type or nullability
 * changed, so stored values must be converted like an INSERT would.
 */
interface Reshape {
  columns: ColumnDef[];
  from: number[];
  convert: Set<number>;
}

/** Rewrites every row into `next`'s shape (indexes are rebuilt from the new rows). */
function rebuild(catalog: CatalogWriter, next: TableDef, shape: Reshape, env: StatementEnv): TableDef {
  let rowNumber = 0;
  const initial = shape.columns.map((c, i) => (shape.from[i] < 0 ? initialValue(c) : null));
  checkGeneratedColumns(next, env.session);
  checkExpressionDefaults(next, env.session);
  const generated = hasGenerated(next);
  // A new column with an expression default gets it computed for each row (after the row's other columns), as in MySQL.
  const computedDefaults = shape.columns.flatMap((c, i) => (shape.from[i] < 0 && c.default?.kind === 'expr' ? [i] : []));
  catalog.alterTable(next, (row) => {
    rowNumber++;
    const out = shape.columns.map((col, i) => {
      const src = shape.from[i];
      if (src < 0) return initial[i];
      return shape.convert.has(i) ? convertStored(row[src], col, rowNumber, env) : row[src];
    });
    if (computedDefaults.length > 0) {
      env.ctx.rowNumber = rowNumber;
      for (const i of computedDefaults) out[i] = storeValue(next.columns[i], defaultValue(next.columns[i], env.ctx, true, next, i, out), env.ctx);
    }
    // Generated columns follow the new shape: a new one is filled, the others follow converted base columns.
    if (generated) {
      env.ctx.rowNumber = rowNumber;
      computeGenerated(next, out, env.ctx);
    }
    return out;
  });
  return tableOrThrow(catalog, next.schema, next.name);
}

/** An existing value moved into a changed column: strict mode fails the ALTER (1138, 1264, 1265 ...), otherwise it is clipped with a warning. */
function convertStored(v: Value, col: ColumnDef, rowNumber: number, env: StatementEnv): Value {
  if (v === null) {
    if (col.nullable) return null;
    if (env.ctx.strict) throw sqlError('INVALID_USE_OF_NULL', 'Invalid use of NULL value');
    env.session.warn(1265, `Data truncated for column '${col.name}' at row ${rowNumber}`);
    return implicitDefault(col);
  }
  const truncated = `Data truncated for column '${col.name}' at row ${rowNumber}`;
  try {
    // A copying ALTER reports an over-long string as truncation (1265), not as an INSERT's 1406.
    return coerceValue(v, col.type, {
      mode: 'store', strict: env.ctx.strict, column: col.name, rowNumber,
      warn: (c, m) => (c === 1406 ? env.session.warn(1265, truncated) : env.session.warn(c, m)),
    });
  } catch (e) {
    if (e instanceof SqlError && e.code === 1406) throw sqlError('WARN_DATA_TRUNCATED', truncated);
    throw e;
  }
}

/** The value existing rows get for a column added by ALTER TABLE: its default, else NULL or the type's zero. */
function initialValue(col: ColumnDef): Value {
  if (col.default?.kind === 'value') return valueFromJson(col.default.value);
  if (col.nullable || col.autoIncrement) return null;
  return implicitDefault(col);
}

/** Moves index positions along with their columns; `where[old]` is the new position (-1: the column is gone). */
function remapIndexes(def: TableDef, where: number[]): Pick<TableDef, 'primaryKey' | 'indexes'> {
  const remap = (ix: IndexDef): IndexDef => ({ ...ix, columns: ix.columns.map((c) => where[c]) });
  return { primaryKey: def.primaryKey ? remap(def.primaryKey) : undefined, indexes: def.indexes.map(remap) };
}

/** Where a column goes: FIRST, AFTER x (1054 if x is unknown), or `fallback`. `others` is the column list without it. */
function placement(others: ColumnDef[], a: { first?: boolean; after?: string }, fallback: number, table: string): number {
  if (a.first) return 0;
  if (a.after !== undefined) {
    const i = others.findIndex((c) => sameName(c.name, a.after as string));
    if (i < 0) throw sqlError('BAD_FIELD', `Unknown column '${a.after}' in '${table}'`);
    return i + 1;
  }
  return fallback;
}

/** ADD COLUMN [FIRST | AFTER x]. */
function addColumn(catalog: CatalogWriter, def: TableDef, a: Extract<AlterAction, { kind: 'addColumn' }>, env: StatementEnv): TableDef {
  if (def.columns.some((c) => sameName(c.name, a.column.name))) throw sqlError('DUP_FIELDNAME', `Duplicate column name '${a.column.name}'`);
  const col = buildColumn(a.column, env, def.collation);
  const pos = placement(def.columns, a, def.columns.length, def.name);
  const columns = [...def.columns.slice(0, pos), col, ...def.columns.slice(pos)];
  const from = columns.map((c) => (c === col ? -1 : def.columns.indexOf(c)));
  const where = def.columns.map((c) => columns.indexOf(c));
  let next: TableDef = { ...def, columns, ...remapIndexes(def, where) };
  next = withColumnKeys(next, a.column, pos);
  if (col.autoIncrement) throw sqlError('NOT_SUPPORTED_YET', 'This version of mizzle does not yet support adding an AUTO_INCREMENT column with ALTER TABLE');
  checkAutoKey(next);
  return rebuild(catalog, next, { columns, from, convert: new Set() }, env);
}

/** PRIMARY KEY / UNIQUE written on a column definition (ADD, MODIFY, CHANGE) become keys of the new shape. */
function withColumnKeys(def: TableDef, c: AstColumn, pos: number): TableDef {
  let next = def;
  if (c.primaryKey) {
    if (next.primaryKey) throw sqlError('MULTIPLE_PRI_KEY', 'Multiple primary key defined');
    next = { ...next, primaryKey: { name: 'PRIMARY', unique: true, id: 0, columns: [pos] } };
  }
  if (c.unique) {
    const taken = new Set(next.indexes.map((i) => i.name.toLowerCase()));
    let name = next.columns[pos].name;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${next.columns[pos].name}_${n}`;
    next = { ...next, indexes: [...next.indexes, { name, unique: true, id: next.nextIndexId, columns: [pos] }], nextIndexId: next.nextIndexId + 1 };
  }
  return next;
}

/** Key columns are NOT NULL, whatever the new definition says (as MySQL makes them). */
function keyColumnsNotNull(def: TableDef): TableDef {
  const pk = def.primaryKey;
  if (!pk || pk.columns.every((i) => !def.columns[i].nullable)) return def;
  return { ...def, columns: def.columns.map((c, i) => (pk.columns.includes(i) && c.nullable ? { ...c, nullable: false } : c)) };
}

/** MODIFY c def / CHANGE old new def, with FIRST | AFTER x: a new definition, converting the stored values. */
function replaceColumn(catalog: CatalogWriter, def: TableDef, oldName: string, a: { column: AstColumn; first?: boolean; after?: string }, env: StatementEnv): TableDef {
  const oldPos = columnPos(def, oldName);
  const old = def.columns[oldPos];
  if (!sameName(old.name, a.column.name) && def.columns.some((c) => sameName(c.name, a.column.name))) {
    throw sqlError('DUP_FIELDNAME', `Duplicate column name '${a.column.name}'`);
  }
  const col = buildColumn(a.column, env, def.collation);
  const renamed = !sameName(old.name, col.name);
  if (renamed) {
    checkNoGeneratedDependency(def, oldPos);
    guardCheckColumn(def, old.name);
  }
  const others = def.columns.filter((_, i) => i !== oldPos);
  const pos = placement(others, a, oldPos, def.name);
  const columns = [...others.slice(0, pos), col, ...others.slice(pos)];
  const from = columns.map((c) => (c === col ? oldPos : def.columns.indexOf(c)));
  const where = def.columns.map((c, i) => (i === oldPos ? pos : columns.indexOf(c)));
  let next = keyColumnsNotNull(withColumnKeys({ ...def, columns, ...remapIndexes(def, where) }, a.column, pos));
  if (renamed) next = followColumnRename(catalog, def, next, old.name, col.name);
  checkForeignKeyTypes(catalog, next);
  checkAutoKey(next);
  for (const ix of [next.primaryKey, ...next.indexes]) {
    if (ix) indexColumns(ix.columns.map((i, k) => ({ column: next.columns[i].name, length: ix.prefixLengths?.[k] })), next);
  }
  // A FULLTEXT key's column must stay a string (1283).
  for (const f of next.fulltext ?? []) fulltextKey(next.columns, undefined, f.columns.map((column) => ({ column })), new Set());
  const changed = JSON.stringify(old.type) !== JSON.stringify(next.columns[pos].type) || (old.nullable && !next.columns[pos].nullable);
  const sameGenerated = JSON.stringify(old.generated) === JSON.stringify(col.generated);
  if (!changed && pos === oldPos && sameGenerated && !hasGenerated(next)) {
    // Same storage: only metadata (name, default, comment ...) changes, so the rows stay.
    catalog.alterTable(next);
    return tableOrThrow(catalog, next.schema, next.name);
  }
  return rebuild(catalog, next, { columns: next.columns, from, convert: changed ? new Set([pos]) : new Set() }, env);
}

/** RENAME COLUMN a TO b: metadata only; indexes follow by position. */
function renameColumn(catalog: CatalogWriter, def: TableDef, oldName: string, newName: string): TableDef {
  const pos = columnPos(def, oldName);
  checkName(newName, 'column');
  if (def.columns.some((c, i) => i !== pos && sameName(c.name, newName))) throw sqlError('DUP_FIELDNAME', `Duplicate column name '${newName}'`);
  if (sameName(oldName, newName)) return def;
  checkNoGeneratedDependency(def, pos);
  guardCheckColumn(def, def.columns[pos].name);
  const next = { ...def, columns: def.columns.map((c, i) => (i === pos ? { ...c, name: newName } : c)) };
  catalog.alterTable(followColumnRename(catalog, def, next, def.columns[pos].name, newName));
  return tableOrThrow(catalog, def.schema, def.name);
}

/** ALTER [COLUMN] c SET DEFAULT x / DROP DEFAULT. */
function alterDefault(catalog: CatalogWriter, def: TableDef, name: string, expr: AstColumn['default'], isExpression: boolean, env: StatementEnv): TableDef {
  const pos = columnPos(def, name);
  const col = def.columns[pos];
  let changed: ColumnDef;
  if (expr === undefined) {
    const { default: _d, ...rest } = col;
    void _d;
    changed = rest;
  } else {
    changed = { ...col, default: buildDefault({ name: col.name, dataType: col.type, default: expr, ...(isExpression ? { defaultIsExpression: true } : {}) }, col.type, env) };
    if (changed.default?.kind === 'value' && changed.default.value === null && !col.nullable) throw sqlError('INVALID_DEFAULT', `Invalid default value for '${col.name}'`);
  }
  const columns = def.columns.map((c, i) => (i === pos ? changed : c));
  checkExpressionDefaults({ ...def, columns }, env.session);
  catalog.alterTable({ ...def, columns });
  return tableOrThrow(catalog, def.schema, def.name);
}

/** RENAME INDEX|KEY a TO b: metadata only. */
function renameIndex(catalog: CatalogWriter, def: TableDef, oldName: string, newName: string): TableDef {
  if (sameName(oldName, 'PRIMARY') || sameName(newName, 'PRIMARY')) throw sqlError('WRONG_NAME_FOR_INDEX', `Incorrect index name '${sameName(oldName, 'PRIMARY') ? oldName : newName}'`);
  const ix = def.indexes.find((i) => sameName(i.name, oldName));
  const ft = def.fulltext?.find((f) => sameName(f.name, oldName));
  if (!ix && !ft) throw sqlError('KEY_DOES_NOT_EXIST', `Key '${oldName}' doesn't exist in table '${def.name}'`);
  checkName(newName, 'index');
  const taken = takenIndexNames(def);
  taken.delete(oldName.toLowerCase());
  if (taken.has(newName.toLowerCase())) throw sqlError('DUP_KEYNAME', `Duplicate key name '${newName}'`);
  if (ft) catalog.alterTable({ ...def, fulltext: def.fulltext?.map((f) => (f === ft ? { ...f, name: newName } : f)) });
  else catalog.alterTable({ ...def, indexes: def.indexes.map((i) => (i === ix ? { ...i, name: newName } : i)) });
  return tableOrThrow(catalog, def.schema, def.name);
}

/** ADD PRIMARY KEY (cols): its columns become NOT NULL and the rows are re-keyed (1062 on duplicates). */
function addPrimaryKey(catalog: CatalogWriter, def: TableDef, cols: IndexColumn[], env: StatementEnv): TableDef {
  if (def.primaryKey) throw sqlError('MULTIPLE_PRI_KEY', 'Multiple primary key defined');
  const ic = indexColumns(cols, def);
  if (ic.prefixLengths) throw sqlError('NOT_SUPPORTED_YET', 'This version of mizzle does not yet support prefix lengths in a PRIMARY KEY');
  const primaryKey: IndexDef = { name: 'PRIMARY', unique: true, id: 0, ...ic };
  const redundant = foreignKeyIndexesCoveredBy(def, primaryKey);
  const next = keyColumnsNotNull({ ...def, primaryKey, indexes: def.indexes.filter((ix) => !redundant.includes(ix)) });
  const convert = new Set(ic.columns.filter((i) => def.columns[i].nullable));
  return rebuild(catalog, next, { columns: next.columns, from: next.columns.map((_, i) => i), convert }, env);
}

/** DROP PRIMARY KEY: rows go back to a hidden row id (1091 without one, 1075 if it was the AUTO_INCREMENT column's key). */
function dropPrimaryKey(catalog: CatalogWriter, def: TableDef, env: StatementEnv): TableDef {
  if (!def.primaryKey) throw sqlError('NO_SUCH_INDEX', 'Can\'t DROP \'PRIMARY\'; check that column/key exists');
  const next: TableDef = { ...def, primaryKey: undefined };
  checkAutoKey(next);
  return rebuild(catalog, next, { columns: def.columns, from: def.columns.map((_, i) => i), convert: new Set() }, env);
}

/**
 * A column leaves every index it is part of, as in MySQL 8; an index left without columns goes
 * (a primary key so emptied makes the rows fall back to a hidden row id).
 */
function withoutIndexColumn(def: TableDef, pos: number): Pick<TableDef, 'primaryKey' | 'indexes'> {
  const shrink = (ix: IndexDef): IndexDef | undefined => {
    const keep = ix.columns.map((c, k) => (c === pos ? -1 : k)).filter((k) => k >= 0);
    if (keep.length === ix.columns.length) return ix;
    if (keep.length === 0) return undefined;
    const prefixLengths = ix.prefixLengths && keep.map((k) => ix.prefixLengths![k]);
    return { ...ix, columns: keep.map((k) => ix.columns[k]), ...(prefixLengths && prefixLengths.some((l) => l !== undefined) ? { prefixLengths } : { prefixLengths: undefined }) };
  };
  return {
    primaryKey: def.primaryKey && shrink(def.primaryKey),
    indexes: def.indexes.map(shrink).filter((ix): ix is IndexDef => ix !== undefined),
  };
}

/** DROP [COLUMN] c: 1091 if unknown; the column leaves its indexes (rows re-keyed: 1062 when a unique key no longer is). */
function dropColumn(catalog: CatalogWriter, def: TableDef, name: string, ifExists: boolean, env: StatementEnv): TableDef {
  const pos = def.columns.findIndex((c) => sameName(c.name, name));
  if (pos < 0) {
    if (ifExists) return def;
    throw sqlError('NO_SUCH_INDEX', `Can't DROP '${name}'; check that column/key exists`);
  }
  checkNoGeneratedDependency(def, pos);
  if (def.columns.length === 1) throw sqlError('CANT_REMOVE_ALL_FIELDS', 'You can\'t delete all columns with ALTER TABLE; use DROP TABLE instead');
  guardColumnDrop(catalog, def, def.columns[pos].name);
  const columns = def.columns.filter((_, i) => i !== pos);
  const where = def.columns.map((_, i) => (i < pos ? i : i - 1));
  const next: TableDef = fulltextAfterDrop({ ...def, columns, ...remapIndexes({ ...def, ...withoutIndexColumn(def, pos) }, where) }, def.columns[pos].name);
  checkAutoKey(next);
  return rebuild(catalog, next, { columns, from: columns.map((c) => def.columns.indexOf(c)), convert: new Set() }, env);
}

/** ADD constraint: indexes are built, PRIMARY KEY re-keys, FULLTEXT keys are recorded, SPATIAL ones are not built, FOREIGN KEY/CHECK are checked against the rows. */
function addConstraint(catalog: CatalogWriter, def: TableDef, c: TableConstraint, env: StatementEnv, io: AlterRows): TableDef {
  switch (c.kind) {
    case 'unique':
    case 'index':
      return addIndex(catalog, def, c.name, c.kind === 'unique', c.columns, false, env);
    case 'primary':
      return addPrimaryKey(catalog, def, c.columns, env);
    case 'fulltext':
      catalog.alterTable(withFulltextKey(def, c.name, c.columns));
      return tableOrThrow(catalog, def.schema, def.name);
    case 'spatial':
      warnIndexNotBuilt(env, c.kind, c.name, c.columns, def);
      return def;
    case 'foreign':
      if (def.temporary) throw sqlError('CANNOT_ADD_FOREIGN', 'Cannot add foreign key constraint');
      return addForeignKey(catalog, def, c, env, io);
    case 'check':
      return addCheck(catalog, def, c, env, io);
  }
}

function applyAction(catalog: CatalogWriter, def: TableDef, action: AlterAction, env: StatementEnv, io: AlterRows): TableDef {
  switch (action.kind) {
    case 'addConstraint':
      return addConstraint(catalog, def, action.constraint, env, io);
    case 'dropIndex':
      if (sameName(action.name, 'PRIMARY')) return dropPrimaryKey(catalog, def, env);
      return dropIndex(catalog, def, action.name, !!action.ifExists, env);
    case 'dropPrimaryKey':
      return dropPrimaryKey(catalog, def, env);
    case 'dropForeignKey':
      return dropForeignKey(catalog, def, action.name);
    case 'dropConstraint':
      return dropConstraint(catalog, def, action.name, action.which, env, () => dropPrimaryKey(catalog, def, env));
    case 'alterCheck':
      return alterCheck(catalog, def, action.name, action.enforced, env, io);
    case 'addColumn':
      return addColumn(catalog, def, action, env);
    case 'dropColumn':
      return dropColumn(catalog, def, action.name, !!action.ifExists, env);
    case 'modifyColumn':
      return replaceColumn(catalog, def, action.column.name, action, env);
    case 'changeColumn':
      checkName(action.column.name, 'column');
      return replaceColumn(catalog, def, action.oldName, action, env);
    case 'renameColumn':
      return renameColumn(catalog, def, action.oldName, action.newName);
    case 'alterColumnDefault':
      return alterDefault(catalog, def, action.name, action.default, action.defaultIsExpression === true, env);
    case 'renameIndex':
      return renameIndex(catalog, def, action.oldName, action.newName);
    case 'renameTable': {
      const to = currentDb(env, action.to.schema);
      if (sameName(to, def.schema) && action.to.name === def.name) return def;
      checkName(action.to.name, 'table');
      if (!catalog.getSchema(to)) throw sqlError('BAD_DB', `Unknown database '${to}'`);
      if (catalog.getTable(to, action.to.name) || catalog.getView(to, action.to.name)) throw sqlError('TABLE_EXISTS', `Table '${action.to.name}' already exists`);
      const children = referencingKeys(catalog, def.schema, def.name);
      catalog.renameTable(def.schema, def.name, to, action.to.name);
      followTableRename(catalog, children, def, { schema: to, name: action.to.name });
      return tableOrThrow(catalog, to, action.to.name);
    }
    case 'options':
      return def;
  }
}

/**
 * The catalog as one ALTER TABLE sees it: definition changes and row rewrites of consecutive specs are
 * held and applied as one copy at the end, so each row passes through every conversion in turn (MySQL's
 * single copy, with its warnings in row order). Steps that work on stored rows themselves (building
 * or dropping an index, renaming) apply what is held first.
 */
class DeferredAlter implements CatalogWriter {
  private pending: TableDef | undefined;
  private readonly transforms: ((row: Row) => Row)[] = [];

  constructor(private readonly base: CatalogWriter) {}

  flush(): void {
    const def = this.pending;
    if (def === undefined) return;
    this.pending = undefined;
    const steps = this.transforms.splice(0);
    this.base.alterTable(def, steps.length === 0 ? undefined : (row) => steps.reduce((r, t) => t(r), row));
  }

  /** The stored definition of `table` once held changes are applied (its id changes when rows were rewritten). */
  private current(table: TableDef): TableDef {
    this.flush();
    return tableOrThrow(this.base, table.schema, table.name);
  }

  alterTable(def: TableDef, rebuild?: (row: Row) => Row): void {
    if (this.pending && this.pending.id !== def.id) this.flush();
    this.pending = def;
    if (rebuild) this.transforms.push(rebuild);
  }

  getTable(schema: string, name: string): TableDef | undefined {
    const p = this.pending;
    if (p && p.schema === schema && p.name === name) return p;
    return this.base.getTable(schema, name);
  }

  addIndex(table: TableDef, index: IndexDef): TableDef { return this.base.addIndex(this.current(table), index); }
  dropIndex(table: TableDef, name: string): TableDef { return this.base.dropIndex(this.current(table), name); }

  renameTable(schema: string, name: string, toSchema: string, toName: string): void {
    this.flush();
    this.base.renameTable(schema, name, toSchema, toName);
  }

  listSchemas(): SchemaDef[] { return this.base.listSchemas(); }
  getSchema(name: string): SchemaDef | undefined { return this.base.getSchema(name); }
  listTables(schema: string): TableDef[] { return this.base.listTables(schema); }
  listViews(schema: string): ViewDef[] { return this.base.listViews(schema); }
  getView(schema: string, name: string): ViewDef | undefined { return this.base.getView(schema, name); }
  createSchema(def: SchemaDef): void { this.base.createSchema(def); }
  alterSchema(def: SchemaDef): void { this.base.alterSchema(def); }
  dropSchema(name: string): void { this.base.dropSchema(name); }
  createTable(def: Omit<TableDef, 'id'>, autoIncrementStart?: number | bigint): TableDef { return this.base.createTable(def, autoIncrementStart); }
  dropTable(schema: string, name: string): void { this.base.dropTable(schema, name); }
  createView(def: ViewDef): void { this.base.createView(def); }
  dropView(schema: string, name: string): void { this.base.dropView(schema, name); }
}

/**
 * MySQL builds the new table from all specs at once: dropped keys and constraints are gone before the
 * columns change, and new keys and constraints see the final columns. So `ADD INDEX (c), ADD COLUMN c`
 * and `DROP FOREIGN KEY fk, DROP COLUMN c` work in any order; a rename of the table comes last.
 */
function alterPhase(action: AlterAction): number {
  switch (action.kind) {
    case 'dropIndex': case 'dropPrimaryKey': case 'dropForeignKey': case 'dropConstraint':
      return 0;
    case 'addColumn': case 'dropColumn': case 'modifyColumn': case 'changeColumn': case 'renameColumn': case 'alterColumnDefault':
      return 1;
    case 'renameTable':
      return 3;
    default:
      return 2;
  }
}

export function executeAlterTable(stmt: AlterTableStmt, env: StatementEnv): StatementResult {
  const schema = currentDb(env, stmt.table.schema);
  return env.write((tx) => {
    const catalog = new DeferredAlter(tx.catalog);
    let def = tableOrThrow(catalog, schema, stmt.table.name);
    const io: AlterRows = {
      rows: (d) => {
        catalog.flush();
        return tx.table(tableOrThrow(tx.catalog, d.schema, d.name)).scan(undefined);
      },
      writer: (d) => tx.table(d),
    };
    // Specs apply in MySQL's phases (see alterPhase), in order within one, each to the previous one's result;
    // any failure aborts the whole statement's transaction.
    const actions = stmt.actions.map((action, i) => ({ action, i })).sort((a, b) => alterPhase(a.action) - alterPhase(b.action) || a.i - b.i);
    for (const { action } of actions) def = applyAction(catalog, def, action, env, io);
    catalog.flush();
    return OK;
  });
}
