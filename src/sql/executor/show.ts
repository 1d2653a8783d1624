// SHOW statements and DESCRIBE: answered from the catalog, the session and the server, in MySQL's column layout.
import { fulltextKeyColumns } from './fulltext-ddl.js';
import { sqlError } from '../../base/errors.js';
import type { ResultColumn, StatementResult } from '../../base/result.js';
import type { ShowStmt } from '../parser/ast.js';
import { Scope, type ScopeColumn } from '../analyzer/scope.js';
import { compileExpr } from '../analyzer/compile-expr.js';
import { valueFromJson } from '../../storage/value-json.js';
import type { ColumnDef, IndexDef, TableDef } from '../../storage/table-def.js';
import { COLLATIONS, CHARSETS, DEFAULT_COLLATION } from '../../base/collation.js';
import { toBoolean } from '../types/convert.js';
import { formatValueText } from '../../base/format.js';
import { likeToRegExp } from '../types/like.js';
import { renderType } from '../types/render.js';
import type { SqlType } from '../../base/sql-type.js';
import type { Row, Value } from '../../base/value.js';
import type { Diagnostic } from '../../base/errors.js';
import { viewAsTable } from './view-columns.js';
import { showBinaryLogs, showLogStatus } from './binary-logs.js';
import { foreignKeyText } from './foreign-key-ddl.js';
import type { ReadTx, StatementEnv } from './statement-env.js';
import { informationSchemaDescribe, informationSchemaTableNames } from './information-schema.js';
import { isInformationSchema, INFORMATION_SCHEMA } from '../analyzer/system-schema.js';
import { quoteIdentifier } from '../../base/identifier.js';
import { STATIC_PRIVILEGES } from './privilege-list.js';

const VARCHAR = (n: number): SqlType => ({ kind: 'varchar', length: n });
const BIGINT: SqlType = { kind: 'bigint', length: 21 };

function col(name: string, type: SqlType = VARCHAR(64), nullable = false): ResultColumn {
  return { name, orgName: name, table: '', orgTable: '', schema: 'information_schema', type, nullable };
}

function rowsResult(columns: ResultColumn[], rows: Row[]): StatementResult {
  return { kind: 'rows', columns, rows };
}

/** Applies SHOW's LIKE (on the first column) or WHERE (over the named columns). */
function filterRows(stmt: ShowStmt, columns: ResultColumn[], rows: Row[], env: StatementEnv, caseInsensitive = true): Row[] {
  if (stmt.like !== undefined) {
    const re = likeToRegExp(stmt.like, '\\', caseInsensitive);
    return rows.filter((r) => typeof r[0] === 'string' && re.test(r[0]));
  }
  if (stmt.where) {
    const scope = new Scope(columns.map((c): ScopeColumn => ({ table: '', schema: '', orgTable: '', name: c.name, orgName: c.name, type: c.type, nullable: c.nullable })));
    const cond = compileExpr(stmt.where, { scope, session: env.session, clause: 'where clause' });
    return rows.filter((r) => toBoolean(cond.eval(r, env.ctx)) === true);
  }
  return rows;
}

function requireDb(env: StatementEnv, tx: ReadTx, name: string | undefined): string {
  const db = name ?? env.session.database;
  if (!db) throw sqlError('NO_DB', 'No database selected');
  if (!tx.catalog.getSchema(db)) throw sqlError('BAD_DB', `Unknown database '${db}'`);
  return db;
}

/** The table SHOW names; with `views`, a view described as a table (SHOW COLUMNS / DESCRIBE accept both, as MySQL does). */
function requireTable(env: StatementEnv, tx: ReadTx, stmt: ShowStmt, views = false): TableDef {
  const t = stmt.table;
  if (!t) throw sqlError('PARSE', 'Missing table name');
  const db = stmt.database ?? t.schema ?? env.session.database;
  if (!db) throw sqlError('NO_DB', 'No database selected');
  const def = tx.catalog.getTable(db, t.name);
  if (def) return def;
  const view = views ? tx.catalog.getView(db, t.name) : undefined;
  if (view) return viewAsTable(view, env, tx);
  throw sqlError('NO_SUCH_TABLE', `Table '${db}.${t.name}' doesn't exist`);
}

