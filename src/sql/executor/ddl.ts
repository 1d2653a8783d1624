// DDL: databases, tables, indexes, views; column definitions turned into catalog entries.
import { fulltextKey, takenIndexNames, withFulltextKey, withoutFulltextKey } from './fulltext-ddl.js';
import { sqlError } from '../../base/errors.js';
import type { StatementResult } from '../../base/result.js';
import type {
  AlterDatabaseStmt, AlterTableStmt, ColumnDef as AstColumn, CreateDatabaseStmt, CreateIndexStmt, CreateTableStmt, CreateViewStmt,
  DropDatabaseStmt, DropIndexStmt, DropTableStmt, DropViewStmt, IndexColumn, RenameTableStmt, TruncateStmt, TableConstraint,
} from '../parser/ast.js';
import { Scope } from '../analyzer/scope.js';
import { compileExpr } from '../analyzer/compile-expr.js';
import { valueFromJson, valueToJson } from '../../storage/value-json.js';
import type { ColumnDef, ColumnDefault, FulltextDef, IndexDef, TableDef } from '../../storage/table-def.js';
import { coerceValue } from '../types/coerce.js';
import { formatDateTime } from '../../base/temporal.js';
import { DEFAULT_COLLATION, getCollation, getCharset } from '../../base/collation.js';
import { isBinaryType, isIntegerType, isStringType, type SqlType } from '../../base/sql-type.js';
import type { Row, Value } from '../../base/value.js';
import type { CatalogWriter, StatementEnv } from './statement-env.js';
import { checkExpressionDefaults, expressionDefault } from './expression-defaults.js';
import { checkGeneratedColumns, generatedDefinition } from './generated-column-ddl.js';
import { computeGenerated, hasGenerated } from './generated-columns.js';
import { runQuery } from './query.js';
import {
  addForeignKeys, checkDropParent, checkIndexDrop, checkTruncate, followTableRename, foreignKeyChecks, foreignKeyIndexesCoveredBy, referencingKeys,
} from './foreign-key-ddl.js';
import { buildChecks, checkNamesInSchema } from './check-constraints.js';
import { constrainedTx } from './constraint-writer.js';

const OK: StatementResult = { kind: 'ok', affectedRows: 0, insertId: 0 };
const NAME_MAX = 64;

export function checkName(name: string, kind: 'database' | 'table' | 'column' | 'index'): void {
  if (name.length > NAME_MAX) throw sqlError('TOO_LONG_IDENT', `Identifier name '${name}' is too long`);
  if (name === '' || / $/.test(name)) {
    if (kind === 'database') throw sqlError('WRONG_DB_NAME', `Incorrect database name '${name}'`);
    if (kind === 'table') throw sqlError('WRONG_TABLE_NAME', `Incorrect table name '${name}'`);
    throw sqlError('WRONG_COLUMN_NAME', `Incorrect column name '${name}'`);
  }
}

export function currentDb(env: StatementEnv, schema: string | undefined): string {
  const db = schema ?? env.session.database;
  if (!db) throw sqlError('NO_DB', 'No database selected');
  return db;
}

export function executeCreateDatabase(stmt: CreateDatabaseStmt, env: StatementEnv): StatementResult {
  checkName(stmt.name, 'database');
  return env.write((tx) => {
    if (tx.catalog.getSchema(stmt.name)) {
      if (stmt.ifNotExists) {
        env.session.warn(1007, `Can't create database '${stmt.name}'; database exists`, 'Note');
        return OK;
      }
      throw sqlError('DB_CREATE_EXISTS', `Can't create database '${stmt.name}'; database exists`);
    }
    const { charset, collation } = resolveCharset(stmt.charset, stmt.collation);
    tx.catalog.createSchema({ name: stmt.name, charset, collation });
    return { kind: 'ok', affectedRows: 1, insertId: 0 };
  });
}

function resolveCharset(charset: string | undefined, collation: string | undefined): { charset: string; collation: string } {
  if (collation) {
    const c = getCollation(collation.toLowerCase());
    if (!c) throw sqlError('UNKNOWN_COLLATION', `Unknown collation: '${collation}'`);
    if (charset && c.charset !== normalizeCharset(charset)) throw sqlError('COLLATION_CHARSET_MISMATCH', `COLLATION '${collation}' is not valid for CHARACTER SET '${charset}'`);
    return { charset: c.charset, collation: c.name };
  }
  if (charset) {
    const cs = getCharset(normalizeCharset(charset));
    if (!cs) throw sqlError('UNKNOWN_CHARACTER_SET', `Unknown character set: '${charset}'`);
    return { charset: cs.name, collation: cs.defaultCollation };
  }
  return { charset: 'utf8mb4', collation: DEFAULT_COLLATION };
}

