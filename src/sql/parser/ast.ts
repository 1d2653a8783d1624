// The typed abstract syntax tree the parser produces for the MySQL dialect mizzle speaks.
import type { SqlType } from '../../base/sql-type.js';

// ---------------------------------------------------------------- expressions

/** Position of a node in the statement text (character offset), for error messages. */
export interface Pos {
  pos?: number;
}

export type Expr =
  | LiteralExpr
  | ColumnRef
  | ParamExpr
  | VariableExpr
  | UnaryExpr
  | BinaryExpr
  | IsExpr
  | BetweenExpr
  | InListExpr
  | InSubqueryExpr
  | ExistsExpr
  | SubqueryExpr
  | QuantifiedExpr
  | LikeExpr
  | RegexpExpr
  | CaseExpr
  | CastExpr
  | FuncCall
  | AggregateCall
  | IntervalExpr
  | CollateExpr
  | RowExpr
  | DefaultExpr
  | MatchAgainstExpr;

/**
 * A literal. `value` is already decoded: integers as number or bigint (when beyond
 * 2^53), exact numerics with a point ("1.50") as `{ kind:'decimal' }` text so no
 * precision is lost, approximate ("1e3") as number with `approx: true`, strings
 * with escapes resolved, hex/bit literals (X'4D', 0x4D, b'01') as Buffer.
 * `introducer` keeps a `_utf8mb4'..'` / `_binary'..'` charset introducer.
 */
export type LiteralExpr = Pos &
  (
    | { type: 'literal'; kind: 'null' }
    | { type: 'literal'; kind: 'integer'; value: number | bigint }
    | { type: 'literal'; kind: 'decimal'; text: string }
    | { type: 'literal'; kind: 'float'; value: number }
    | { type: 'literal'; kind: 'string'; value: string; introducer?: string }
    | { type: 'literal'; kind: 'hex'; value: Buffer }
    | { type: 'literal'; kind: 'bit'; value: Buffer }
    | { type: 'literal'; kind: 'boolean'; value: boolean }
    | { type: 'literal'; kind: 'temporal'; temporal: 'date' | 'time' | 'timestamp'; value: string }
  );

/** `col`, `t.col`, `db.t.col`; `column: '*'` only appears inside select lists and COUNT(*). */
export interface ColumnRef extends Pos {
  type: 'column';
  schema?: string;
  table?: string;
  column: string;
}

/** A `?` placeholder (protocol-level prepared statements); index counts from 0. */
export interface ParamExpr extends Pos {
  type: 'param';
  index: number;
}

/** `@user_var`, `@@var`, `@@session.var`, `@@global.var`. */
export interface VariableExpr extends Pos {
  type: 'variable';
  kind: 'user' | 'system';
  scope?: 'global' | 'session';
  name: string;
}

export type UnaryOp = '-' | '+' | '~' | 'NOT' | '!' | 'BINARY';

export interface UnaryExpr extends Pos {
  type: 'unary';
  op: UnaryOp;
  operand: Expr;
}

/**
 * Binary operators. `AND`/`OR`/`XOR` are logical (`&&`, `||` map to AND/OR unless
 * sql_mode PIPES_AS_CONCAT, which we do not support); `<=>` is null-safe equality;
 * `DIV` integer division; `MOD` and `%` both become 'MOD'; `->`/`->>` are JSON paths.
 */
export type BinaryOp =
  | '+' | '-' | '*' | '/' | 'DIV' | 'MOD'
  | '=' | '<=>' | '!=' | '<' | '<=' | '>' | '>='
  | 'AND' | 'OR' | 'XOR'
  | '&' | '|' | '^' | '<<' | '>>'
  | '->' | '->>';

export interface BinaryExpr extends Pos {
  type: 'binary';
  op: BinaryOp;
  left: Expr;
  right: Expr;
}

/** `x IS [NOT] NULL|TRUE|FALSE|UNKNOWN`. */
export interface IsExpr extends Pos {
  type: 'is';
  operand: Expr;
  not: boolean;
  test: 'null' | 'true' | 'false' | 'unknown';
}

export interface BetweenExpr extends Pos {
  type: 'between';
  operand: Expr;
  not: boolean;
  low: Expr;
  high: Expr;
}