/** The text DESCRIBE shows as a column's default. */
export function defaultText(c: ColumnDef): Value {
  if (!c.default) return null;
  if (c.default.kind === 'now') return c.default.fsp ? `CURRENT_TIMESTAMP(${c.default.fsp})` : 'CURRENT_TIMESTAMP';
  if (c.default.kind === 'expr') return c.default.expr;
  const v = valueFromJson(c.default.value);
  if (v === null) return null;
  const t = formatValueText(v, c.type);
  return Buffer.isBuffer(t) ? t.toString('utf8') : t;
}

/** DESCRIBE's Extra column. */
export function columnExtra(c: ColumnDef): string {
  if (c.generated) return c.generated.stored ? 'STORED GENERATED' : 'VIRTUAL GENERATED';
  return [c.autoIncrement ? 'auto_increment' : '', c.default?.kind === 'now' || c.default?.kind === 'expr' ? 'DEFAULT_GENERATED' : '', c.onUpdateNow ? `on update ${onUpdateText(c)}` : ''].filter((x) => x).join(' ');
}

/**
 * ON UPDATE's function as MySQL prints it: with the column's fractional-seconds precision, which
 * MySQL requires to be the same throughout the column (TypeORM compares this text on every sync).
 */
function onUpdateText(c: ColumnDef): string {
  const fsp = c.type.fsp ?? 0;
  return fsp > 0 ? `CURRENT_TIMESTAMP(${fsp})` : 'CURRENT_TIMESTAMP';
}

/** A text column's collation (its own or the table's); null for other types. */
export function columnCollation(def: TableDef, c: ColumnDef): string | null {
  return c.type.kind === 'char' || c.type.kind === 'varchar' || c.type.kind.endsWith('text') || c.type.kind === 'enum' || c.type.kind === 'set' ? c.type.collation ?? def.collation ?? DEFAULT_COLLATION : null;
}

/** DESCRIBE's Key column: PRI, UNI, MUL or ''. */
export function keyFlag(def: TableDef, i: number): string {
  if (def.primaryKey?.columns.includes(i)) return 'PRI';
  if (def.indexes.some((ix) => ix.unique && ix.columns.length === 1 && ix.columns[0] === i)) return 'UNI';
  if (def.indexes.some((ix) => ix.columns[0] === i)) return 'MUL';
  return '';
}


function quoteString(s: string): string {
  return "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "''") + "'";
}

/**
 * SHOW CREATE TABLE text, in MySQL 8's layout. `tableOptions` false (sql_mode NO_TABLE_OPTIONS, as
 * `mariadb-dump --compatible=no_table_options` sets) leaves out everything after the closing
 * parenthesis, as MariaDB does: a dump then loads into servers that know neither the lmdb engine nor
 * MySQL 8's utf8mb4_0900_ai_ci collation.
 */