function normalizeCharset(cs: string): string {
  const c = cs.toLowerCase();
  return c === 'utf8' ? 'utf8mb3' : c;
}

/**
 * ALTER DATABASE: a new character set and collation for the schema's later tables (existing ones keep theirs, as in
 * MySQL). READ ONLY = 0 and ENCRYPTION = 'N' are what every mizzle schema is; the opposites answer 1235.
 */
export function executeAlterDatabase(stmt: AlterDatabaseStmt, env: StatementEnv): StatementResult {
  const name = currentDb(env, stmt.name);
  if (stmt.readOnly === true) throw sqlError('NOT_SUPPORTED_YET', "This version of mizzle doesn't yet support 'ALTER DATABASE ... READ ONLY = 1'");
  if (stmt.encryption !== undefined) {
    const e = stmt.encryption.toUpperCase();
    if (e !== 'Y' && e !== 'N') throw sqlError('INVALID_ENCRYPTION_OPTION', 'Invalid encryption option.');
    if (e === 'Y') throw sqlError('NOT_SUPPORTED_YET', "This version of mizzle doesn't yet support 'ALTER DATABASE ... ENCRYPTION = 'Y''");
  }
  return env.write((tx) => {
    const schema = tx.catalog.getSchema(name);
    if (!schema) throw sqlError('BAD_DB', `Unknown database '${name}'`);
    if (stmt.charset !== undefined || stmt.collation !== undefined) {
      const { charset, collation } = resolveCharset(stmt.charset, stmt.collation);
      tx.catalog.alterSchema({ ...schema, charset, collation });
    }
    return { kind: 'ok', affectedRows: 1, insertId: 0 };
  });
}

export function executeDropDatabase(stmt: DropDatabaseStmt, env: StatementEnv): StatementResult {
  return env.write((tx) => {
    const schema = tx.catalog.getSchema(stmt.name);
    if (!schema) {
      if (stmt.ifExists) {
        env.session.warn(1008, `Can't drop database '${stmt.name}'; database doesn't exist`, 'Note');
        return OK;
      }
      throw sqlError('DB_DROP_EXISTS', `Can't drop database '${stmt.name}'; database doesn't exist`);
    }
    const tables = tx.catalog.listTables(stmt.name).length;
    tx.catalog.dropSchema(stmt.name);
    if (env.session.database === stmt.name) env.session.database = null;
    return { kind: 'ok', affectedRows: tables, insertId: 0 };
  });
}

/** Turns a parsed column definition into a catalog column, validating type and default. */
export function buildColumn(c: AstColumn, env: StatementEnv, tableCollation: string): ColumnDef {
  checkName(c.name, 'column');
  const type: SqlType = { ...c.dataType };
  validateType(c.name, type);
  if (isStringType(type) && type.kind !== 'json') {
    const coll = c.collation || c.charset ? resolveCharset(c.charset, c.collation).collation : type.collation ?? tableCollation;
    if (coll !== DEFAULT_COLLATION) type.collation = coll;
    else delete type.collation;
  }
  if (type.kind === 'enum' || type.kind === 'set') type.length = Math.max(1, ...(type.values ?? ['']).map((v) => v.length));
  const col: ColumnDef = { name: c.name, type, nullable: !(c.notNull || c.primaryKey) };
  if (c.autoIncrement) {
    if (!isIntegerType(type) && type.kind !== 'float' && type.kind !== 'double') throw sqlError('WRONG_FIELD_SPEC', `Incorrect column specifier for column '${c.name}'`);
    col.autoIncrement = true;
  }
  if (c.comment) col.comment = c.comment;
  if (c.onUpdateCurrentTimestamp) col.onUpdateNow = true;
  const generated = generatedDefinition(c);
  if (generated) col.generated = generated;
  if (c.default) col.default = buildDefault(c, type, env);
  if (col.default?.kind === 'value' && col.default.value === null && !col.nullable) {
    throw sqlError('INVALID_DEFAULT', `Invalid default value for '${c.name}'`);
  }
  return col;
}