export interface InListExpr extends Pos {
  type: 'inList';
  operand: Expr;
  not: boolean;
  list: Expr[];
}

export interface InSubqueryExpr extends Pos {
  type: 'inSubquery';
  operand: Expr;
  not: boolean;
  query: QueryExpr;
}

export interface ExistsExpr extends Pos {
  type: 'exists';
  query: QueryExpr;
}

/** A scalar (or row) subquery used as a value: `(SELECT ...)`. */
export interface SubqueryExpr extends Pos {
  type: 'subquery';
  query: QueryExpr;
}

/** `x op ANY|SOME|ALL (SELECT ...)`. */
export interface QuantifiedExpr extends Pos {
  type: 'quantified';
  op: '=' | '!=' | '<' | '<=' | '>' | '>=';
  quantifier: 'any' | 'all';
  operand: Expr;
  query: QueryExpr;
}

export interface LikeExpr extends Pos {
  type: 'like';
  operand: Expr;
  not: boolean;
  pattern: Expr;
  escape?: Expr;
}

/** `x [NOT] REGEXP|RLIKE pattern`. */
export interface RegexpExpr extends Pos {
  type: 'regexp';
  operand: Expr;
  not: boolean;
  pattern: Expr;
}

/** Both forms: `CASE x WHEN v THEN r ... END` (operand set) and `CASE WHEN cond THEN r ... END`. */
export interface CaseExpr extends Pos {
  type: 'case';
  operand?: Expr;
  whens: { when: Expr; then: Expr }[];
  else?: Expr;
}

/**
 * `CAST(x AS t)` and `CONVERT(x, t)`; `CONVERT(x USING cs)` sets `charset` and a
 * char target. Target kinds follow MySQL's cast targets: SIGNED/UNSIGNED [INTEGER]
 * give bigint (signed/unsigned), CHAR[(n)], BINARY[(n)], DECIMAL[(p[,s])], DOUBLE,
 * FLOAT, REAL, DATE, DATETIME[(fsp)], TIME[(fsp)], YEAR, JSON.
 */
export interface CastExpr extends Pos {
  type: 'cast';
  operand: Expr;
  target: SqlType;
  charset?: string;
}

/**
 * An ordinary function call, name upper-cased (`CONCAT`, `IFNULL`, `DATABASE`,
 * `LAST_INSERT_ID`, `CURRENT_TIMESTAMP` with or without parentheses, `SUBSTRING(s FROM a FOR b)`
 * normalized to args, `TRIM([LEADING|TRAILING|BOTH] [r] FROM s)` as TRIM with
 * `trimSide` set, `POSITION(a IN b)` → LOCATE(a, b) arg order, `EXTRACT(unit FROM d)`
 * with `unit`, `DATE_ADD(d, INTERVAL n unit)` with an IntervalExpr argument,
 * `CHAR(..) USING cs`. `schema` is set for `db.fn(...)`.
 */
export interface FuncCall extends Pos {
  type: 'call';
  name: string;
  schema?: string;
  args: Expr[];
  trimSide?: 'leading' | 'trailing' | 'both';
  unit?: string;
  /** JSON_VALUE's clauses; its DEFAULT values are args 2 (ON EMPTY) and 3 (ON ERROR). */
  jsonValue?: JsonValueClauses;
}

/** What JSON_VALUE returns as (RETURNING) and does when the path finds nothing or more than a scalar. */
export interface JsonValueClauses {
  returning?: SqlType;
  onEmpty: 'null' | 'error' | 'default';
  onError: 'null' | 'error' | 'default';
}

/**
 * Aggregates: COUNT, SUM, AVG, MIN, MAX, GROUP_CONCAT, BIT_AND, BIT_OR, BIT_XOR,
 * STD, STDDEV, STDDEV_POP, STDDEV_SAMP, VARIANCE, VAR_POP, VAR_SAMP, ANY_VALUE (name upper-cased).
 * `COUNT(*)` has `star: true` and no args. GROUP_CONCAT carries its ORDER BY and SEPARATOR.
 * `over` is set for window calls (`... OVER (...)`); window functions may wait,
 * but the parser accepts them.
 */
export interface AggregateCall extends Pos {
  type: 'aggregate';
  name: string;
  distinct: boolean;
  star: boolean;
  args: Expr[];
  orderBy?: OrderItem[];
  separator?: string;
  over?: WindowSpec;
}

