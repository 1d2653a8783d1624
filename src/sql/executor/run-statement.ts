// Dispatches one parsed statement to its executor and shapes the result for the protocol.
import { getCharset, getCollation } from '../../base/collation.js';
import { sqlError } from '../../base/errors.js';
import type { Diagnostic } from '../../base/errors.js';
import type { ResultColumn, RowSink, StatementResult } from '../../base/result.js';
import { isDefaultKeyword, type QueryExpr, type SelectStmt, type SetStmt, type Statement } from '../parser/ast.js';
import { Scope, type ScopeColumn } from '../analyzer/scope.js';
import { compileExpr } from '../analyzer/compile-expr.js';
import type { Value } from '../../base/value.js';
import { executeQuery, planContext, runQuery, subqueryCompiler, uniqueKeyQueryRows, type QueryResult } from './query.js';
import { planQuery, queryPlans } from '../planner/plan-query.js';
import { PLAN_ONLY } from '../planner/plan-summary.js';
import { collect, type Pause } from './pause.js';
import { streamRows } from './stream-rows.js';
import { executeExplain } from './explain.js';
import { executeInsert, insertSteps } from './insert.js';
import { deleteSteps, executeDelete, executeUpdate, updateSteps } from './update-delete.js';
import {
  executeAlterDatabase, executeCreateDatabase, executeCreateIndex, executeCreateTable, executeCreateView,
  executeDropDatabase, executeDropIndex, executeDropTable, executeDropView, executeRenameTable, executeTruncate,
} from './ddl.js';
import { executeAlterTable } from './alter-table.js';
import { executeShow } from './show.js';
import { executeTableMaintenance, isTableMaintenance } from './table-maintenance.js';
import { executePurgeLogs } from './binary-logs.js';
import { checkInformationSchemaWrite } from './information-schema.js';
import type { StatementEnv } from './statement-env.js';

const OK: StatementResult = { kind: 'ok', affectedRows: 0, insertId: 0 };

/** Column metadata for the protocol from a query's scope columns. */
export function resultColumns(columns: readonly ScopeColumn[]): ResultColumn[] {
  return columns.map((c) => ({
    name: c.name,
    orgName: c.orgName,
    table: c.table,
    orgTable: c.orgTable,
    schema: c.schema,
    type: c.type,
    nullable: c.nullable,
    primaryKey: c.primaryKey,
    uniqueKey: c.uniqueKey,
    multipleKey: c.multipleKey,
    partKey: c.partKey,
    autoIncrement: c.autoIncrement,
  }));
}

/** Statement kinds that end a transaction implicitly (DDL), as MySQL does. */
export function causesImplicitCommit(stmt: Statement): boolean {
  switch (stmt.type) {
    case 'createTable': return !stmt.temporary;
    case 'dropTable': return !stmt.temporary;
    case 'createIndex': case 'dropIndex': case 'alterTable': case 'renameTable': case 'truncate':
    case 'createDatabase': case 'alterDatabase': case 'dropDatabase': case 'createView': case 'dropView':
      return true;
    default:
      return false;
  }
}

/** Whether a statement changes no table data (for read-only transactions and replicas; PURGE BINARY LOGS trims only the change log). */
export function isReadOnlyStatement(stmt: Statement): boolean {
  return ['select', 'setop', 'values', 'with', 'show', 'explain', 'set', 'use', 'transaction', 'do', 'kill', 'replicaControl', 'changeReplicationFilter', 'purgeLogs'].includes(stmt.type);
}

function runSelectLike(query: QueryExpr, env: StatementEnv): StatementResult {
  return selectResult(query, env.read((tx) => runQuery(query, env, tx)), env);
}

/** A query's rows as the statement's result (or, for SELECT ... INTO, assigned to user variables). */
function selectResult(withQuery: QueryExpr, result: QueryResult, env: StatementEnv): StatementResult {
  env.session.lastFoundRows = calcFoundRows(withQuery) ? countWithoutLimit(withQuery, env) : result.rows.length;
  // `WITH ... SELECT ... INTO @v`: the INTO belongs to the query after the WITH.
  let query = withQuery;
  while (query.type === 'with') query = query.query;
  if (query.type === 'select' && query.into) {
    if (result.rows.length > 1) throw sqlError('TOO_MANY_ROWS', 'Result consisted of more than one row');
    if (query.into.length !== result.columns.length) throw sqlError('WRONG_NUMBER_OF_COLUMNS_IN_SELECT', 'The used SELECT statements have a different number of columns');
    if (result.rows.length === 0) {
      env.session.warn(1329, 'No data - zero rows fetched, selected, or processed');
      return OK;
    }
    query.into.forEach((v, i) => env.session.setUserVariable(v.name, result.rows[0][i]));
    return OK;
  }
  return { kind: 'rows', columns: resultColumns(result.columns), rows: result.rows };
}