export function showCreateTable(def: TableDef, autoIncrement: number | bigint | undefined, tableOptions = true): string {
  const lines = def.columns.map((c) => {
    let s = `  ${quoteIdentifier(c.name)} ${renderType(c.type)}`;
    if (c.type.collation && c.type.collation !== def.collation) s += ` COLLATE ${c.type.collation}`;
    if (c.generated) s += ` GENERATED ALWAYS AS (${c.generated.expr}) ${c.generated.stored ? 'STORED' : 'VIRTUAL'}`;
    if (!c.nullable) s += ' NOT NULL';
    // A nullable TIMESTAMP says so: MySQL's old rules made TIMESTAMP NOT NULL unless told otherwise.
    else if (c.type.kind === 'timestamp' && !c.generated) s += ' NULL';
    const text = (c.type.kind.endsWith('text') || c.type.kind.endsWith('blob') || c.type.kind === 'json');
    if (c.default?.kind === 'now') s += ` DEFAULT ${defaultText(c)}`;
    else if (c.default?.kind === 'expr') s += ` DEFAULT (${c.default.expr})`;
    else if (c.default?.kind === 'value') {
      const d = defaultText(c);
      s += d === null ? ' DEFAULT NULL' : ` DEFAULT ${quoteString(String(d))}`;
    } else if (c.nullable && !text && !c.autoIncrement && !c.generated) s += ' DEFAULT NULL';
    if (c.onUpdateNow) s += ` ON UPDATE ${onUpdateText(c)}`;
    if (c.autoIncrement) s += ' AUTO_INCREMENT';
    if (c.comment) s += ` COMMENT ${quoteString(c.comment)}`;
    return s;
  });
  const keyCols = (ix: IndexDef) => ix.columns.map((ci, k) => quoteIdentifier(def.columns[ci].name) + (ix.prefixLengths?.[k] !== undefined ? `(${ix.prefixLengths[k]})` : '')).join(',');
  if (def.primaryKey) lines.push(`  PRIMARY KEY (${keyCols(def.primaryKey)})`);
  for (const ix of def.indexes.filter((i) => i.unique)) lines.push(`  UNIQUE KEY ${quoteIdentifier(ix.name)} (${keyCols(ix)})`);
  for (const ix of def.indexes.filter((i) => !i.unique)) lines.push(`  KEY ${quoteIdentifier(ix.name)} (${keyCols(ix)})`);
  for (const ft of def.fulltext ?? []) lines.push(`  FULLTEXT KEY ${quoteIdentifier(ft.name)} (${ft.columns.map(quoteIdentifier).join(',')})`);
  for (const fk of def.foreignKeys ?? []) lines.push(`  ${foreignKeyText(fk, def.schema)}`);
  for (const ck of def.checks ?? []) lines.push(`  CONSTRAINT ${quoteIdentifier(ck.name)} CHECK (${ck.expr})${ck.enforced ? '' : ' /*!80016 NOT ENFORCED */'}`);
  let tail = ')';
  if (tableOptions) {
    tail += ` ENGINE=${def.engine}`;
    if (autoIncrement !== undefined && BigInt(autoIncrement) > 1n) tail += ` AUTO_INCREMENT=${autoIncrement}`;
    tail += ` DEFAULT CHARSET=${def.charset} COLLATE=${def.collation}`;
    if (def.comment) tail += ` COMMENT=${quoteString(def.comment)}`;
  }
  return `CREATE ${def.temporary ? 'TEMPORARY ' : ''}TABLE ${quoteIdentifier(def.name)} (\n${lines.join(',\n')}\n${tail}`;
}

/** MySQL 8's columns of the SHOW statements that list what mizzle has none of (triggers, events, routines, profiles, open tables). */
const EMPTY_LIST_COLUMNS = {
  triggers: ['Trigger', 'Event', 'Table', 'Statement', 'Timing', 'Created', 'sql_mode', 'Definer', 'character_set_client', 'collation_connection', 'Database Collation'],
  events: ['Db', 'Name', 'Definer', 'Time zone', 'Type', 'Execute at', 'Interval value', 'Interval field', 'Starts', 'Ends', 'Status', 'Originator', 'character_set_client', 'collation_connection', 'Database Collation'],
  routines: ['Db', 'Name', 'Type', 'Definer', 'Modified', 'Created', 'Security_type', 'Comment', 'character_set_client', 'collation_connection', 'Database Collation'],
  profiles: ['Query_ID', 'Duration', 'Query'],
  openTables: ['Database', 'Table', 'In_use', 'Name_locked'],
} as const;

/** Of those columns, the ones MySQL types as numbers. */
const NUMERIC_LIST_COLUMNS = new Set(['Originator', 'Query_ID', 'Duration', 'In_use', 'Name_locked']);

function emptyList(names: readonly string[]): StatementResult {
  return rowsResult(names.map((n) => col(n, NUMERIC_LIST_COLUMNS.has(n) ? BIGINT : VARCHAR(64), true)), []);
}