export interface WindowSpec {
  name?: string;
  partitionBy: Expr[];
  orderBy: OrderItem[];
  frame?: WindowFrame;
}

/** One end of a window frame; `offset` is set for `N PRECEDING` / `N FOLLOWING`. */
export interface WindowFrameBound {
  kind: 'unboundedPreceding' | 'preceding' | 'current' | 'following' | 'unboundedFollowing';
  offset?: Expr;
}

/** `ROWS|RANGE|GROUPS [BETWEEN] start [AND end]`; a lone start ends at CURRENT ROW. */
export interface WindowFrame {
  unit: 'rows' | 'range' | 'groups';
  start: WindowFrameBound;
  end: WindowFrameBound;
}

/** `INTERVAL expr unit` inside DATE_ADD / DATE_SUB / `d + INTERVAL 1 DAY`. Unit upper-cased. */
export interface IntervalExpr extends Pos {
  type: 'interval';
  value: Expr;
  unit: string;
}

export interface CollateExpr extends Pos {
  type: 'collate';
  operand: Expr;
  collation: string;
}

/** `(a, b)` or `ROW(a, b)`: a row constructor, for row comparisons and IN. */
export interface RowExpr extends Pos {
  type: 'row';
  items: Expr[];
}

/** `DEFAULT` in INSERT VALUES / UPDATE SET, or `DEFAULT([[schema.]table.]col)` anywhere in an expression. */
export interface DefaultExpr extends Pos {
  type: 'default';
  column?: string;
  table?: string;
  schema?: string;
}

/** The bare DEFAULT keyword of INSERT VALUES / UPDATE SET / SET var (not DEFAULT(col), which is an expression). */
export function isDefaultKeyword(e: Expr): e is DefaultExpr {
  return e.type === 'default' && e.column === undefined;
}

/** `MATCH (cols) AGAINST (expr [mode])`: parsed so we can refuse it clearly. */
export interface MatchAgainstExpr extends Pos {
  type: 'match';
  columns: ColumnRef[];
  against: Expr;
  mode?: string;
}

// ---------------------------------------------------------------- queries

export interface OrderItem {
  expr: Expr;
  desc: boolean;
}

/** One item of a select list: `expr [AS alias]`, `*` or `t.*` (as a ColumnRef with column '*'). */
export interface SelectItem {
  expr: Expr;
  alias?: string;
  /** The text of the expression as written, which MySQL uses as the column name when there is no alias. */
  text: string;
}

export type TableRef = TableName | DerivedTable | JoinRef | JsonTableRef;

export interface TableName extends Pos {
  type: 'table';
  schema?: string;
  name: string;
  alias?: string;
  indexHints?: { kind: 'use' | 'force' | 'ignore'; indexes: string[] }[];
}

export interface DerivedTable extends Pos {
  type: 'derived';
  query: QueryExpr;
  alias: string;
  columnAliases?: string[];
  lateral?: boolean;
}

/**
 * `JSON_TABLE(doc, path COLUMNS (...)) AS alias`: rows from the values `path` selects in `doc`, which
 * may read the columns of the tables before it in the FROM clause (it is implicitly lateral).
 */
export interface JsonTableRef extends Pos {
  type: 'jsonTable';
  doc: Expr;
  path: string;
  columns: JsonTableColumn[];
  alias: string;
}

/** What a JSON_TABLE column does when its path finds nothing (ON EMPTY) or a value it cannot hold (ON ERROR). */
export interface JsonTableFallback {
  action: 'null' | 'error' | 'default';
  /** The DEFAULT value's JSON text. */
  value?: string;
}

/** A JSON_TABLE column: `n FOR ORDINALITY`, `n type [EXISTS] PATH 'p' ...`, or `NESTED [PATH] 'p' COLUMNS (...)`. */
export type JsonTableColumn =
  | { kind: 'ordinality'; name: string }
  | { kind: 'path'; name: string; type: SqlType; path: string; exists: boolean; onEmpty: JsonTableFallback; onError: JsonTableFallback }
  | { kind: 'nested'; path: string; columns: JsonTableColumn[] };