function calcFoundRows(query: QueryExpr): boolean {
  const select = query.type === 'with' ? innermost(query) : query;
  return select.type === 'select' && select.limit !== undefined && select.options.includes('SQL_CALC_FOUND_ROWS');
}

/** The query a WITH (or nested WITHs) leads to. */
function innermost(query: QueryExpr): QueryExpr {
  let q = query;
  while (q.type === 'with') q = q.query;
  return q;
}

/**
 * FOUND_ROWS() after SQL_CALC_FOUND_ROWS: the rows the query would return without its LIMIT.
 * The query runs a second time without it (MySQL also reads every row; this reads them twice).
 */
function countWithoutLimit(query: QueryExpr, env: StatementEnv): number {
  const unlimit = (q: QueryExpr): QueryExpr => (q.type === 'with' ? { ...q, query: unlimit(q.query) } : q.type === 'select' ? { ...q, limit: undefined, into: undefined } : q);
  return env.read((tx) => runQuery(unlimit(query), env, tx)).rows.length;
}

/** A query's result columns from its plan, without reading or running anything (COM_STMT_PREPARE). */
export function describeQuery(query: QueryExpr, env: StatementEnv): ResultColumn[] {
  return env.read((tx) => resultColumns(planQuery(query, { ...planContext(env, tx), subqueryRunner: PLAN_ONLY }).columns));
}

/** Whether a statement can run in slices with pauses between them (see executeStatementSteps). */
export function isPausable(stmt: Statement): stmt is Extract<Statement, { type: 'select' | 'setop' | 'values' | 'with' }> {
  return stmt.type === 'select' || stmt.type === 'setop' || stmt.type === 'values' || stmt.type === 'with';
}

/**
 * Whether a write can run in slices: UPDATE, DELETE, and INSERT / REPLACE ... SELECT. They buffer
 * their changes in the transaction, so no storage write is held across a pause.
 */
export function isPausableWrite(stmt: Statement): stmt is Extract<Statement, { type: 'update' | 'delete' | 'insert' }> {
  return stmt.type === 'update' || stmt.type === 'delete' || (stmt.type === 'insert' && stmt.query !== undefined);
}

/**
 * Runs a query in slices: the generator pauses between slices of work and returns the result.
 * Its snapshot stays pinned across the pauses, so a driver may return to the event loop at
 * each one (other sessions run, KILL QUERY and timeouts are noticed) and resume it after.
 */
export function* executeStatementSteps(stmt: Statement, env: StatementEnv, diagnostics: readonly Diagnostic[], sink?: RowSink): Generator<Pause, StatementResult> {
  if (isPausableWrite(stmt)) {
    if (stmt.type === 'update') return yield* updateSteps(stmt, env);
    if (stmt.type === 'delete') return yield* deleteSteps(stmt, env);
    return yield* insertSteps(stmt, env);
  }
  if (!isPausable(stmt)) return executeStatement(stmt, env, diagnostics);
  const query = stmt;
  if (sink !== undefined && streamsToSink(query, env.text)) return yield* streamQuery(query, env, sink);
  const result = yield* env.readSteps(function* (tx) {
    const plan = queryPlans.plan(query, planContext(env, tx));
    const point = uniqueKeyQueryRows(plan, env, tx);
    notePointRead(query, point !== undefined);
    const rows = point ?? (yield* collect(executeQuery(plan, env, tx), []));
    return { columns: plan.columns, rows };
  });
  return selectResult(query, result, env);
}

/**
 * Whether a query's last plan was a point read: a streaming SELECT of one table by a whole unique
 * key (see uniqueKeyQueryRows). Kept current by both paths; a query not yet planned is absent.
 */
const pointReads = new WeakMap<QueryExpr, boolean>();

/**
 * Statements executePointRead took on (`tried`) and gave back to the slices path (`declined`),
 * for tests and diagnostics (as PlanCache counts its hits).
 */
export const pointReadStats = { tried: 0, declined: 0 };

function notePointRead(query: QueryExpr, isPoint: boolean): void {
  pointReads.set(query, isPoint);
}

/**
 * Whether a SELECT not planned yet (a text seen for the first time) is worth trying as a point
 * read: one table, a WHERE, nothing that groups, sorts or numbers rows, and no second SELECT in
 * its text (a subquery's plan is not cached, so a declined one would be planned twice; a false
 * hit, such as 'select' in a string, only loses the point read path).
 */
function mayBePointRead(select: SelectStmt, text: string): boolean {
  return select.from.length === 1 && select.from[0].type === 'table' && select.where !== undefined && !select.distinct
    && select.groupBy.length === 0 && select.having === undefined && select.windows === undefined && select.orderBy.length === 0
    && !/select[\s\S]*select/i.test(text);
}