export function executeShow(stmt: ShowStmt, env: StatementEnv, diagnostics: readonly Diagnostic[]): StatementResult {
  switch (stmt.what) {
    case 'warnings':
    case 'errors': {
      const cols = [col('Level', VARCHAR(7)), col('Code', { kind: 'int', unsigned: true, length: 4 }), col('Message', VARCHAR(512))];
      const list = stmt.what === 'errors' ? diagnostics.filter((d) => d.level === 'Error') : diagnostics;
      return rowsResult(cols, list.map((d) => [d.level, d.code, d.message]));
    }
    case 'countWarnings':
    case 'countErrors': {
      const n = stmt.what === 'countErrors' ? diagnostics.filter((d) => d.level === 'Error').length : diagnostics.length;
      return rowsResult([col(stmt.what === 'countErrors' ? '@@session.error_count' : '@@session.warning_count', BIGINT)], [[n]]);
    }
    case 'variables': {
      const cols = [col('Variable_name'), col('Value', VARCHAR(1024))];
      const rows: Row[] = env.session.listSystemVariables(stmt.global ? 'global' : 'session').map(([k, v]) => [k, String(v)]);
      return rowsResult(cols, filterRows(stmt, cols, rows, env));
    }
    case 'status': {
      const cols = [col('Variable_name'), col('Value', VARCHAR(1024))];
      const rows: Row[] = env.server.status(stmt.global ? 'global' : 'session').map(([k, v]) => [k, v === null ? null : String(v)]);
      return rowsResult(cols, filterRows(stmt, cols, rows, env));
    }
    case 'engines': {
      const cols = [col('Engine'), col('Support', VARCHAR(8)), col('Comment', VARCHAR(80)), col('Transactions', VARCHAR(3), true), col('XA', VARCHAR(3), true), col('Savepoints', VARCHAR(3), true)];
      const rows: Row[] = env.server.engines().map((e) => [e.name, e.isDefault ? 'DEFAULT' : 'YES', e.persistent ? 'LMDB B+tree: transactional, memory-mapped, crash-safe' : 'In memory; rows vanish at restart', 'YES', 'NO', 'NO']);
      return rowsResult(cols, filterRows(stmt, cols, rows, env));
    }
    case 'plugins': {
      const cols = [col('Name'), col('Status', VARCHAR(10)), col('Type', VARCHAR(80)), col('Library', VARCHAR(64), true), col('License', VARCHAR(80))];
      const rows: Row[] = env.server.plugins().map((p) => [p.name, p.active ? 'ACTIVE' : 'DISABLED', p.kind.toUpperCase(), null, 'Apache-2.0']);
      return rowsResult(cols, filterRows(stmt, cols, rows, env));
    }
    case 'processlist': {
      const cols = [col('Id', BIGINT), col('User', VARCHAR(32)), col('Host', VARCHAR(255)), col('db', VARCHAR(64), true), col('Command', VARCHAR(16)), col('Time', { kind: 'int', length: 7 }), col('State', VARCHAR(30), true), col('Info', VARCHAR(stmt.full ? 65535 : 100), true)];
      const rows: Row[] = env.server.processList().map((p) => [p.id, p.user, p.host, p.db, p.command, p.time, p.state, p.info === null ? null : stmt.full ? p.info : p.info.slice(0, 100)]);
      return rowsResult(cols, rows);
    }
    case 'charset': {
      const cols = [col('Charset', VARCHAR(32)), col('Description', VARCHAR(64)), col('Default collation', VARCHAR(64)), col('Maxlen', { kind: 'int', unsigned: true, length: 3 })];
      const rows: Row[] = CHARSETS.map((c) => [c.name, c.description, c.defaultCollation, c.maxlen]);
      return rowsResult(cols, filterRows(stmt, cols, rows, env));
    }
    case 'collation': {
      const cols = [col('Collation'), col('Charset', VARCHAR(32)), col('Id', { kind: 'bigint', unsigned: true, length: 20 }), col('Default', VARCHAR(3)), col('Compiled', VARCHAR(3)), col('Sortlen', { kind: 'int', unsigned: true, length: 10 }), col('Pad_attribute', VARCHAR(9))];
      const rows: Row[] = COLLATIONS.map((c) => [c.name, c.charset, c.id, c.isDefault ? 'Yes' : '', 'Yes', c.sortlen, c.padAttribute]);
      return rowsResult(cols, filterRows(stmt, cols, rows, env));
    }
    case 'grants': {
      const user = `${env.session.user}@${env.session.host}`;
      return rowsResult([col(`Grants for ${user}`, VARCHAR(1024))], [[`GRANT ALL PRIVILEGES ON *.* TO \`${env.session.user}\`@\`${env.session.host}\``]]);
    }
    case 'privileges': {
      const cols = [col('Privilege', VARCHAR(64)), col('Context', VARCHAR(64)), col('Comment', VARCHAR(64))];
      return rowsResult(cols, STATIC_PRIVILEGES.map((p) => [p.name, p.context, p.comment]));
    }
    // Features mizzle leaves out on purpose have nothing to list, under MySQL 8's column names (GUI tools read them by name).
    case 'triggers':
      return emptyList(EMPTY_LIST_COLUMNS.triggers);
    case 'events':
      return emptyList(EMPTY_LIST_COLUMNS.events);
    case 'procedureStatus':
    case 'functionStatus':
      return emptyList(EMPTY_LIST_COLUMNS.routines);
    case 'profiles':
      return emptyList(EMPTY_LIST_COLUMNS.profiles);
    case 'openTables':
      return emptyList(EMPTY_LIST_COLUMNS.openTables);
    case 'binaryLogs':
      return showBinaryLogs(env);
    case 'masterStatus':
      return showLogStatus(env);
    case 'replicaStatus': {
      const status = env.server.replicaStatus();
      const cols = status.columns.map((c) => col(c.name, c.numeric ? BIGINT : VARCHAR(1024), true));
      return rowsResult(cols, status.row ? [status.row] : []);
    }
    default:
      return env.read((tx) => showFromCatalog(stmt, env, tx));
  }
}