/**
 * A join. Comma joins parse as `kind: 'cross'` with `comma: true` (lower precedence
 * than explicit JOINs, as in MySQL). `STRAIGHT_JOIN` is 'inner' with straight set.
 */
export interface JoinRef extends Pos {
  type: 'join';
  kind: 'inner' | 'left' | 'right' | 'cross';
  natural: boolean;
  comma?: boolean;
  straight?: boolean;
  left: TableRef;
  right: TableRef;
  on?: Expr;
  using?: string[];
}

export interface SelectStmt extends Pos {
  type: 'select';
  distinct: boolean;
  /** The MAX_EXECUTION_TIME(n) optimizer hint, in milliseconds (0 turns the limit off for this statement). */
  maxExecutionTimeMs?: number;
  /** SQL_CALC_FOUND_ROWS, SQL_NO_CACHE, HIGH_PRIORITY, STRAIGHT_JOIN ... kept for completeness. */
  options: string[];
  items: SelectItem[];
  from: TableRef[];
  where?: Expr;
  groupBy: Expr[];
  withRollup?: boolean;
  having?: Expr;
  windows?: { name: string; spec: WindowSpec }[];
  orderBy: OrderItem[];
  limit?: Limit;
  /** `FOR UPDATE` / `FOR SHARE` / `LOCK IN SHARE MODE`. */
  lock?: 'update' | 'share';
  /** `SELECT ... INTO @a, @b`. */
  into?: VariableExpr[];
}

/** `LIMIT count`, `LIMIT offset, count`, `LIMIT count OFFSET offset`; each a literal or `?`. */
export interface Limit {
  count: Expr;
  offset?: Expr;
}

/** UNION / INTERSECT / EXCEPT of query expressions; `all: false` means DISTINCT. */
export interface SetOpStmt extends Pos {
  type: 'setop';
  op: 'union' | 'intersect' | 'except';
  all: boolean;
  left: QueryExpr;
  right: QueryExpr;
  orderBy: OrderItem[];
  limit?: Limit;
}

/** `VALUES ROW(1,2), ROW(3,4)` as a query. */
export interface ValuesStmt extends Pos {
  type: 'values';
  rows: Expr[][];
  orderBy: OrderItem[];
  limit?: Limit;
}

/** `WITH [RECURSIVE] name [(cols)] AS (query), ...`: before a query, UPDATE or DELETE. */
export interface WithClause {
  recursive: boolean;
  ctes: { name: string; columns?: string[]; query: QueryExpr }[];
}

/** `WITH ... query`. */
export interface WithStmt extends Pos, WithClause {
  type: 'with';
  query: QueryExpr;
}

export type QueryExpr = SelectStmt | SetOpStmt | ValuesStmt | WithStmt;

// ---------------------------------------------------------------- DML

export interface InsertStmt extends Pos {
  type: 'insert';
  /** REPLACE is an insert with replace set. */
  replace: boolean;
  ignore: boolean;
  table: TableName;
  columns?: string[];
  /** Exactly one of rows / query / set is present. `rows` rows may hold DefaultExpr. */
  rows?: Expr[][];
  query?: QueryExpr;
  /** `INSERT ... SET a=1, b=2`. */
  set?: Assignment[];
  onDuplicate?: Assignment[];
  /** `INSERT ... VALUES (...) AS new [(cols)]` row alias. */
  rowAlias?: string;
  /** The row alias's own names for the inserted columns, in the insert's column order. */
  rowAliasColumns?: string[];
}

export interface Assignment {
  column: ColumnRef;
  value: Expr;
}

export interface UpdateStmt extends Pos {
  type: 'update';
  ignore: boolean;
  tables: TableRef[];
  set: Assignment[];
  where?: Expr;
  orderBy: OrderItem[];
  limit?: Limit;
  /** CTEs written before UPDATE. */
  with?: WithClause;
}

export interface DeleteStmt extends Pos {
  type: 'delete';
  ignore: boolean;
  quick?: boolean;
  /** Single-table form: `DELETE FROM t ...`; multi-table: targets + from. */
  table?: TableName;
  targets?: TableName[];
  from?: TableRef[];
  where?: Expr;
  orderBy: OrderItem[];
  limit?: Limit;
  /** CTEs written before DELETE. */
  with?: WithClause;
}

// ---------------------------------------------------------------- DDL