function validateType(name: string, t: SqlType): void {
  if (t.kind === 'decimal') {
    const p = t.precision ?? 10;
    const s = t.scale ?? 0;
    if (p > 65) throw sqlError('TOO_BIG_PRECISION', `Too-big precision ${p} specified for '${name}'. Maximum is 65.`);
    if (s > 30) throw sqlError('TOO_BIG_SCALE', `Too big scale ${s} specified for column '${name}'. Maximum is 30.`);
    if (s > p) throw sqlError('M_BIGGER_THAN_D', `For float(M,D), double(M,D) or decimal(M,D), M must be >= D (column '${name}').`);
  }
  if ((t.kind === 'varchar' || t.kind === 'varbinary') && t.length === undefined) {
    throw sqlError('PARSE', `You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near '' at line 1`);
  }
  if ((t.kind === 'char' || t.kind === 'binary') && (t.length ?? 1) > 255) {
    throw sqlError('TOO_BIG_FIELDLENGTH', `Column length too big for column '${name}' (max = 255); use BLOB or TEXT instead`);
  }
  if (t.kind === 'varchar' && (t.length ?? 0) > 16383) {
    throw sqlError('TOO_BIG_FIELDLENGTH', `Column length too big for column '${name}' (max = 16383); use BLOB or TEXT instead`);
  }
  if (t.fsp !== undefined && t.fsp > 6) throw sqlError('TOO_BIG_PRECISION', `Too-big precision ${t.fsp} specified for '${name}'. Maximum is 6.`);
}

export function buildDefault(c: AstColumn, type: SqlType, env: StatementEnv): ColumnDefault {
  const d = c.default as NonNullable<AstColumn['default']>;
  if (c.defaultIsExpression) return expressionDefault(c.name, d);
  const isNow = d.type === 'call' && ['CURRENT_TIMESTAMP', 'NOW', 'LOCALTIME', 'LOCALTIMESTAMP'].includes(d.name);
  if (isNow) {
    if (type.kind !== 'datetime' && type.kind !== 'timestamp') throw sqlError('INVALID_DEFAULT', `Invalid default value for '${c.name}'`);
    return { kind: 'now', fsp: type.fsp };
  }
  if (isBinaryType(type) && type.kind !== 'binary' && type.kind !== 'varbinary' && type.kind !== 'bit' && !(d.type === 'literal' && d.kind === 'null')) {
    throw sqlError('BLOB_CANT_HAVE_DEFAULT', `BLOB, TEXT, GEOMETRY or JSON column '${c.name}' can't have a default value`);
  }
  if ((type.kind.endsWith('text') || type.kind === 'json') && !(d.type === 'literal' && d.kind === 'null')) {
    throw sqlError('BLOB_CANT_HAVE_DEFAULT', `BLOB, TEXT, GEOMETRY or JSON column '${c.name}' can't have a default value`);
  }
  let v: Value;
  try {
    v = compileExpr(d, { scope: new Scope([]), session: env.session, clause: 'field list' }).eval([], env.ctx);
  } catch {
    throw sqlError('INVALID_DEFAULT', `Invalid default value for '${c.name}'`);
  }
  if (v === null) return { kind: 'value', value: null };
  let bad = false;
  const coerced = coerceValue(v, type, { mode: 'store', strict: true, column: c.name, rowNumber: 1, warn: () => { bad = true; } });
  if (bad) throw sqlError('INVALID_DEFAULT', `Invalid default value for '${c.name}'`);
  return { kind: 'value', value: valueToJson(coerced) };
}

export function indexColumns(cols: IndexColumn[], def: { columns: ColumnDef[] }): { columns: number[]; prefixLengths?: (number | undefined)[] } {
  const positions = cols.map((ic) => {
    const i = def.columns.findIndex((c) => c.name.toLowerCase() === ic.column.toLowerCase());
    if (i < 0) throw sqlError('KEY_COLUMN_DOES_NOT_EXIST', `Key column '${ic.column}' doesn't exist in table`);
    const t = def.columns[i].type;
    if (t.kind === 'json') {
      throw sqlError('JSON_USED_AS_KEY', `JSON column '${def.columns[i].name}' supports indexing only via generated columns on a specified JSON path.`);
    }
    if ((t.kind.endsWith('text') || t.kind.endsWith('blob')) && ic.length === undefined) {
      throw sqlError('BLOB_KEY_WITHOUT_LENGTH', `BLOB/TEXT column '${def.columns[i].name}' used in key specification without a key length`);
    }
    if (ic.length !== undefined) checkPrefixLength(def.columns[i], ic.length);
    return i;
  });
  if (new Set(positions).size !== positions.length) throw sqlError('DUP_FIELDNAME', `Duplicate column name '${cols[0].column}'`);
  const prefix = cols.map((c) => c.length);
  return prefix.some((p) => p !== undefined) ? { columns: positions, prefixLengths: prefix } : { columns: positions };
}

