// information_schema: a read-only virtual schema whose tables are built, per statement, from the catalog and the server.
import { fulltextKeyColumns } from './fulltext-ddl.js';
import { sqlError, type SqlError } from '../../base/errors.js';
import type { Expr, Statement } from '../parser/ast.js';
import type { ScopeColumn } from '../analyzer/scope.js';
import { statementAccess } from '../analyzer/table-refs.js';
import type { ColumnDef, ForeignKeyDef, IndexDef, TableDef, ViewDef } from '../../storage/table-def.js';
import { columnPositions, indexFor } from './foreign-key-ddl.js';
import { viewAsTable } from './view-columns.js';
import { CHARSETS, COLLATIONS, DEFAULT_COLLATION, getCollation } from '../../base/collation.js';
import { renderType } from '../types/render.js';
import type { SqlType } from '../../base/sql-type.js';
import type { Row, Value } from '../../base/value.js';
import { columnCollation, columnExtra, defaultText, keyFlag } from './show.js';
import type { ReadTx, StatementEnv } from './statement-env.js';
import { GLOBAL_PRIVILEGE_TYPES } from './privilege-list.js';
import { INFORMATION_SCHEMA, informationSchemaDenied, isInformationSchema } from '../analyzer/system-schema.js';


const VARCHAR = (n: number): SqlType => ({ kind: 'varchar', length: n });
const BIGINT_UNSIGNED: SqlType = { kind: 'bigint', unsigned: true, length: 21 };
const INT_UNSIGNED: SqlType = { kind: 'int', unsigned: true, length: 10 };
const LONGTEXT: SqlType = { kind: 'longtext' };
const DATETIME: SqlType = { kind: 'datetime' };

interface ColumnSpec {
  name: string;
  type: SqlType;
  nullable: boolean;
}

/**
 * Equality conditions of the WHERE on name columns (`TABLE_SCHEMA = 'x'`,
 * `TABLE_NAME = ?`, `= DATABASE()`), lowercased: rows that cannot match are
 * skipped before their costly parts (row counts) are computed. The WHERE itself
 * still filters every row, so this only ever saves work.
 */
type NameHint = ReadonlyMap<string, string>;

interface BuildContext {
  env: StatementEnv;
  tx: ReadTx;
  hint: NameHint;
}

interface SystemView {
  name: string;
  columns: readonly ColumnSpec[];
  rows(b: BuildContext): Row[];
}

const c = (name: string, type: SqlType, nullable = false): ColumnSpec => ({ name, type, nullable });

/** Whether a name passes the hint for `column` (no hint: everything passes). */
function passes(hint: NameHint, column: string, value: string): boolean {
  const want = hint.get(column);
  return want === undefined || want === value.toLowerCase();
}

/** Schemas this session may see, information_schema first, then the catalog's in name order. */
function visibleSchemas(b: BuildContext): { name: string; charset: string; collation: string }[] {
  const out = [{ name: INFORMATION_SCHEMA, charset: 'utf8mb3', collation: 'utf8mb3_general_ci' }];
  for (const s of [...b.tx.catalog.listSchemas()].sort((x, y) => (x.name < y.name ? -1 : 1))) {
    if (b.env.server.canSeeSchema(s.name)) out.push(s);
  }
  return out.filter((s) => passes(b.hint, 'TABLE_SCHEMA', s.name));
}

/** Base tables or views (`list`) of the visible schemas that pass the hint and this session may see, in name order. */
function visibleObjects<T extends { name: string }>(b: BuildContext, list: (schema: string) => readonly T[]): T[] {
  const out: T[] = [];
  for (const s of visibleSchemas(b)) {
    if (isInformationSchema(s.name)) continue;
    for (const t of [...list(s.name)].sort((x, y) => (x.name < y.name ? -1 : 1))) {
      if (passes(b.hint, 'TABLE_NAME', t.name) && b.env.server.canSeeTable(s.name, t.name)) out.push(t);
    }
  }
  return out;
}

const visibleTables = (b: BuildContext): TableDef[] => visibleObjects(b, (s) => b.tx.catalog.listTables(s));
const visibleViews = (b: BuildContext): ViewDef[] => visibleObjects(b, (s) => b.tx.catalog.listViews(s));

/** Visible views described as tables; a view that no longer plans (its table dropped) is left out with MySQL's warning 1356. */
function visibleViewShapes(b: BuildContext): TableDef[] {
  const out: TableDef[] = [];
  for (const v of visibleViews(b)) {
    try {
      out.push(viewAsTable(v, b.env, b.tx));
    } catch {
      b.env.session.warn(1356, `View '${v.schema}.${v.name}' references invalid table(s) or column(s) or function(s) or definer/invoker of view lack rights to use them`);
    }
  }
  return out;
}

/** PRIMARY KEY and UNIQUE indexes of the visible tables: the constraints MySQL lists for them. */
function uniqueKeys(b: BuildContext): { t: TableDef; ix: IndexDef }[] {
  const out: { t: TableDef; ix: IndexDef }[] = [];
  for (const t of visibleTables(b)) {
    for (const ix of [t.primaryKey, ...t.indexes]) if (ix?.unique) out.push({ t, ix });
  }
  return out;
}