export interface ColumnDef {
  name: string;
  dataType: SqlType;
  notNull?: boolean;
  /** Explicit `NULL` given. */
  nullable?: boolean;
  default?: Expr;
  /** The DEFAULT was written in parentheses: an expression default, evaluated for each row (MySQL 8.0.13+). */
  defaultIsExpression?: boolean;
  autoIncrement?: boolean;
  primaryKey?: boolean;
  unique?: boolean;
  comment?: string;
  onUpdateCurrentTimestamp?: boolean;
  charset?: string;
  collation?: string;
  generated?: { expr: Expr; stored: boolean };
  /** Column-level REFERENCES: parsed and ignored, as MySQL does. */
  references?: ForeignKeyRef;
  /** Column-level CHECK constraints, in the order written. */
  checks?: CheckClause[];
}

/** `[CONSTRAINT name] CHECK (expr) [[NOT] ENFORCED]` (the catalog keeps the expression in MySQL's printed form). */
export interface CheckClause {
  name?: string;
  expr: Expr;
  enforced: boolean;
}

export interface IndexColumn {
  column: string;
  length?: number;
  desc?: boolean;
}

export interface ForeignKeyRef {
  table: TableName;
  columns: string[];
  onDelete?: string;
  onUpdate?: string;
}

export type TableConstraint =
  | { kind: 'primary'; name?: string; columns: IndexColumn[] }
  | { kind: 'unique'; name?: string; columns: IndexColumn[] }
  | { kind: 'index'; name?: string; columns: IndexColumn[] }
  | { kind: 'fulltext' | 'spatial'; name?: string; columns: IndexColumn[] }
  | { kind: 'foreign'; name?: string; columns: string[]; references: ForeignKeyRef }
  | ({ kind: 'check' } & CheckClause);

/** Table options as written, keys upper-cased: ENGINE, AUTO_INCREMENT, DEFAULT CHARSET→CHARSET, COLLATE, COMMENT, ROW_FORMAT ... */
export type TableOptions = Record<string, string>;

export interface CreateTableStmt extends Pos {
  type: 'createTable';
  temporary: boolean;
  ifNotExists: boolean;
  table: TableName;
  columns: ColumnDef[];
  constraints: TableConstraint[];
  options: TableOptions;
  /** `CREATE TABLE t LIKE other`. */
  like?: TableName;
  /** `CREATE TABLE t [(defs)] [AS] SELECT ...`. */
  asQuery?: QueryExpr;
}

export interface DropTableStmt extends Pos {
  type: 'dropTable';
  temporary: boolean;
  ifExists: boolean;
  tables: TableName[];
}

export interface CreateIndexStmt extends Pos {
  type: 'createIndex';
  unique: boolean;
  kind?: 'fulltext' | 'spatial';
  ifNotExists?: boolean;
  name: string;
  table: TableName;
  columns: IndexColumn[];
}

export interface DropIndexStmt extends Pos {
  type: 'dropIndex';
  ifExists?: boolean;
  name: string;
  table: TableName;
}

export type AlterAction =
  | { kind: 'addColumn'; column: ColumnDef; first?: boolean; after?: string }
  | { kind: 'dropColumn'; name: string; ifExists?: boolean }
  | { kind: 'modifyColumn'; column: ColumnDef; first?: boolean; after?: string }
  | { kind: 'changeColumn'; oldName: string; column: ColumnDef; first?: boolean; after?: string }
  | { kind: 'renameColumn'; oldName: string; newName: string }
  | { kind: 'alterColumnDefault'; name: string; default?: Expr; defaultIsExpression?: boolean }
  | { kind: 'addConstraint'; constraint: TableConstraint }
  | { kind: 'dropIndex'; name: string; ifExists?: boolean }
  | { kind: 'dropPrimaryKey' }
  | { kind: 'dropForeignKey'; name: string }
  /** DROP CHECK name (`check`) or DROP CONSTRAINT name (`any`: a check or foreign key, or a UNIQUE / PRIMARY KEY). */
  | { kind: 'dropConstraint'; name: string; which: 'check' | 'any' }
  /** ALTER CHECK|CONSTRAINT name [NOT] ENFORCED. */
  | { kind: 'alterCheck'; name: string; enforced: boolean }
  | { kind: 'renameIndex'; oldName: string; newName: string }
  | { kind: 'renameTable'; to: TableName }
  | { kind: 'options'; options: TableOptions };