/** A key prefix col(n): 1391 for 0; 1089 on a column that is no string, or beyond a CHAR/BINARY column's length. */
function checkPrefixLength(col: ColumnDef, length: number): void {
  if (length === 0) throw sqlError('KEY_PART_0', `Key part '${col.name}' length cannot be 0`);
  const t = col.type;
  const sized = t.kind === 'char' || t.kind === 'varchar' || t.kind === 'binary' || t.kind === 'varbinary';
  if ((!isStringType(t) && !isBinaryType(t)) || (sized && t.length !== undefined && length > t.length)) {
    throw sqlError('WRONG_SUB_KEY', "Incorrect prefix key; the used key part isn't a string, the used length is longer than the key part, or the storage engine doesn't support unique prefix keys");
  }
}

/** A generated index name as MySQL picks it: the first column's name, then _2, _3 ... on collision. */
export function indexName(base: string, taken: Set<string>): string {
  let name = base;
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}_${n}`;
  return name;
}

/** 1075 unless at most one column is AUTO_INCREMENT and it leads some index (MySQL's rule, kept by every DDL). */
export function checkAutoKey(def: Pick<TableDef, 'columns' | 'primaryKey' | 'indexes'>): void {
  const ai = def.columns.filter((c) => c.autoIncrement);
  if (ai.length > 1) throw sqlError('WRONG_AUTO_KEY', 'Incorrect table definition; there can be only one auto column and it must be defined as a key');
  if (ai.length === 1) {
    const pos = def.columns.indexOf(ai[0]);
    const keyed = [def.primaryKey, ...def.indexes].some((ix) => ix && ix.columns[0] === pos);
    if (!keyed) throw sqlError('WRONG_AUTO_KEY', 'Incorrect table definition; there can be only one auto column and it must be defined as a key');
  }
}

/**
 * SPATIAL indexes are accepted so schemas from dumps and ORMs load, but not built: the statement succeeds with a
 * warning naming the index, and no index exists afterwards.
 */
export function warnIndexNotBuilt(env: StatementEnv, kind: 'spatial', name: string | undefined, cols: IndexColumn[], def: { columns: ColumnDef[] }): void {
  // The columns must still exist (1072); TEXT needs no prefix length here, as for a real FULLTEXT index.
  indexColumns(cols.map((ic) => ({ column: ic.column, length: ic.length ?? 1 })), def);
  name ??= cols[0].column;
  env.session.warn(1235, `mizzle does not build ${kind.toUpperCase()} indexes yet; index '${name}' was not created`, 'Warning');
}

/** Builds a table definition from CREATE TABLE's columns and constraints. */
function buildTable(stmt: CreateTableStmt, schema: string, env: StatementEnv, engine: string, catalog: CatalogWriter): Omit<TableDef, 'id'> {
  const opts = stmt.options;
  // Without a character set or collation of its own, a table takes its database's (CREATE/ALTER DATABASE), as in MySQL.
  const tableCharset = opts.CHARSET ?? opts['CHARACTER SET'];
  const inherited = tableCharset === undefined && opts.COLLATE === undefined ? catalog.getSchema(schema) : undefined;
  const { charset, collation } = inherited ?? resolveCharset(tableCharset, opts.COLLATE);
  if (stmt.columns.length === 0) throw sqlError('TABLE_MUST_HAVE_COLUMNS', 'A table must have at least 1 column');
  const names = new Set<string>();
  const columns = stmt.columns.map((c) => {
    if (names.has(c.name.toLowerCase())) throw sqlError('DUP_FIELDNAME', `Duplicate column name '${c.name}'`);
    names.add(c.name.toLowerCase());
    return buildColumn(c, env, collation);
  });
  const shape = { columns };
  let primaryKey: IndexDef | undefined;
  const indexes: IndexDef[] = [];
  const taken = new Set<string>(['primary']);
  const fulltext: FulltextDef[] = [];
  let nextId = 1;
  const constraints: TableConstraint[] = [...stmt.constraints];
  stmt.columns.forEach((c) => {
    if (c.primaryKey) constraints.unshift({ kind: 'primary', columns: [{ column: c.name }] });
    if (c.unique) constraints.push({ kind: 'unique', columns: [{ column: c.name }] });
  });
  for (const con of constraints) {
    if (con.kind === 'primary') {
      if (primaryKey) throw sqlError('MULTIPLE_PRI_KEY', 'Multiple primary key defined');
      const ic = indexColumns(con.columns, shape);
      if (ic.prefixLengths) throw sqlError('NOT_SUPPORTED_YET', 'This version of mizzle does not yet support prefix lengths in a PRIMARY KEY');
      for (const i of ic.columns) columns[i].nullable = false;
      primaryKey = { name: 'PRIMARY', unique: true, id: 0, ...ic };
    } else if (con.kind === 'unique' || con.kind === 'index') {
      const ic = indexColumns(con.columns, shape);
      const name = con.name ?? indexName(columns[ic.columns[0]].name, taken);
      if (taken.has(name.toLowerCase())) throw sqlError('DUP_KEYNAME', `Duplicate key name '${name}'`);
      taken.add(name.toLowerCase());
      indexes.push({ name, unique: con.kind === 'unique', id: nextId++, ...ic });
    } else if (con.kind === 'fulltext') {
      fulltext.push(fulltextKey(columns, con.name, con.columns, taken));
    } else if (con.kind === 'spatial') {
      warnIndexNotBuilt(env, con.kind, con.name, con.columns, shape);
    }
  }
  checkAutoKey({ columns, primaryKey, indexes });
  checkGeneratedColumns({ schema, name: stmt.table.name, columns, primaryKey }, env.session);
  checkExpressionDefaults({ schema, name: stmt.table.name, columns }, env.session);
  const base = { schema, name: stmt.table.name, columns, primaryKey, indexes, nextIndexId: nextId };
  const foreign = stmt.constraints.flatMap((c) => (c.kind === 'foreign' ? [c] : []));
  if (foreign.length > 0 && stmt.temporary) throw sqlError('CANNOT_ADD_FOREIGN', 'Cannot add foreign key constraint');
  const keyed = addForeignKeys(base, foreign, catalog, env);
  const checkClauses = [
    ...stmt.columns.flatMap((c) => (c.checks ?? []).map((clause) => ({ clause, column: c.name }))),
    ...stmt.constraints.flatMap((c) => (c.kind === 'check' ? [{ clause: c }] : [])),
  ];
  const checks = buildChecks(stmt.table.name, checkClauses, { columns }, [], checkNamesInSchema(catalog.listTables(schema), stmt.table.name));
  const def: Omit<TableDef, 'id'> = {
    ...keyed, engine, charset, collation, comment: opts.COMMENT, created: formatDateTime(env.ctx.now),
  };
  if (keyed.foreignKeys !== undefined && keyed.foreignKeys.length > 0) def.foreignKeys = keyed.foreignKeys;
  else delete def.foreignKeys;
  if (checks.length > 0) def.checks = checks;
  if (fulltext.length > 0) def.fulltext = fulltext;
  return def;
}

function engineFor(env: StatementEnv, requested: string | undefined, temporary: boolean): string {
  const name = (requested ?? (temporary ? 'memory' : env.defaultEngine())).toLowerCase();
  if (env.engineExists(name) && (temporary || env.engineShared(name))) return name;
  if (env.engineExists(name)) {
    // A session's temporary table stays on its thread; a shared table must be seen by every worker thread.
    env.session.warn(1266, `Using storage engine ${env.defaultEngine()} for table: with worker threads, ${name} tables are only for TEMPORARY tables`, 'Warning');
    return env.defaultEngine();
  }
  // InnoDB/MyISAM are what dumps and ORMs name; they map to the default engine with a note, as NO_ENGINE_SUBSTITUTION off would do.
  if (['innodb', 'myisam', 'aria', 'rocksdb', 'ndb', 'ndbcluster', 'tokudb'].includes(name)) {
    env.session.warn(1266, `Using storage engine ${env.defaultEngine()} for table`, 'Warning');
    return env.defaultEngine();
  }
  if (name === 'heap') return 'memory';
  throw sqlError('UNKNOWN_STORAGE_ENGINE', `Unknown storage engine '${requested}'`);
}

export function executeCreateTable(stmt: CreateTableStmt, env: StatementEnv): StatementResult {
  const schema = currentDb(env, stmt.table.schema);
  checkName(stmt.table.name, 'table');
  return env.write((tx) => {
    if (!tx.catalog.getSchema(schema)) throw sqlError('BAD_DB', `Unknown database '${schema}'`);
    // A temporary table may shadow a base table or view of the same name; only another temporary one is a clash.
    const existing = tx.catalog.getTable(schema, stmt.table.name);
    const clash = stmt.temporary ? existing?.temporary === true : existing !== undefined || tx.catalog.getView(schema, stmt.table.name) !== undefined;
    if (clash) {
      if (stmt.ifNotExists) {
        env.session.warn(1050, `Table '${stmt.table.name}' already exists`, 'Note');
        return OK;
      }
      throw sqlError('TABLE_EXISTS', `Table '${stmt.table.name}' already exists`);
    }
    if (stmt.like) {
      const src = tx.catalog.getTable(stmt.like.schema ?? schema, stmt.like.name);
      if (!src) throw sqlError('NO_SUCH_TABLE', `Table '${stmt.like.schema ?? schema}.${stmt.like.name}' doesn't exist`);
      // Foreign keys are not copied (as in MySQL); CHECK constraints are, under generated names (their names are per schema).
      const { id: _id, foreignKeys: _fks, checks: srcChecks, ...rest } = src;
      void _id;
      void _fks;
      const copy: Omit<TableDef, 'id'> = { ...rest, schema, name: stmt.table.name, created: formatDateTime(env.ctx.now), temporary: stmt.temporary || undefined };
      if (srcChecks !== undefined) copy.checks = srcChecks.map((ck, i) => ({ ...ck, name: `${stmt.table.name}_chk_${i + 1}` }));
      tx.catalog.createTable(copy);
      return OK;
    }
    let def: Omit<TableDef, 'id'>;
    let rows: Row[] | undefined;
    if (stmt.asQuery) {
      const result = runQuery(stmt.asQuery, env, tx);
      const fromQuery: AstColumn[] = result.columns.map((c) => ({ name: c.name, dataType: c.type.kind === 'null' ? { kind: 'binary', length: 0 } : c.type, notNull: !c.nullable }));
      const declared = new Set(stmt.columns.map((c) => c.name.toLowerCase()));
      const merged: CreateTableStmt = { ...stmt, columns: [...stmt.columns, ...fromQuery.filter((c) => !declared.has(c.name.toLowerCase()))] };
      def = buildTable(merged, schema, env, engineFor(env, stmt.options.ENGINE, stmt.temporary), tx.catalog);
      const order = result.columns.map((c) => def.columns.findIndex((d) => d.name.toLowerCase() === c.name.toLowerCase()));
      // The query may not fill a declared generated column (3105).
      const filled = order.find((pos) => def.columns[pos].generated);
      if (filled !== undefined) throw sqlError('NON_DEFAULT_VALUE_FOR_GENERATED_COLUMN', `The value specified for generated column '${def.columns[filled].name}' in table '${stmt.table.name}' is not allowed.`);
      rows = result.rows.map((r) => {
        const out: Row = def.columns.map(() => null);
        order.forEach((pos, i) => { out[pos] = r[i]; });
        return out;
      });
    } else {
      def = buildTable(stmt, schema, env, engineFor(env, stmt.options.ENGINE, stmt.temporary), tx.catalog);
    }
    if (stmt.temporary) def = { ...def, temporary: true };
    const autoStart = stmt.options.AUTO_INCREMENT ? BigInt(stmt.options.AUTO_INCREMENT) : undefined;
    const created = tx.catalog.createTable(def, autoStart === undefined ? undefined : autoStart <= 9007199254740991n ? Number(autoStart) : autoStart);
    if (rows) {
      // The copied rows are checked like an INSERT's (CHECK constraints, foreign keys).
      const w = constrainedTx(tx, env).table(created);
      const generated = hasGenerated(created);
      for (const r of rows) {
        const row = r.map((v, i) => (v === null ? null : coerceValue(v, created.columns[i].type, { mode: 'store', strict: env.ctx.strict, column: created.columns[i].name, rowNumber: 1, warn: (c, m) => env.session.warn(c, m) })));
        if (generated) computeGenerated(created, row, env.ctx);
        w.insert(row);
      }
      return { kind: 'ok', affectedRows: rows.length, insertId: 0, info: `Records: ${rows.length}  Duplicates: 0  Warnings: 0` };
    }
    return OK;
  });
}