/** FOREIGN KEY constraints of the visible tables (the child tables), in table order. */
function foreignKeys(b: BuildContext): { t: TableDef; fk: ForeignKeyDef }[] {
  return visibleTables(b).flatMap((t) => (t.foreignKeys ?? []).map((fk) => ({ t, fk })));
}

function charsetOf(collation: string | null): string | null {
  if (collation === null) return null;
  return getCollation(collation)?.charset ?? 'utf8mb4';
}

const TEXT_LENGTHS: Partial<Record<SqlType['kind'], number>> = {
  tinytext: 255, text: 65535, mediumtext: 16777215, longtext: 4294967295,
  tinyblob: 255, blob: 65535, mediumblob: 16777215, longblob: 4294967295,
};

const INTEGER_PRECISION: Partial<Record<SqlType['kind'], number>> = { tinyint: 3, smallint: 5, mediumint: 7, int: 10, bigint: 19 };

/** CHARACTER_MAXIMUM_LENGTH, CHARACTER_OCTET_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION of a column type. */
function typeMeasures(t: SqlType): [Value, Value, Value, Value, Value] {
  switch (t.kind) {
    case 'char': case 'varchar': return [t.length ?? 0, (t.length ?? 0) * 4, null, null, null];
    case 'binary': case 'varbinary': return [t.length ?? 0, t.length ?? 0, null, null, null];
    case 'tinytext': case 'text': case 'mediumtext': case 'longtext':
    case 'tinyblob': case 'blob': case 'mediumblob': case 'longblob': {
      const n = TEXT_LENGTHS[t.kind] ?? 0;
      return [n, n, null, null, null];
    }
    case 'enum': {
      const n = Math.max(0, ...(t.values ?? []).map((v) => v.length));
      return [n, n * 4, null, null, null];
    }
    case 'set': {
      const n = (t.values ?? []).reduce((a, v) => a + v.length, 0) + Math.max(0, (t.values ?? []).length - 1);
      return [n, n * 4, null, null, null];
    }
    case 'tinyint': case 'smallint': case 'mediumint': case 'int': case 'bigint':
      return [null, null, t.kind === 'bigint' && t.unsigned ? 20 : INTEGER_PRECISION[t.kind] ?? 10, 0, null];
    case 'decimal': return [null, null, t.precision ?? 10, t.scale ?? 0, null];
    case 'float': return [null, null, t.precision ?? 12, t.scale ?? null, null];
    case 'double': return [null, null, t.precision ?? 22, t.scale ?? null, null];
    case 'bit': return [null, null, t.length ?? 1, null, null];
    case 'datetime': case 'timestamp': case 'time': return [null, null, null, null, t.fsp ?? 0];
    default: return [null, null, null, null, null];
  }
}

function columnRow(schema: string, table: string, position: number, name: string, type: SqlType, nullable: boolean, extras: { def?: TableDef; col?: ColumnDef; index?: number }): Row {
  const collation = extras.def && extras.col ? columnCollation(extras.def, extras.col) : type.kind === 'varchar' || type.kind === 'longtext' ? 'utf8mb3_general_ci' : null;
  return [
    'def', schema, table, name, position,
    extras.col ? defaultText(extras.col) : null,
    nullable ? 'YES' : 'NO',
    type.kind,
    ...typeMeasures(type),
    charsetOf(collation), collation,
    renderType(type),
    extras.def && extras.index !== undefined ? keyFlag(extras.def, extras.index) : '',
    extras.col ? columnExtra(extras.col) : '',
    'select,insert,update,references',
    extras.col?.comment ?? '',
    extras.col?.generated?.expr ?? '', null,
  ];
}