/** SHOW TABLES / SHOW COLUMNS / SHOW INDEX / SHOW TABLE STATUS of information_schema's virtual tables; undefined for other schemas. */
function showInformationSchema(stmt: ShowStmt, env: StatementEnv): StatementResult | undefined {
  const db = stmt.what === 'columns' || stmt.what === 'index' ? stmt.database ?? stmt.table?.schema ?? env.session.database : stmt.database ?? env.session.database;
  if (!isInformationSchema(db)) return undefined;
  switch (stmt.what) {
    case 'tables': {
      const cols = [col(stmt.like !== undefined ? `Tables_in_${INFORMATION_SCHEMA} (${stmt.like})` : `Tables_in_${INFORMATION_SCHEMA}`)];
      if (stmt.full) cols.push(col('Table_type', VARCHAR(10)));
      const rows: Row[] = informationSchemaTableNames().map((n) => (stmt.full ? [n, 'SYSTEM VIEW'] : [n]));
      return rowsResult(cols, filterRows(stmt, cols, rows, env));
    }
    case 'columns': {
      const cols = [col('Field'), col('Type', { kind: 'text' }), col('Null', VARCHAR(3)), col('Key', VARCHAR(3)), col('Default', { kind: 'text' }, true), col('Extra', VARCHAR(256))];
      const rows: Row[] = informationSchemaDescribe(stmt.table?.name ?? '').map((c) => [c.name, c.type, c.nullable ? 'YES' : 'NO', '', null, '']);
      return rowsResult(cols, filterRows(stmt, cols, rows, env));
    }
    case 'index':
      informationSchemaDescribe(stmt.table?.name ?? '');
      return rowsResult([col('Table'), col('Non_unique', { kind: 'int', length: 1 }), col('Key_name'), col('Seq_in_index', { kind: 'int', unsigned: true, length: 10 }), col('Column_name', VARCHAR(64), true)], []);
    case 'tableStatus':
      return rowsResult([col('Name'), col('Engine', VARCHAR(64), true), col('Rows', BIGINT, true), col('Comment', VARCHAR(2048), true)], informationSchemaTableNames().map((n) => [n, null, null, '']));
    default:
      return undefined;
  }
}