/** DROP TABLE / DROP VIEW: every name must exist unless IF EXISTS (then each missing one is a note). */
function dropNamed(env: StatementEnv, names: { schema?: string; name: string }[], ifExists: boolean, exists: (catalog: CatalogWriter, schema: string, name: string) => boolean, drop: (catalog: CatalogWriter, schema: string, name: string) => void): StatementResult {
  return env.write((tx) => {
    const targets = names.map((n) => ({ schema: currentDb(env, n.schema), name: n.name }));
    const missing = targets.filter((t) => !exists(tx.catalog, t.schema, t.name)).map((t) => `${t.schema}.${t.name}`);
    if (missing.length && !ifExists) throw sqlError('BAD_TABLE', `Unknown table '${missing.join(',')}'`);
    for (const m of missing) env.session.warn(1051, `Unknown table '${m}'`, 'Note');
    for (const t of targets) if (exists(tx.catalog, t.schema, t.name)) drop(tx.catalog, t.schema, t.name);
    return OK;
  });
}

export function executeDropTable(stmt: DropTableStmt, env: StatementEnv): StatementResult {
  // DROP TEMPORARY TABLE touches temporary tables only; plain DROP TABLE takes a temporary one first, as MySQL does.
  const exists = stmt.temporary ? (c: CatalogWriter, s: string, n: string) => c.getTable(s, n)?.temporary === true : (c: CatalogWriter, s: string, n: string) => c.getTable(s, n) !== undefined;
  const dropping = stmt.tables.map((t) => ({ schema: currentDb(env, t.schema), name: t.name }));
  return dropNamed(env, stmt.tables, stmt.ifExists, exists, (c, s, n) => {
    const def = c.getTable(s, n);
    if (def !== undefined && !def.temporary && foreignKeyChecks(env)) checkDropParent(c, def, dropping);
    c.dropTable(s, n);
  });
}