const VIEWS: readonly SystemView[] = [
  {
    name: 'PLUGINS',
    columns: [
      c('PLUGIN_NAME', VARCHAR(64)), c('PLUGIN_VERSION', VARCHAR(20)), c('PLUGIN_STATUS', VARCHAR(10)), c('PLUGIN_TYPE', VARCHAR(80)),
      c('PLUGIN_TYPE_VERSION', VARCHAR(20)), c('PLUGIN_LIBRARY', VARCHAR(64), true), c('PLUGIN_LIBRARY_VERSION', VARCHAR(20), true),
      c('PLUGIN_AUTHOR', VARCHAR(64), true), c('PLUGIN_DESCRIPTION', LONGTEXT, true), c('PLUGIN_LICENSE', VARCHAR(80), true), c('LOAD_OPTION', VARCHAR(64)),
    ],
    // Plugins are compiled in (no library file); LOAD_OPTION says whether this server enabled it.
    rows: (b) => b.env.server.plugins().map((p) => [p.name, p.version, p.active ? 'ACTIVE' : 'DISABLED', p.kind.toUpperCase(), p.version, null, null, 'mizzle', p.description, 'Apache-2.0', p.active ? 'ON' : 'OFF']),
  },
  {
    name: 'PROCESSLIST',
    columns: [
      c('ID', BIGINT_UNSIGNED), c('USER', VARCHAR(32)), c('HOST', VARCHAR(261)), c('DB', VARCHAR(64), true),
      c('COMMAND', VARCHAR(16)), c('TIME', { kind: 'int', length: 7 }), c('STATE', VARCHAR(64), true), c('INFO', LONGTEXT, true),
    ],
    // The same sessions SHOW PROCESSLIST shows this session (others only with the PROCESS right).
    rows: (b) => b.env.server.processList().map((p) => [p.id, p.user, p.host, p.db, p.command, p.time, p.state, p.info]),
  },
  {
    name: 'SCHEMATA',
    columns: [
      c('CATALOG_NAME', VARCHAR(64)), c('SCHEMA_NAME', VARCHAR(64)), c('DEFAULT_CHARACTER_SET_NAME', VARCHAR(64)),
      c('DEFAULT_COLLATION_NAME', VARCHAR(64)), c('SQL_PATH', VARCHAR(512), true), c('DEFAULT_ENCRYPTION', VARCHAR(3)),
    ],
    rows: (b) => visibleSchemas({ ...b, hint: renameHint(b.hint, 'SCHEMA_NAME', 'TABLE_SCHEMA') }).map((s) => ['def', s.name, s.charset, s.collation, null, 'NO']),
  },
  {
    name: 'TABLES',
    columns: [
      c('TABLE_CATALOG', VARCHAR(64)), c('TABLE_SCHEMA', VARCHAR(64)), c('TABLE_NAME', VARCHAR(64)), c('TABLE_TYPE', VARCHAR(11)),
      c('ENGINE', VARCHAR(64), true), c('VERSION', { kind: 'int', length: 2 }, true), c('ROW_FORMAT', VARCHAR(10), true),
      c('TABLE_ROWS', BIGINT_UNSIGNED, true), c('AVG_ROW_LENGTH', BIGINT_UNSIGNED, true), c('DATA_LENGTH', BIGINT_UNSIGNED, true),
      c('MAX_DATA_LENGTH', BIGINT_UNSIGNED, true), c('INDEX_LENGTH', BIGINT_UNSIGNED, true), c('DATA_FREE', BIGINT_UNSIGNED, true),
      c('AUTO_INCREMENT', BIGINT_UNSIGNED, true), c('CREATE_TIME', DATETIME, true), c('UPDATE_TIME', DATETIME, true), c('CHECK_TIME', DATETIME, true),
      c('TABLE_COLLATION', VARCHAR(64), true), c('CHECKSUM', { kind: 'bigint', length: 21 }, true), c('CREATE_OPTIONS', VARCHAR(256), true), c('TABLE_COMMENT', { kind: 'text' }, true),
    ],
    rows: (b) => {
      const rows: Row[] = [];
      for (const s of visibleSchemas(b)) {
        if (isInformationSchema(s.name)) {
          for (const v of VIEWS) {
            if (passes(b.hint, 'TABLE_NAME', v.name)) rows.push(['def', INFORMATION_SCHEMA, v.name, 'SYSTEM VIEW', null, 10, null, 0, 0, 0, 0, 0, 0, null, null, null, null, null, null, null, '']);
          }
          continue;
        }
        const named: Row[] = [];
        for (const t of b.tx.catalog.listTables(s.name)) {
          if (!passes(b.hint, 'TABLE_NAME', t.name) || !b.env.server.canSeeTable(s.name, t.name)) continue;
          // TABLE_ROWS is exact here (MySQL's is an estimate); the name hint keeps the count to the tables asked about.
          const reader = b.tx.table(t);
          const autoIncrement = t.columns.some((col) => col.autoIncrement) ? reader.peekAutoIncrement() : null;
          named.push(['def', s.name, t.name, 'BASE TABLE', t.engine, 10, 'Dynamic', reader.count(), 0, 0, 0, 0, 0, autoIncrement, t.created ?? null, null, null, t.collation, null, '', t.comment ?? '']);
        }
        for (const v of b.tx.catalog.listViews(s.name)) {
          if (!passes(b.hint, 'TABLE_NAME', v.name) || !b.env.server.canSeeTable(s.name, v.name)) continue;
          named.push(['def', s.name, v.name, 'VIEW', null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, 'VIEW']);
        }
        rows.push(...named.sort((x, y) => (String(x[2]) < String(y[2]) ? -1 : 1)));
      }
      return rows;
    },
  },
  {
    name: 'COLUMNS',
    columns: [
      c('TABLE_CATALOG', VARCHAR(64)), c('TABLE_SCHEMA', VARCHAR(64)), c('TABLE_NAME', VARCHAR(64)), c('COLUMN_NAME', VARCHAR(64)),
      c('ORDINAL_POSITION', INT_UNSIGNED), c('COLUMN_DEFAULT', { kind: 'text' }, true), c('IS_NULLABLE', VARCHAR(3)), c('DATA_TYPE', LONGTEXT),
      c('CHARACTER_MAXIMUM_LENGTH', { kind: 'bigint', length: 21 }, true), c('CHARACTER_OCTET_LENGTH', { kind: 'bigint', length: 21 }, true),
      c('NUMERIC_PRECISION', BIGINT_UNSIGNED, true), c('NUMERIC_SCALE', BIGINT_UNSIGNED, true), c('DATETIME_PRECISION', INT_UNSIGNED, true),
      c('CHARACTER_SET_NAME', VARCHAR(64), true), c('COLLATION_NAME', VARCHAR(64), true), c('COLUMN_TYPE', { kind: 'mediumtext' }),
      c('COLUMN_KEY', VARCHAR(3)), c('EXTRA', VARCHAR(256), true), c('PRIVILEGES', VARCHAR(154), true), c('COLUMN_COMMENT', { kind: 'text' }),
      c('GENERATION_EXPRESSION', LONGTEXT), c('SRS_ID', INT_UNSIGNED, true),
    ],
    rows: (b) => {
      const rows: Row[] = [];
      for (const s of visibleSchemas(b)) {
        if (!isInformationSchema(s.name)) continue;
        for (const v of VIEWS) {
          if (passes(b.hint, 'TABLE_NAME', v.name)) v.columns.forEach((col, i) => rows.push(columnRow(INFORMATION_SCHEMA, v.name, i + 1, col.name, col.type, col.nullable, {})));
        }
      }
      for (const t of [...visibleTables(b), ...visibleViewShapes(b)]) {
        t.columns.forEach((col, i) => rows.push(columnRow(t.schema, t.name, i + 1, col.name, col.type, col.nullable, { def: t, col, index: i })));
      }
      return rows;
    },
  },
  {
    name: 'STATISTICS',
    columns: [
      c('TABLE_CATALOG', VARCHAR(64)), c('TABLE_SCHEMA', VARCHAR(64)), c('TABLE_NAME', VARCHAR(64)), c('NON_UNIQUE', { kind: 'int', length: 1 }),
      c('INDEX_SCHEMA', VARCHAR(64)), c('INDEX_NAME', VARCHAR(64), true), c('SEQ_IN_INDEX', INT_UNSIGNED), c('COLUMN_NAME', VARCHAR(64), true),
      c('COLLATION', VARCHAR(1), true), c('CARDINALITY', { kind: 'bigint', length: 21 }, true), c('SUB_PART', { kind: 'bigint', length: 21 }, true),
      c('PACKED', { kind: 'binary', length: 0 }, true), c('NULLABLE', VARCHAR(3)), c('INDEX_TYPE', VARCHAR(11)), c('COMMENT', VARCHAR(8)),
      c('INDEX_COMMENT', VARCHAR(2048)), c('IS_VISIBLE', VARCHAR(3)), c('EXPRESSION', LONGTEXT, true),
    ],
    rows: (b) => {
      const rows: Row[] = [];
      for (const t of visibleTables(b)) {
        for (const ix of [t.primaryKey, ...t.indexes]) {
          if (!ix) continue;
          ix.columns.forEach((ci, k) => {
            const col = t.columns[ci];
            rows.push(['def', t.schema, t.name, ix.unique ? 0 : 1, t.schema, ix.name, k + 1, col.name, 'A', null, ix.prefixLengths?.[k] ?? null, null, col.nullable ? 'YES' : '', 'BTREE', '', '', 'YES', null]);
          });
        }
        for (const f of fulltextKeyColumns(t)) rows.push(['def', t.schema, t.name, 1, t.schema, f.name, f.seq, f.column, null, null, null, null, f.nullable ? 'YES' : '', 'FULLTEXT', '', '', 'YES', null]);
      }
      return rows;
    },
  },
  {
    name: 'KEY_COLUMN_USAGE',
    columns: [
      c('CONSTRAINT_CATALOG', VARCHAR(64)), c('CONSTRAINT_SCHEMA', VARCHAR(64)), c('CONSTRAINT_NAME', VARCHAR(64), true), c('TABLE_CATALOG', VARCHAR(64)),
      c('TABLE_SCHEMA', VARCHAR(64)), c('TABLE_NAME', VARCHAR(64)), c('COLUMN_NAME', VARCHAR(64), true), c('ORDINAL_POSITION', INT_UNSIGNED),
      c('POSITION_IN_UNIQUE_CONSTRAINT', INT_UNSIGNED, true), c('REFERENCED_TABLE_SCHEMA', VARCHAR(64), true),
      c('REFERENCED_TABLE_NAME', VARCHAR(64), true), c('REFERENCED_COLUMN_NAME', VARCHAR(64), true),
    ],
    // PRIMARY KEY and UNIQUE columns, then each foreign key's columns with the parent columns they reference.
    rows: (b) => [
      ...uniqueKeys(b).flatMap(({ t, ix }) => ix.columns.map((ci, k): Row => ['def', t.schema, ix.name, 'def', t.schema, t.name, t.columns[ci].name, k + 1, null, null, null, null])),
      ...foreignKeys(b).flatMap(({ t, fk }) => fk.columns.map((col, k): Row => ['def', t.schema, fk.name, 'def', t.schema, t.name, col, k + 1, k + 1, fk.refSchema, fk.refTable, fk.refColumns[k]])),
    ],
  },
  {
    name: 'TABLE_CONSTRAINTS',
    columns: [
      c('CONSTRAINT_CATALOG', VARCHAR(64)), c('CONSTRAINT_SCHEMA', VARCHAR(64)), c('CONSTRAINT_NAME', VARCHAR(64), true),
      c('TABLE_SCHEMA', VARCHAR(64)), c('TABLE_NAME', VARCHAR(64)), c('CONSTRAINT_TYPE', VARCHAR(11)), c('ENFORCED', VARCHAR(3)),
    ],
    rows: (b) => [
      ...uniqueKeys(b).map(({ t, ix }): Row => ['def', t.schema, ix.name, t.schema, t.name, ix.id === 0 ? 'PRIMARY KEY' : 'UNIQUE', 'YES']),
      ...foreignKeys(b).map(({ t, fk }): Row => ['def', t.schema, fk.name, t.schema, t.name, 'FOREIGN KEY', 'YES']),
      ...visibleTables(b).flatMap((t) => (t.checks ?? []).map((ck): Row => ['def', t.schema, ck.name, t.schema, t.name, 'CHECK', ck.enforced ? 'YES' : 'NO'])),
    ],
  },
  {
    name: 'REFERENTIAL_CONSTRAINTS',
    columns: [
      c('CONSTRAINT_CATALOG', VARCHAR(64)), c('CONSTRAINT_SCHEMA', VARCHAR(64)), c('CONSTRAINT_NAME', VARCHAR(64), true),
      c('UNIQUE_CONSTRAINT_CATALOG', VARCHAR(64)), c('UNIQUE_CONSTRAINT_SCHEMA', VARCHAR(64)), c('UNIQUE_CONSTRAINT_NAME', VARCHAR(64), true),
      c('MATCH_OPTION', VARCHAR(7)), c('UPDATE_RULE', VARCHAR(11)), c('DELETE_RULE', VARCHAR(11)), c('TABLE_NAME', VARCHAR(64)), c('REFERENCED_TABLE_NAME', VARCHAR(64)),
    ],
    rows: (b) => foreignKeys(b).map(({ t, fk }): Row => {
      const parent = b.tx.catalog.getTable(fk.refSchema, fk.refTable);
      const refCols = parent === undefined ? [] : columnPositions(parent, fk.refColumns);
      const ix = parent === undefined || refCols.some((p) => p < 0) ? undefined : indexFor(parent, refCols);
      return ['def', t.schema, fk.name, 'def', fk.refSchema, ix?.name ?? null, 'NONE', fk.onUpdate, fk.onDelete, t.name, fk.refTable];
    }),
  },
  {
    name: 'CHECK_CONSTRAINTS',
    columns: [c('CONSTRAINT_CATALOG', VARCHAR(64)), c('CONSTRAINT_SCHEMA', VARCHAR(64)), c('CONSTRAINT_NAME', VARCHAR(64)), c('CHECK_CLAUSE', LONGTEXT)],
    rows: (b) => visibleTables(b).flatMap((t) => (t.checks ?? []).map((ck): Row => ['def', t.schema, ck.name, ck.expr])),
  },
  {
    name: 'VIEWS',
    columns: [
      c('TABLE_CATALOG', VARCHAR(64)), c('TABLE_SCHEMA', VARCHAR(64)), c('TABLE_NAME', VARCHAR(64)), c('VIEW_DEFINITION', LONGTEXT),
      c('CHECK_OPTION', VARCHAR(8)), c('IS_UPDATABLE', VARCHAR(3)), c('DEFINER', VARCHAR(288)), c('SECURITY_TYPE', VARCHAR(7)),
      c('CHARACTER_SET_CLIENT', VARCHAR(64)), c('COLLATION_CONNECTION', VARCHAR(64)),
    ],
    // Views are read-only in mizzle, hence IS_UPDATABLE NO; no definer is recorded.
    rows: (b) => visibleViews(b).map((v) => ['def', v.schema, v.name, v.query, 'NONE', 'NO', 'root@%', 'DEFINER', v.characterSetClient ?? 'utf8mb4', v.collationConnection ?? DEFAULT_COLLATION]),
  },
  {
    name: 'TRIGGERS',
    columns: [
      c('TRIGGER_CATALOG', VARCHAR(64)), c('TRIGGER_SCHEMA', VARCHAR(64)), c('TRIGGER_NAME', VARCHAR(64)), c('EVENT_MANIPULATION', VARCHAR(6)),
      c('EVENT_OBJECT_CATALOG', VARCHAR(64)), c('EVENT_OBJECT_SCHEMA', VARCHAR(64)), c('EVENT_OBJECT_TABLE', VARCHAR(64)), c('ACTION_ORDER', INT_UNSIGNED),
      c('ACTION_CONDITION', { kind: 'binary', length: 0 }, true), c('ACTION_STATEMENT', LONGTEXT), c('ACTION_ORIENTATION', VARCHAR(3)), c('ACTION_TIMING', VARCHAR(6)),
      c('ACTION_REFERENCE_OLD_TABLE', { kind: 'binary', length: 0 }, true), c('ACTION_REFERENCE_NEW_TABLE', { kind: 'binary', length: 0 }, true),
      c('ACTION_REFERENCE_OLD_ROW', VARCHAR(3)), c('ACTION_REFERENCE_NEW_ROW', VARCHAR(3)), c('CREATED', { kind: 'timestamp', fsp: 2 }),
      c('SQL_MODE', VARCHAR(520)), c('DEFINER', VARCHAR(288)), c('CHARACTER_SET_CLIENT', VARCHAR(64)), c('COLLATION_CONNECTION', VARCHAR(64)), c('DATABASE_COLLATION', VARCHAR(64)),
    ],
    // mizzle has no triggers (CREATE TRIGGER is refused), so there is never a row.
    rows: () => [],
  },
  {
    name: 'ROUTINES',
    columns: [
      c('SPECIFIC_NAME', VARCHAR(64)), c('ROUTINE_CATALOG', VARCHAR(64)), c('ROUTINE_SCHEMA', VARCHAR(64)), c('ROUTINE_NAME', VARCHAR(64)),
      c('ROUTINE_TYPE', VARCHAR(9)), c('DATA_TYPE', LONGTEXT), c('CHARACTER_MAXIMUM_LENGTH', { kind: 'bigint', length: 21 }, true),
      c('CHARACTER_OCTET_LENGTH', { kind: 'bigint', length: 21 }, true), c('NUMERIC_PRECISION', INT_UNSIGNED, true), c('NUMERIC_SCALE', INT_UNSIGNED, true),
      c('DATETIME_PRECISION', INT_UNSIGNED, true), c('CHARACTER_SET_NAME', VARCHAR(64), true), c('COLLATION_NAME', VARCHAR(64), true),
      c('DTD_IDENTIFIER', LONGTEXT, true), c('ROUTINE_BODY', VARCHAR(8)), c('ROUTINE_DEFINITION', LONGTEXT, true), c('EXTERNAL_NAME', VARCHAR(64), true),
      c('EXTERNAL_LANGUAGE', VARCHAR(64)), c('PARAMETER_STYLE', VARCHAR(3)), c('IS_DETERMINISTIC', VARCHAR(3)), c('SQL_DATA_ACCESS', VARCHAR(17)),
      c('SQL_PATH', VARCHAR(64), true), c('SECURITY_TYPE', VARCHAR(7)), c('CREATED', { kind: 'timestamp' }), c('LAST_ALTERED', { kind: 'timestamp' }),
      c('SQL_MODE', VARCHAR(520)), c('ROUTINE_COMMENT', { kind: 'text' }), c('DEFINER', VARCHAR(288)), c('CHARACTER_SET_CLIENT', VARCHAR(64)),
      c('COLLATION_CONNECTION', VARCHAR(64)), c('DATABASE_COLLATION', VARCHAR(64)),
    ],
    // mizzle has no stored routines (CREATE PROCEDURE/FUNCTION are refused), so there is never a row.
    rows: () => [],
  },
  {
    name: 'EVENTS',
    columns: [
      c('EVENT_CATALOG', VARCHAR(64)), c('EVENT_SCHEMA', VARCHAR(64)), c('EVENT_NAME', VARCHAR(64)), c('DEFINER', VARCHAR(288)), c('TIME_ZONE', VARCHAR(64)),
      c('EVENT_BODY', VARCHAR(3)), c('EVENT_DEFINITION', LONGTEXT), c('EVENT_TYPE', VARCHAR(9)), c('EXECUTE_AT', DATETIME, true),
      c('INTERVAL_VALUE', VARCHAR(256), true), c('INTERVAL_FIELD', VARCHAR(18), true), c('SQL_MODE', VARCHAR(520)), c('STARTS', DATETIME, true),
      c('ENDS', DATETIME, true), c('STATUS', VARCHAR(21)), c('ON_COMPLETION', VARCHAR(12)), c('CREATED', { kind: 'timestamp' }), c('LAST_ALTERED', { kind: 'timestamp' }),
      c('LAST_EXECUTED', DATETIME, true), c('EVENT_COMMENT', VARCHAR(2048)), c('ORIGINATOR', INT_UNSIGNED), c('CHARACTER_SET_CLIENT', VARCHAR(64)),
      c('COLLATION_CONNECTION', VARCHAR(64)), c('DATABASE_COLLATION', VARCHAR(64)),
    ],
    // mizzle has no event scheduler (CREATE EVENT is refused), so there is never a row.
    rows: () => [],
  },
  {
    // One row per base table, as MySQL gives for a table without partitions (mizzle never partitions): the partition columns are NULL.
    name: 'PARTITIONS',
    columns: [
      c('TABLE_CATALOG', VARCHAR(64)), c('TABLE_SCHEMA', VARCHAR(64)), c('TABLE_NAME', VARCHAR(64)), c('PARTITION_NAME', VARCHAR(64), true),
      c('SUBPARTITION_NAME', VARCHAR(64), true), c('PARTITION_ORDINAL_POSITION', INT_UNSIGNED, true), c('SUBPARTITION_ORDINAL_POSITION', INT_UNSIGNED, true),
      c('PARTITION_METHOD', VARCHAR(13), true), c('SUBPARTITION_METHOD', VARCHAR(13), true), c('PARTITION_EXPRESSION', VARCHAR(2048), true),
      c('SUBPARTITION_EXPRESSION', VARCHAR(2048), true), c('PARTITION_DESCRIPTION', { kind: 'text' }, true), c('TABLE_ROWS', BIGINT_UNSIGNED),
      c('AVG_ROW_LENGTH', BIGINT_UNSIGNED), c('DATA_LENGTH', BIGINT_UNSIGNED), c('MAX_DATA_LENGTH', BIGINT_UNSIGNED, true), c('INDEX_LENGTH', BIGINT_UNSIGNED),
      c('DATA_FREE', BIGINT_UNSIGNED), c('CREATE_TIME', DATETIME, true), c('UPDATE_TIME', DATETIME, true), c('CHECK_TIME', DATETIME, true),
      c('CHECKSUM', BIGINT_UNSIGNED, true), c('PARTITION_COMMENT', { kind: 'text' }), c('NODEGROUP', VARCHAR(256), true), c('TABLESPACE_NAME', VARCHAR(268), true),
    ],
    rows: (b) => visibleTables(b).map((t): Row => ['def', t.schema, t.name, null, null, null, null, null, null, null, null, null, b.tx.table(t).count(), 0, 0, null, 0, 0, t.created ?? null, null, null, null, '', '', null]),
  },
  {
    // The session's own global privileges, as SHOW GRANTS states them (ALL PRIVILEGES ON *.*); mizzle keeps no per-schema, table or column grants.
    name: 'USER_PRIVILEGES',
    columns: [c('GRANTEE', VARCHAR(292)), c('TABLE_CATALOG', VARCHAR(512)), c('PRIVILEGE_TYPE', VARCHAR(64)), c('IS_GRANTABLE', VARCHAR(3))],
    rows: (b) => {
      const grantee = `'${b.env.session.user}'@'${b.env.session.host}'`;
      return GLOBAL_PRIVILEGE_TYPES.map((p): Row => [grantee, 'def', p, 'NO']);
    },
  },
  {
    name: 'SCHEMA_PRIVILEGES',
    columns: [c('GRANTEE', VARCHAR(292)), c('TABLE_CATALOG', VARCHAR(512)), c('TABLE_SCHEMA', VARCHAR(64)), c('PRIVILEGE_TYPE', VARCHAR(64)), c('IS_GRANTABLE', VARCHAR(3))],
    rows: () => [],
  },
  {
    name: 'TABLE_PRIVILEGES',
    columns: [c('GRANTEE', VARCHAR(292)), c('TABLE_CATALOG', VARCHAR(512)), c('TABLE_SCHEMA', VARCHAR(64)), c('TABLE_NAME', VARCHAR(64)), c('PRIVILEGE_TYPE', VARCHAR(64)), c('IS_GRANTABLE', VARCHAR(3))],
    rows: () => [],
  },
  {
    name: 'COLUMN_PRIVILEGES',
    columns: [
      c('GRANTEE', VARCHAR(292)), c('TABLE_CATALOG', VARCHAR(512)), c('TABLE_SCHEMA', VARCHAR(64)), c('TABLE_NAME', VARCHAR(64)),
      c('COLUMN_NAME', VARCHAR(64)), c('PRIVILEGE_TYPE', VARCHAR(64)), c('IS_GRANTABLE', VARCHAR(3)),
    ],
    rows: () => [],
  },
  {
    name: 'ENGINES',
    columns: [c('ENGINE', VARCHAR(64)), c('SUPPORT', VARCHAR(8)), c('COMMENT', VARCHAR(80)), c('TRANSACTIONS', VARCHAR(3), true), c('XA', VARCHAR(3), true), c('SAVEPOINTS', VARCHAR(3), true)],
    rows: (b) => b.env.server.engines().map((e) => [e.name, e.isDefault ? 'DEFAULT' : 'YES', e.persistent ? 'LMDB B+tree: transactional, memory-mapped, crash-safe' : 'In memory; rows vanish at restart', 'YES', 'NO', 'YES']),
  },
  {
    name: 'CHARACTER_SETS',
    columns: [c('CHARACTER_SET_NAME', VARCHAR(64)), c('DEFAULT_COLLATE_NAME', VARCHAR(64)), c('DESCRIPTION', VARCHAR(2048)), c('MAXLEN', INT_UNSIGNED)],
    rows: () => CHARSETS.map((cs) => [cs.name, cs.defaultCollation, cs.description, cs.maxlen]),
  },
  {
    name: 'COLLATIONS',
    columns: [c('COLLATION_NAME', VARCHAR(64)), c('CHARACTER_SET_NAME', VARCHAR(64)), c('ID', BIGINT_UNSIGNED), c('IS_DEFAULT', VARCHAR(3)), c('IS_COMPILED', VARCHAR(3)), c('SORTLEN', INT_UNSIGNED), c('PAD_ATTRIBUTE', VARCHAR(9))],
    rows: () => COLLATIONS.map((co) => [co.name, co.charset, co.id, co.isDefault ? 'Yes' : '', 'Yes', co.sortlen, co.padAttribute]),
  },
  {
    // Doctrine DBAL (Laravel's schema changes) joins TABLES with it to name a table's character set.
    name: 'COLLATION_CHARACTER_SET_APPLICABILITY',
    columns: [c('COLLATION_NAME', VARCHAR(64)), c('CHARACTER_SET_NAME', VARCHAR(64))],
    rows: () => COLLATIONS.map((co) => [co.name, co.charset]),
  },
];