/**
 * Runs a query that is (or may be) a point read synchronously, as one read: it reads a row or a
 * few, so it cannot run long and needs none of the slices machinery (generators, a pinned snapshot,
 * a promise per statement). The answer is the one executeStatementSteps gives. Undefined, having
 * sent nothing, when the query is not one or its plan for this execution is not one (a key that
 * does not convert, a dropped index): it then runs in slices.
 */
export function executePointRead(stmt: Statement, env: StatementEnv, sink?: RowSink): StatementResult | undefined {
  if (stmt.type !== 'select') return undefined;
  const known = pointReads.get(stmt);
  if (known === false || (known === undefined && !mayBePointRead(stmt, env.text))) return undefined;
  pointReadStats.tried++;
  const query = stmt;
  const result = env.read((tx): QueryResult | undefined => {
    const plan = queryPlans.plan(query, planContext(env, tx));
    const rows = uniqueKeyQueryRows(plan, env, tx);
    return rows === undefined ? undefined : { columns: plan.columns, rows };
  });
  if (result === undefined) {
    pointReads.set(query, false);
    pointReadStats.declined++;
    return undefined;
  }
  if (sink === undefined || !streamsToSink(query, env.text)) return selectResult(query, result, env);
  const columns = resultColumns(result.columns);
  sink.begin(columns);
  if (result.rows.length > 0) sink.rows(result.rows);
  env.session.lastFoundRows = result.rows.length;
  return { kind: 'streamed', columns, rowCount: result.rows.length };
}

/**
 * Whether a query's rows can go to a sink as they come: not when they are assigned (INTO) or
 * counted twice (SQL_CALC_FOUND_ROWS), nor when GET_LOCK may have the statement run again after
 * a wait (its columns would be sent twice). The text test is cheap; a false hit only loses streaming.
 */
function streamsToSink(query: QueryExpr, text: string): boolean {
  const select = innermost(query);
  return !(select.type === 'select' && select.into) && !calcFoundRows(query) && !/get_lock/i.test(text);
}

/**
 * Runs a query whose rows go to `sink` batch by batch: the columns once planned, then each
 * batch as it is produced. A point select by unique key still reads its few rows at once.
 */
function* streamQuery(query: QueryExpr, env: StatementEnv, sink: RowSink): Generator<Pause, StatementResult> {
  let columns: ResultColumn[] = [];
  const rowCount = yield* env.readSteps(function* (tx) {
    const plan = queryPlans.plan(query, planContext(env, tx));
    columns = resultColumns(plan.columns);
    const rows = uniqueKeyQueryRows(plan, env, tx);
    notePointRead(query, rows !== undefined);
    sink.begin(columns);
    if (rows !== undefined) {
      if (rows.length > 0) sink.rows(rows);
      return rows.length;
    }
    return yield* streamRows(executeQuery(plan, env, tx), sink, env.ctx.memory);
  });
  env.session.lastFoundRows = rowCount;
  return { kind: 'streamed', columns, rowCount };
}

function executeSet(stmt: SetStmt, env: StatementEnv): StatementResult {
  // Evaluate every right-hand side first, then assign, so `SET @a=1, @b=@a` sees the old @a as MySQL does not guarantee otherwise.
  const empty = new Scope([]);
  for (const a of stmt.assignments) {
    switch (a.kind) {
      case 'variable': {
        let value: Value;
        if (isDefaultKeyword(a.value)) {
          if (a.target.kind === 'user') throw sqlError('PARSE', "You have an error in your SQL syntax; DEFAULT cannot be assigned to a user variable");
          value = env.session.getSystemVariable(a.target.name, 'global');
        } else if (a.value.type === 'column' && a.target.kind === 'system' && !a.value.table) {
          // SET autocommit = ON / sql_mode = TRADITIONAL: bare words are values, not columns.
          value = a.value.column;
        } else {
          value = env.read((tx) => compileExpr(a.value, { scope: empty, session: env.session, clause: 'field list', text: env.text, subquery: subqueryCompiler(env, tx, empty) }).eval([], env.ctx));
        }
        if (a.target.kind === 'user') env.session.setUserVariable(a.target.name, value);
        else env.session.setSystemVariable(a.target.name, value, a.target.scope);
        break;
      }
      case 'names': {
        // The variables hold the charset's own name: utf8 is stored as utf8mb3, as MySQL 8 and MariaDB do.
        const cs = a.default ? 'utf8mb4' : getCharset(a.charset)?.name ?? a.charset.toLowerCase();
        // A COLLATE of another character set changes nothing (1253), as in MySQL; an unknown one is 1273.
        if (a.collation !== undefined) {
          const named = getCollation(a.collation);
          if (named === undefined) throw sqlError('UNKNOWN_COLLATION', `Unknown collation: '${a.collation}'`);
          if (named.charset !== cs && getCharset(cs) !== undefined) throw sqlError('COLLATION_CHARSET_MISMATCH', `COLLATION '${named.name}' is not valid for CHARACTER SET '${cs}'`);
        }
        for (const v of ['character_set_client', 'character_set_connection', 'character_set_results']) env.session.setSystemVariable(v, cs);
        // Without COLLATE the connection takes the character set's default collation, as in MySQL.
        const collation = a.collation?.toLowerCase() ?? getCharset(cs)?.defaultCollation;
        if (collation !== undefined) env.session.setSystemVariable('collation_connection', collation);
        break;
      }
      case 'charset': {
        const cs = a.default ? 'utf8mb4' : getCharset(a.charset)?.name ?? a.charset.toLowerCase();
        env.session.setSystemVariable('character_set_client', cs);
        env.session.setSystemVariable('character_set_results', cs);
        break;
      }
      case 'transaction': {
        if (a.isolation) env.session.setSystemVariable('transaction_isolation', a.isolation.toUpperCase().replace(/ /g, '-'), a.scope);
        if (a.accessMode) env.session.setSystemVariable('transaction_read_only', a.accessMode === 'read only' ? 1 : 0, a.scope);
        break;
      }
    }
  }
  return OK;
}