export function tableOrThrow(catalog: CatalogWriter, schema: string, name: string): TableDef {
  const t = catalog.getTable(schema, name);
  if (!t) throw sqlError('NO_SUCH_TABLE', `Table '${schema}.${name}' doesn't exist`);
  return t;
}

export function executeCreateIndex(stmt: CreateIndexStmt, env: StatementEnv): StatementResult {
  const schema = currentDb(env, stmt.table.schema);
  return env.write((tx) => {
    const def = tableOrThrow(tx.catalog, schema, stmt.table.name);
    if (stmt.kind === 'fulltext') {
      tx.catalog.alterTable(withFulltextKey(def, stmt.name, stmt.columns));
      return OK;
    }
    if (stmt.kind) {
      warnIndexNotBuilt(env, stmt.kind, stmt.name, stmt.columns, def);
      return OK;
    }
    addIndex(tx.catalog, def, stmt.name, stmt.unique, stmt.columns, !!stmt.ifNotExists, env);
    return OK;
  });
}

export function addIndex(catalog: CatalogWriter, def: TableDef, name: string | undefined, unique: boolean, cols: IndexColumn[], ifNotExists: boolean, env: StatementEnv): TableDef {
  checkName(name ?? cols[0].column, 'index');
  const taken = takenIndexNames(def);
  const ic = indexColumns(cols, def);
  const finalName = name ?? indexName(def.columns[ic.columns[0]].name, taken);
  if (taken.has(finalName.toLowerCase())) {
    if (ifNotExists) {
      env.session.warn(1061, `Duplicate key name '${finalName}'`, 'Note');
      return def;
    }
    throw sqlError('DUP_KEYNAME', `Duplicate key name '${finalName}'`);
  }
  const added: IndexDef = { name: finalName, unique, id: def.nextIndexId, ...ic };
  let next = catalog.addIndex(def, added);
  for (const redundant of foreignKeyIndexesCoveredBy(next, added)) next = catalog.dropIndex(next, redundant.name);
  return next;
}