/** The hint of another column under the name the shared helpers look at (SCHEMATA's SCHEMA_NAME is their TABLE_SCHEMA). */
function renameHint(hint: NameHint, from: string, to: string): NameHint {
  const v = hint.get(from);
  return v === undefined ? new Map() : new Map([[to, v]]);
}

function findView(name: string): SystemView | undefined {
  const upper = name.toUpperCase();
  return VIEWS.find((v) => v.name === upper);
}

/** The tables of information_schema, as SHOW TABLES lists them. */
export function informationSchemaTableNames(): string[] {
  return VIEWS.map((v) => v.name).sort();
}

/** 1109, MySQL's answer for a table information_schema does not have. */
function unknownTable(name: string): SqlError {
  return sqlError('UNKNOWN_TABLE', `Unknown table '${name.toUpperCase()}' in information_schema`);
}

/** The columns of an information_schema table under `alias` (1109 when there is no such table). */
export function informationSchemaColumns(name: string, alias: string): ScopeColumn[] {
  const view = findView(name);
  if (!view) throw unknownTable(name);
  return view.columns.map((col) => ({ table: alias, schema: INFORMATION_SCHEMA, orgTable: view.name, name: col.name, orgName: col.name, type: col.type, nullable: col.nullable }));
}

/** Builds the rows of an information_schema table for this statement; `where` only narrows which rows are worth building. */
export function informationSchemaRows(name: string, alias: string, env: StatementEnv, tx: ReadTx, where: Expr | undefined): Row[] {
  const view = findView(name);
  if (!view) throw unknownTable(name);
  return view.rows({ env, tx, hint: nameHint(where, alias, env) });
}