/** Runs one statement. Transaction control, USE and KILL go through `env` hooks owned by the kernel session. */
export function executeStatement(stmt: Statement, env: StatementEnv, diagnostics: readonly Diagnostic[]): StatementResult {
  // information_schema is read-only: DDL naming it gets 1044 (INSERT/UPDATE/DELETE get it when they resolve their target).
  if (causesImplicitCommit(stmt) || stmt.type === 'createTable' || stmt.type === 'dropTable') checkInformationSchemaWrite(stmt, env);
  switch (stmt.type) {
    case 'select': case 'setop': case 'values': case 'with':
      return runSelectLike(stmt, env);
    case 'insert': return executeInsert(stmt, env);
    case 'update': return executeUpdate(stmt, env);
    case 'delete': return executeDelete(stmt, env);
    case 'createTable': return executeCreateTable(stmt, env);
    case 'dropTable': return executeDropTable(stmt, env);
    case 'createIndex': return executeCreateIndex(stmt, env);
    case 'dropIndex': return executeDropIndex(stmt, env);
    case 'alterTable': return executeAlterTable(stmt, env);
    case 'renameTable': return executeRenameTable(stmt, env);
    case 'truncate': return executeTruncate(stmt, env);
    case 'createDatabase': return executeCreateDatabase(stmt, env);
    case 'alterDatabase': return executeAlterDatabase(stmt, env);
    case 'dropDatabase': return executeDropDatabase(stmt, env);
    case 'createView': return executeCreateView(stmt, env);
    case 'dropView': return executeDropView(stmt, env);
    case 'show': return executeShow(stmt, env, diagnostics);
    case 'explain': return executeExplain(stmt, env);
    case 'set': return executeSet(stmt, env);
    case 'do': {
      const empty = new Scope([]);
      for (const e of stmt.exprs) compileExpr(e, { scope: empty, session: env.session, clause: 'field list' }).eval([], env.ctx);
      return OK;
    }
    case 'kill': {
      const id = compileExpr(stmt.id, { scope: new Scope([]), session: env.session, clause: 'field list' }).eval([], env.ctx);
      // A thread id is an integer: what does not convert (a word, NULL) names thread 0, as in MySQL.
      const n = Number(id);
      env.server.kill(Number.isFinite(n) ? Math.trunc(n) : 0, stmt.target === 'query');
      return OK;
    }
    case 'replicaControl': {
      const note = env.server.replicaControl(stmt);
      if (note !== undefined) env.session.warn(note.code, note.message, 'Note');
      return OK;
    }
    case 'changeReplicationFilter':
      env.server.changeReplicationFilter(stmt.filters);
      return OK;
    case 'purgeLogs':
      return executePurgeLogs(stmt, env);
    case 'admin':
      if (isTableMaintenance(stmt.command)) return executeTableMaintenance({ ...stmt, command: stmt.command }, env);
      if (stmt.command === 'flush' && stmt.words.some((w) => w.toUpperCase() === 'HOSTS')) env.server.flushHosts();
      // LOCK/UNLOCK TABLES, other FLUSHes: nothing to do on LMDB; answered so dump tools work.
      return OK;
    case 'use': case 'transaction':
      throw new Error(`${stmt.type} must be handled by the session`);
    case 'unsupported':
      throw sqlError('NOT_SUPPORTED_YET', `mizzle does not support ${stmt.feature}: it is left out on purpose (see the README, "What mizzle leaves out")`);
  }
}