export function executeDropIndex(stmt: DropIndexStmt, env: StatementEnv): StatementResult {
  const schema = currentDb(env, stmt.table.schema);
  return env.write((tx) => {
    const def = tableOrThrow(tx.catalog, schema, stmt.table.name);
    dropIndex(tx.catalog, def, stmt.name, !!stmt.ifExists, env);
    return OK;
  });
}

export function dropIndex(catalog: CatalogWriter, def: TableDef, name: string, ifExists: boolean, env: StatementEnv): TableDef {
  if (name.toLowerCase() === 'primary') throw sqlError('NOT_SUPPORTED_YET', 'This version of mizzle does not yet support dropping the PRIMARY KEY');
  const withoutFulltext = withoutFulltextKey(def, name);
  if (withoutFulltext !== undefined) {
    catalog.alterTable(withoutFulltext);
    return tableOrThrow(catalog, def.schema, def.name);
  }
  if (!def.indexes.some((i) => i.name.toLowerCase() === name.toLowerCase())) {
    if (ifExists) {
      env.session.warn(1091, `Can't DROP '${name}'; check that column/key exists`, 'Note');
      return def;
    }
    throw sqlError('NO_SUCH_INDEX', `Can't DROP '${name}'; check that column/key exists`);
  }
  checkIndexDrop(def, name, catalog);
  return catalog.dropIndex(def, name);
}