/** DESCRIBE / SHOW COLUMNS rows of an information_schema table: Field, Type, Null, Key, Default, Extra. */
export function informationSchemaDescribe(name: string): { name: string; type: string; nullable: boolean }[] {
  const view = findView(name);
  if (!view) throw unknownTable(name);
  return view.columns.map((col) => ({ name: col.name, type: renderType(col.type), nullable: col.nullable }));
}

const HINT_COLUMNS = new Set(['TABLE_SCHEMA', 'TABLE_NAME', 'SCHEMA_NAME']);

/** Top-level `name_column = constant` conjuncts of the WHERE (see NameHint). */
function nameHint(where: Expr | undefined, alias: string, env: StatementEnv): NameHint {
  const hint = new Map<string, string>();
  const visit = (e: Expr): void => {
    if (e.type !== 'binary') return;
    if (e.op === 'AND') {
      visit(e.left);
      visit(e.right);
      return;
    }
    if (e.op !== '=') return;
    for (const [col, other] of [[e.left, e.right], [e.right, e.left]] as const) {
      // A qualified name must be this table's: `other.TABLE_NAME` may be an outer query's column.
      if (col.type !== 'column' || (col.table !== undefined && col.table !== alias)) continue;
      const name = col.column.toUpperCase();
      if (!HINT_COLUMNS.has(name)) continue;
      const value = constantText(other, env);
      if (value !== undefined) hint.set(name, value.toLowerCase());
    }
  };
  if (where) visit(where);
  return hint;
}

/** The text of a string literal, a bound parameter or DATABASE()/SCHEMA(); undefined for anything else. */
function constantText(e: Expr, env: StatementEnv): string | undefined {
  if (e.type === 'literal' && e.kind === 'string' && !e.introducer) return e.value;
  if (e.type === 'param') {
    const v = env.ctx.params[e.index];
    return typeof v === 'string' ? v : undefined;
  }
  if (e.type === 'call' && e.args.length === 0 && !e.schema && (e.name.toLowerCase() === 'database' || e.name.toLowerCase() === 'schema')) {
    return env.session.database ?? undefined;
  }
  return undefined;
}


/** Throws 1044 when a statement would change information_schema (anything but reading it). */
export function checkInformationSchemaWrite(stmt: Statement, env: StatementEnv): void {
  for (const a of statementAccess(stmt, env.session.database)) {
    if (isInformationSchema(a.schema) && a.action !== 'SELECT' && a.action !== 'USAGE') throw informationSchemaDenied(env.session.user, env.session.host);
  }
}