export interface AlterTableStmt extends Pos {
  type: 'alterTable';
  table: TableName;
  actions: AlterAction[];
}

export interface RenameTableStmt extends Pos {
  type: 'renameTable';
  renames: { from: TableName; to: TableName }[];
}

export interface TruncateStmt extends Pos {
  type: 'truncate';
  table: TableName;
}

export interface CreateDatabaseStmt extends Pos {
  type: 'createDatabase';
  ifNotExists: boolean;
  name: string;
  charset?: string;
  collation?: string;
}

/** ALTER {DATABASE | SCHEMA} [name] option...: the name is the current database when left out. */
export interface AlterDatabaseStmt extends Pos {
  type: 'alterDatabase';
  name?: string;
  charset?: string;
  collation?: string;
  /** READ ONLY [=] 1 (true) or 0 / DEFAULT (false). */
  readOnly?: boolean;
  /** ENCRYPTION [=] 'Y' | 'N', as written. */
  encryption?: string;
}

export interface DropDatabaseStmt extends Pos {
  type: 'dropDatabase';
  ifExists: boolean;
  name: string;
}

export interface CreateViewStmt extends Pos {
  type: 'createView';
  orReplace: boolean;
  ifNotExists?: boolean;
  name: TableName;
  columns?: string[];
  query: QueryExpr;
  /** The text of the view's query as written, kept for SHOW CREATE VIEW. */
  queryText: string;
}

export interface DropViewStmt extends Pos {
  type: 'dropView';
  ifExists: boolean;
  names: TableName[];
}

// ---------------------------------------------------------------- session and admin

export interface UseStmt extends Pos {
  type: 'use';
  database: string;
}

/**
 * `SET a = 1, @@session.b = 2, @u := 3, SESSION c = 4, GLOBAL d = 5`;
 * `SET NAMES cs [COLLATE c]` and `SET CHARACTER SET cs` become their own kinds.
 * `SET [SESSION|GLOBAL] TRANSACTION ISOLATION LEVEL ...|READ ONLY|READ WRITE`.
 */
export interface SetStmt extends Pos {
  type: 'set';
  assignments: SetAssignment[];
}

export type SetAssignment =
  | { kind: 'variable'; target: VariableExpr; value: Expr }
  | { kind: 'names'; charset: string; collation?: string; default?: boolean }
  | { kind: 'charset'; charset: string; default?: boolean }
  | { kind: 'transaction'; scope?: 'global' | 'session'; isolation?: string; accessMode?: 'read only' | 'read write' };

/**
 * SHOW statements. `what` selects the form; `like` / `where` are the filters.
 * Forms: databases, tables (full?, from?), columns (full?, table, from?), index (table), create table,
 * create database, create view, variables (global?), status (global?), warnings, errors, count warnings,
 * count errors, processlist (full?), engines, plugins, charset, collation, table status, grants,
 * privileges, master status, binary logs, open tables, triggers, events, procedure status,
 * function status, profiles, replica (slave) status.
 */
export interface ShowStmt extends Pos {
  type: 'show';
  what:
    | 'databases' | 'tables' | 'columns' | 'index' | 'createTable' | 'createDatabase' | 'createView'
    | 'variables' | 'status' | 'warnings' | 'errors' | 'countWarnings' | 'countErrors'
    | 'processlist' | 'engines' | 'plugins' | 'charset' | 'collation' | 'tableStatus'
    | 'grants' | 'privileges' | 'masterStatus' | 'binaryLogs' | 'openTables' | 'triggers'
    | 'events' | 'procedureStatus' | 'functionStatus' | 'profiles' | 'replicaStatus';
  full?: boolean;
  global?: boolean;
  /** The table (columns, index, create table/view) or database (create database). */
  table?: TableName;
  name?: string;
  /** `FROM db` / `IN db`. */
  database?: string;
  like?: string;
  where?: Expr;
  limit?: Limit;
}

/** `DESCRIBE t [col]` / `DESC t` / `EXPLAIN t` are ShowStmt columns; `EXPLAIN [FORMAT=..] stmt` is this. */
export interface ExplainStmt extends Pos {
  type: 'explain';
  format?: 'traditional' | 'tree' | 'json';
  analyze?: boolean;
  statement: Statement;
}