export function executeTruncate(stmt: TruncateStmt, env: StatementEnv): StatementResult {
  const schema = currentDb(env, stmt.table.schema);
  return env.write((tx) => {
    const def = tableOrThrow(tx.catalog, schema, stmt.table.name);
    if (!def.temporary && foreignKeyChecks(env)) checkTruncate(tx.catalog, def);
    tx.table(def).truncate();
    return OK;
  });
}

export function executeRenameTable(stmt: RenameTableStmt, env: StatementEnv): StatementResult {
  return env.write((tx) => {
    for (const r of stmt.renames) {
      const from = currentDb(env, r.from.schema);
      const to = currentDb(env, r.to.schema);
      tableOrThrow(tx.catalog, from, r.from.name);
      if (tx.catalog.getTable(to, r.to.name)) throw sqlError('TABLE_EXISTS', `Table '${r.to.name}' already exists`);
      if (!tx.catalog.getSchema(to)) throw sqlError('BAD_DB', `Unknown database '${to}'`);
      checkName(r.to.name, 'table');
      const children = referencingKeys(tx.catalog, from, r.from.name);
      tx.catalog.renameTable(from, r.from.name, to, r.to.name);
      followTableRename(tx.catalog, children, { schema: from, name: r.from.name }, { schema: to, name: r.to.name });
    }
    return OK;
  });
}

export function executeCreateView(stmt: CreateViewStmt, env: StatementEnv): StatementResult {
  const schema = currentDb(env, stmt.name.schema);
  return env.write((tx) => {
    if (tx.catalog.getTable(schema, stmt.name.name)) throw sqlError('TABLE_EXISTS', `Table '${stmt.name.name}' already exists`);
    if (tx.catalog.getView(schema, stmt.name.name)) {
      if (stmt.ifNotExists) return OK;
      if (!stmt.orReplace) throw sqlError('TABLE_EXISTS', `Table '${stmt.name.name}' already exists`);
      tx.catalog.dropView(schema, stmt.name.name);
    }
    // Validate the query now, as MySQL does, so a broken view cannot be created.
    const result = runQuery(stmt.query, env, tx);
    if (stmt.columns && stmt.columns.length !== result.columns.length) throw sqlError('VIEW_WRONG_LIST', 'View\'s SELECT and view\'s field list have different column counts');
    tx.catalog.createView({
      schema, name: stmt.name.name, columns: stmt.columns, query: stmt.queryText,
      characterSetClient: String(env.session.getSystemVariable('character_set_client')),
      collationConnection: String(env.session.getSystemVariable('collation_connection')),
    });
    return OK;
  });
}

export function executeDropView(stmt: DropViewStmt, env: StatementEnv): StatementResult {
  return dropNamed(env, stmt.names, stmt.ifExists, (c, s, n) => c.getView(s, n) !== undefined, (c, s, n) => c.dropView(s, n));
}