function showFromCatalog(stmt: ShowStmt, env: StatementEnv, tx: ReadTx): StatementResult {
  const virtual = showInformationSchema(stmt, env);
  if (virtual) return virtual;
  switch (stmt.what) {
    case 'databases': {
      const cols = [col(stmt.like !== undefined ? `Database (${stmt.like})` : 'Database')];
      const names = ['information_schema', ...tx.catalog.listSchemas().map((s) => s.name)].filter((n) => env.server.canSeeSchema(n)).sort();
      return rowsResult(cols, filterRows(stmt, cols, names.map((n) => [n]), env, false));
    }
    case 'tables': {
      const db = requireDb(env, tx, stmt.database);
      const cols = [col(stmt.like !== undefined ? `Tables_in_${db} (${stmt.like})` : `Tables_in_${db}`)];
      if (stmt.full) cols.push(col('Table_type', VARCHAR(10)));
      const visible = (name: string) => env.server.canSeeTable(db, name);
      const rows: Row[] = [
        ...tx.catalog.listTables(db).filter((t) => visible(t.name)).map((t) => (stmt.full ? [t.name, 'BASE TABLE'] : [t.name])),
        ...tx.catalog.listViews(db).filter((v) => visible(v.name)).map((v) => (stmt.full ? [v.name, 'VIEW'] : [v.name])),
      ].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
      return rowsResult(cols, filterRows(stmt, cols, rows, env, false));
    }
    case 'columns': {
      const def = requireTable(env, tx, stmt, true);
      const cols = stmt.full
        ? [col('Field'), col('Type', { kind: 'text' }), col('Collation', VARCHAR(64), true), col('Null', VARCHAR(3)), col('Key', VARCHAR(3)), col('Default', { kind: 'text' }, true), col('Extra', VARCHAR(256)), col('Privileges', VARCHAR(154)), col('Comment', { kind: 'text' })]
        : [col('Field'), col('Type', { kind: 'text' }), col('Null', VARCHAR(3)), col('Key', VARCHAR(3)), col('Default', { kind: 'text' }, true), col('Extra', VARCHAR(256))];
      const rows: Row[] = def.columns.map((c, i) => {
        const extra = columnExtra(c);
        const collation = columnCollation(def, c);
        return stmt.full
          ? [c.name, renderType(c.type), collation, c.nullable ? 'YES' : 'NO', keyFlag(def, i), defaultText(c), extra, 'select,insert,update,references', c.comment ?? '']
          : [c.name, renderType(c.type), c.nullable ? 'YES' : 'NO', keyFlag(def, i), defaultText(c), extra];
      });
      return rowsResult(cols, filterRows(stmt, cols, rows, env));
    }
    case 'index': {
      const def = requireTable(env, tx, stmt);
      const cols = [col('Table'), col('Non_unique', { kind: 'int', length: 1 }), col('Key_name'), col('Seq_in_index', { kind: 'int', unsigned: true, length: 10 }), col('Column_name', VARCHAR(64), true), col('Collation', VARCHAR(1), true), col('Cardinality', BIGINT, true), col('Sub_part', BIGINT, true), col('Packed', VARCHAR(10), true), col('Null', VARCHAR(3)), col('Index_type', VARCHAR(11)), col('Comment', VARCHAR(8)), col('Index_comment', VARCHAR(2048)), col('Visible', VARCHAR(3)), col('Expression', { kind: 'text' }, true)];
      const rows: Row[] = [];
      for (const ix of [def.primaryKey, ...def.indexes]) {
        if (!ix) continue;
        ix.columns.forEach((ci, k) => {
          const c = def.columns[ci];
          rows.push([def.name, ix.unique ? 0 : 1, ix.name, k + 1, c.name, 'A', null, ix.prefixLengths?.[k] ?? null, null, c.nullable ? 'YES' : '', 'BTREE', '', '', 'YES', null]);
        });
      }
      for (const { name, column, seq, nullable } of fulltextKeyColumns(def)) rows.push([def.name, 1, name, seq, column, null, null, null, null, nullable ? 'YES' : '', 'FULLTEXT', '', '', 'YES', null]);
      return rowsResult(cols, filterRows(stmt, cols, rows, env));
    }
    case 'createTable': {
      const t = stmt.table;
      const db = t?.schema ?? env.session.database;
      if (!t) throw sqlError('PARSE', 'Missing table name');
      if (!db) throw sqlError('NO_DB', 'No database selected');
      const view = tx.catalog.getView(db, t.name);
      if (view) {
        const cols = [col('View'), col('Create View', VARCHAR(1024)), col('character_set_client', VARCHAR(32)), col('collation_connection', VARCHAR(32))];
        return rowsResult(cols, [[view.name, `CREATE VIEW ${quoteIdentifier(view.name)} AS ${view.query}`, view.characterSetClient ?? 'utf8mb4', view.collationConnection ?? DEFAULT_COLLATION]]);
      }
      const def = requireTable(env, tx, stmt);
      const ai = def.columns.some((c) => c.autoIncrement) ? env.write((w) => w.table(def).peekAutoIncrement()) : undefined;
      const tableOptions = !String(env.session.getSystemVariable('sql_mode')).split(',').includes('NO_TABLE_OPTIONS');
      return rowsResult([col('Table'), col('Create Table', VARCHAR(1024))], [[def.name, showCreateTable(def, ai, tableOptions)]]);
    }
    case 'createView': {
      const t = stmt.table;
      const db = t?.schema ?? env.session.database;
      if (!t) throw sqlError('PARSE', 'Missing view name');
      if (!db) throw sqlError('NO_DB', 'No database selected');
      const view = tx.catalog.getView(db, t.name);
      if (!view) throw sqlError('NO_SUCH_TABLE', `Table '${db}.${t.name}' doesn't exist`);
      const cols = [col('View'), col('Create View', VARCHAR(1024)), col('character_set_client', VARCHAR(32)), col('collation_connection', VARCHAR(32))];
      return rowsResult(cols, [[view.name, `CREATE VIEW ${quoteIdentifier(view.name)} AS ${view.query}`, view.characterSetClient ?? 'utf8mb4', view.collationConnection ?? DEFAULT_COLLATION]]);
    }
    case 'createDatabase': {
      const name = stmt.name ?? '';
      const s = tx.catalog.getSchema(name);
      if (!s) throw sqlError('BAD_DB', `Unknown database '${name}'`);
      return rowsResult([col('Database'), col('Create Database', VARCHAR(1024))], [[s.name, `CREATE DATABASE ${quoteIdentifier(s.name)} /*!40100 DEFAULT CHARACTER SET ${s.charset} COLLATE ${s.collation} */`]]);
    }
    case 'tableStatus': {
      const db = requireDb(env, tx, stmt.database);
      const cols = [col('Name'), col('Engine', VARCHAR(64), true), col('Version', BIGINT, true), col('Row_format', VARCHAR(10), true), col('Rows', BIGINT, true), col('Avg_row_length', BIGINT, true), col('Data_length', BIGINT, true), col('Max_data_length', BIGINT, true), col('Index_length', BIGINT, true), col('Data_free', BIGINT, true), col('Auto_increment', BIGINT, true), col('Create_time', { kind: 'datetime' }, true), col('Update_time', { kind: 'datetime' }, true), col('Check_time', { kind: 'datetime' }, true), col('Collation', VARCHAR(64), true), col('Checksum', BIGINT, true), col('Create_options', VARCHAR(256), true), col('Comment', VARCHAR(2048), true)];
      const rows: Row[] = tx.catalog.listTables(db).filter((t) => env.server.canSeeTable(db, t.name)).map((t) => {
        const reader = tx.table(t);
        const autoIncrement = t.columns.some((c) => c.autoIncrement) ? reader.peekAutoIncrement() : null;
        return [t.name, t.engine, 10, 'Dynamic', reader.count(), 0, 0, 0, 0, 0, autoIncrement, t.created ?? null, null, null, t.collation, null, '', t.comment ?? ''];
      });
      return rowsResult(cols, filterRows(stmt, cols, rows, env, false));
    }
    default:
      throw sqlError('NOT_SUPPORTED_YET', `This version of mizzle does not yet support SHOW ${stmt.what}`);
  }
}