export interface TransactionStmt extends Pos {
  type: 'transaction';
  action: 'begin' | 'commit' | 'rollback' | 'savepoint' | 'rollbackToSavepoint' | 'releaseSavepoint';
  /** START TRANSACTION options. */
  readOnly?: boolean;
  readWrite?: boolean;
  consistentSnapshot?: boolean;
  savepoint?: string;
  /** COMMIT/ROLLBACK [AND [NO] CHAIN] [[NO] RELEASE]. */
  chain?: boolean;
  release?: boolean;
}

export interface KillStmt extends Pos {
  type: 'kill';
  target: 'connection' | 'query';
  id: Expr;
}

/** `PURGE { BINARY | MASTER } LOGS { TO 'id' | BEFORE datetime }`: the change log's oldest transactions. */
export interface PurgeLogsStmt extends Pos {
  type: 'purgeLogs';
  /** TO: a commit id (`server_uuid:sequence`, or the sequence alone); what is older goes. */
  to?: string;
  /** BEFORE: what was committed before this time goes. */
  before?: Expr;
}

/**
 * `CHANGE REPLICATION FILTER REPLICATE_DO_DB = (db1, db2), ...`: each named filter's new list
 * (empty clears it); the filters it does not name keep theirs.
 */
export interface ChangeReplicationFilterStmt extends Pos {
  type: 'changeReplicationFilter';
  /** By MySQL's upper-case filter name (REPLICATE_DO_DB ...), in statement order. */
  filters: { name: string; values: string[] }[];
}

/**
 * `START REPLICA` / `STOP REPLICA` (and the older SLAVE spelling); `CHANGE REPLICATION SOURCE TO`
 * (or `CHANGE MASTER TO`) with its options; `RESET REPLICA [ALL]`; mizzle's `PROMOTE`.
 */
export interface ReplicaControlStmt extends Pos {
  type: 'replicaControl';
  action: ReplicaAction;
  /** CHANGE ...: the options as given, named SOURCE_* (a MASTER_* name is spelled SOURCE_*). */
  options?: ReplicaSourceOption[];
  /** RESET REPLICA ALL: the source's settings go too. */
  all?: boolean;
}

export type ReplicaAction = 'start' | 'stop' | 'change' | 'reset' | 'promote';

export interface ReplicaSourceOption {
  name: string;
  value: string | number;
}

/**
 * `LOCK TABLES`, `UNLOCK TABLES`, `FLUSH ...`, `ANALYZE/OPTIMIZE/CHECK/REPAIR TABLE`:
 * accepted and answered simply. `words` holds the upper-cased statement keyword(s).
 */
export interface AdminStmt extends Pos {
  type: 'admin';
  command: 'lockTables' | 'unlockTables' | 'flush' | 'analyzeTable' | 'optimizeTable' | 'checkTable' | 'repairTable';
  tables: TableName[];
  words: string[];
}

/** `DO expr, ...`. */
export interface DoStmt extends Pos {
  type: 'do';
  exprs: Expr[];
}

/**
 * Statements mizzle parses only to refuse them with a clear error: stored programs,
 * triggers, events, SQL-level PREPARE/EXECUTE/DEALLOCATE, user and grant management,
 * LOAD DATA, HANDLER, XA, INSTALL PLUGIN... `feature` names the construct.
 */
export interface UnsupportedStmt extends Pos {
  type: 'unsupported';
  feature: string;
}

export type Statement =
  | QueryExpr
  | InsertStmt
  | UpdateStmt
  | DeleteStmt
  | CreateTableStmt
  | DropTableStmt
  | CreateIndexStmt
  | DropIndexStmt
  | AlterTableStmt
  | RenameTableStmt
  | TruncateStmt
  | CreateDatabaseStmt
  | AlterDatabaseStmt
  | DropDatabaseStmt
  | CreateViewStmt
  | DropViewStmt
  | UseStmt
  | SetStmt
  | ShowStmt
  | ExplainStmt
  | TransactionStmt
  | KillStmt
  | ReplicaControlStmt
  | ChangeReplicationFilterStmt
  | PurgeLogsStmt
  | AdminStmt
  | DoStmt
  | UnsupportedStmt;
