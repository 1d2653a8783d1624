// A client session: its state, and the statement pipeline parse → execute → result.
import { SqlError, sqlError, type Diagnostic } from './errors.js';
import type { KernelSession, PreparedStatementInfo, ResultColumn, SessionStatus, StatementResult } from './plugin.js';
import { SessionVariables } from './variables.js';
import type { Statement, TransactionStmt } from '../sql/parser/ast.js';
import { parse, parseWithParams, splitStatements } from '../sql/parser/index.js';
import type { EvalContext, SessionContext } from '../sql/executor/context.js';
import { causesImplicitCommit, executeStatement, resultColumns } from '../sql/executor/run-statement.js';
import { tableScopeColumns } from '../sql/executor/from.js';
import type { StatementEnv } from '../sql/executor/statement-env.js';
import type { Value } from '../sql/types/value.js';
import type { Kernel } from './kernel.js';

/** At most this many diagnostics are kept per statement (MySQL's max_error_count default). */
const DIAGNOSTICS_MAX = 1024;

/** What a session is doing, for SHOW PROCESSLIST. */
export interface SessionActivity {
  command: string;
  since: number;
  info: string | null;
}

export class Session implements KernelSession, SessionContext {
  database: string | null;
  lastInsertId: number | bigint = 0;
  lastRowCount = -1;
  lastFoundRows = 0;
  readonly serverVersion: string;
  readonly variables: SessionVariables;
  private readonly userVariables = new Map<string, Value>();
  private warnings: Diagnostic[] = [];
  private warningsTotal = 0;
  private inTransaction = false;
  /** Whether the open transaction changed data (ROLLBACK cannot undo it until transactions land). */
  private transactionWrote = false;
  private closed = false;
  activity: SessionActivity = { command: 'Sleep', since: Date.now(), info: null };
  statementParams: readonly Value[] = [];
  private readonly prepared = new Map<number, { statement: Statement; text: string; paramCount: number }>();
  private lastPreparedId = 0;

  constructor(
    private readonly kernel: Kernel,
    readonly id: number,
    readonly user: string,
    readonly host: string,
    database: string | null,
  ) {
    this.database = database;
    this.serverVersion = kernel.serverVersion;
    this.variables = new SessionVariables(kernel.globals);
  }

  get connectionId(): number {
    return this.id;
  }

  // ------------------------------------------------------------------ SessionContext

  getSystemVariable(name: string, scope?: 'global' | 'session'): Value {
    const n = name.toLowerCase();
    if (n === 'warning_count') return this.warnings.filter((w) => w.level !== 'Error').length;
    if (n === 'error_count') return this.warnings.filter((w) => w.level === 'Error').length;
    if (n === 'last_insert_id' || n === 'identity') return this.lastInsertId;
    if (n === 'autocommit' && scope !== 'global') return this.variables.get('autocommit');
    const v = this.variables.get(name, scope);
    return typeof v === 'string' && /^\d{16,}$/.test(v) ? BigInt(v) : v;
  }

  listSystemVariables(scope?: 'global' | 'session'): [string, string | number][] {
    return this.variables.all(scope).map(([k, v]): [string, string | number] => {
      if (k === 'warning_count') return [k, this.warnings.length];
      if (k === 'last_insert_id' || k === 'identity') return [k, String(this.lastInsertId)];
      if (typeof v === 'number' && (this.kernel.booleanVariable(k))) return [k, v ? 'ON' : 'OFF'];
      return [k, v];
    });
  }

  setSystemVariable(name: string, value: Value, scope?: 'global' | 'session'): void {
    const n = name.toLowerCase();
    if (n === 'last_insert_id' || n === 'identity') {
      this.lastInsertId = typeof value === 'number' || typeof value === 'bigint' ? value : Number(value ?? 0);
      return;
    }
    this.variables.set(name, value, scope);
    if (n === 'autocommit' && scope !== 'global' && this.variables.get('autocommit') === 1 && this.inTransaction) {
      // Turning autocommit on commits the open transaction, as in MySQL.
      this.endTransaction();
    }
  }

  getUserVariable(name: string): Value {
    return this.userVariables.get(name.toLowerCase()) ?? null;
  }

  setUserVariable(name: string, value: Value): void {
    if (this.userVariables.size >= 10000 && !this.userVariables.has(name.toLowerCase())) {
      throw sqlError('OUTOFMEMORY', 'Too many user variables in this session (limit 10000)');
    }
    this.userVariables.set(name.toLowerCase(), value);
  }

  warn(code: number, message: string, level: 'Note' | 'Warning' = 'Warning'): void {
    this.warningsTotal++;
    if (this.warnings.length < DIAGNOSTICS_MAX) this.warnings.push({ level, code, message });
  }

  // ------------------------------------------------------------------ KernelSession

  async execute(sql: string, multi: boolean, onResult: (result: StatementResult, more: boolean) => void): Promise<void> {
    if (this.closed) throw sqlError('SERVER_SHUTDOWN', 'Session is closed');
    if (!multi) {
      onResult(this.runOne(this.parseCounted(sql), sql), false);
      return;
    }
    // Statements run one at a time, so an error in a later one comes after the earlier results, as in MySQL.
    const texts = splitStatements(sql);
    if (texts.length === 0) this.parseCounted(sql);
    for (let i = 0; i < texts.length; i++) {
      onResult(this.runOne(this.parseCounted(texts[i]), texts[i]), i < texts.length - 1);
    }
  }

  /** Parses one statement; a syntax error is counted and kept for SHOW WARNINGS like any other error. */
  private parseCounted(sql: string): Statement {
    try {
      return parse(sql);
    } catch (e) {
      if (e instanceof SqlError) {
        this.warnings = [{ level: 'Error', code: e.code, message: e.message }];
        this.kernel.counters.error(e.code);
      }
      throw e;
    }
  }

  prepare(sql: string): PreparedStatementInfo {
    const max = Number(this.kernel.globals.get('max_prepared_stmt_count'));
    if (this.prepared.size >= max) {
      throw sqlError('MAX_PREPARED_STMT_COUNT_REACHED', `Can't create more than max_prepared_stmt_count statements (current value: ${max})`);
    }
    let parsed: { statement: Statement; paramCount: number };
    try {
      parsed = parseWithParams(sql);
    } catch (e) {
      if (e instanceof SqlError) this.warnings = [{ level: 'Error', code: e.code, message: e.message }];
      throw e;
    }
    if (parsed.statement.type === 'unsupported') throw sqlError('NOT_SUPPORTED_YET', `mizzle does not support ${parsed.statement.feature}`);
    const id = ++this.lastPreparedId;
    this.prepared.set(id, { statement: parsed.statement, text: sql, paramCount: parsed.paramCount });
    let columns: ResultColumn[] = [];
    const q = parsed.statement;
    if (q.type === 'select' || q.type === 'setop' || q.type === 'values' || q.type === 'with' || q.type === 'show') {
      // Column metadata comes from a run with every parameter NULL (cheap: no row matches a NULL key).
      try {
        const r = this.runOne(q, sql, new Array(parsed.paramCount).fill(null), true);
        if (r.kind === 'rows') columns = r.columns;
      } catch (e) {
        this.prepared.delete(id);
        throw e;
      }
    }
    return { id, paramCount: parsed.paramCount, columns };
  }

  async executePrepared(id: number, params: readonly Value[]): Promise<StatementResult> {
    const p = this.prepared.get(id);
    if (!p) throw sqlError('UNKNOWN_STMT_HANDLER', `Unknown prepared statement handler (${id}) given to mysqld_stmt_execute`);
    if (params.length !== p.paramCount) throw sqlError('WRONG_ARGUMENTS', 'Incorrect arguments to mysqld_stmt_execute');
    return this.runOne(p.statement, p.text, params);
  }

  closePrepared(id: number): void {
    this.prepared.delete(id);
  }

  /** Runs one parsed statement with its diagnostics, counters and transaction bookkeeping. */
  runOne(statement: Statement, text: string, params: readonly Value[] = [], describeOnly = false): StatementResult {
    const keepsDiagnostics = statement.type === 'show' && (statement.what === 'warnings' || statement.what === 'errors' || statement.what === 'countWarnings' || statement.what === 'countErrors');
    const previous = this.warnings;
    if (!keepsDiagnostics) {
      this.warnings = [];
      this.warningsTotal = 0;
    }
    this.activity = { command: describeOnly ? 'Prepare' : params.length ? 'Execute' : 'Query', since: Date.now(), info: text };
    if (!describeOnly) this.kernel.counters.statement(statement.type);
    this.statementParams = params;
    try {
      const result = this.dispatch(statement, text, previous, params);
      if (result.kind === 'ok') this.lastRowCount = result.affectedRows;
      else this.lastRowCount = -1;
      return result;
    } catch (e) {
      if (e instanceof SqlError) {
        this.warnings.push({ level: 'Error', code: e.code, message: e.message });
        this.kernel.counters.error(e.code);
        throw e;
      }
      this.kernel.log.error('internal error while executing a statement', { session: this.id, error: e instanceof Error ? e.stack : String(e), statement: text.slice(0, 1000) });
      const err = sqlError('UNKNOWN_ERROR', `Internal error: ${e instanceof Error ? e.message : String(e)}`);
      this.warnings.push({ level: 'Error', code: err.code, message: err.message });
      throw err;
    } finally {
      this.statementParams = [];
      this.activity = { command: 'Sleep', since: Date.now(), info: null };
    }
  }

  private dispatch(statement: Statement, text: string, previousDiagnostics: readonly Diagnostic[], params: readonly Value[]): StatementResult {
    switch (statement.type) {
      case 'use':
        this.useDatabase(statement.database);
        return { kind: 'ok', affectedRows: 0, insertId: 0 };
      case 'transaction':
        return this.transactionControl(statement);
      default:
        break;
    }
    if (causesImplicitCommit(statement) && this.inTransaction) this.endTransaction();
    const env = this.statementEnv(text, params);
    const diagnostics = statement.type === 'show' ? previousDiagnostics : [];
    const result = executeStatement(statement, env, diagnostics);
    const writes = ['insert', 'update', 'delete'].includes(statement.type);
    if (this.variables.get('autocommit') === 0 && !causesImplicitCommit(statement) && statement.type !== 'set') {
      this.inTransaction = true;
    }
    if (writes && this.inTransaction && result.kind === 'ok' && result.affectedRows > 0) this.transactionWrote = true;
    return result;
  }

  private transactionControl(stmt: TransactionStmt): StatementResult {
    const ok: StatementResult = { kind: 'ok', affectedRows: 0, insertId: 0 };
    switch (stmt.action) {
      case 'begin':
        if (this.inTransaction) this.endTransaction();
        this.inTransaction = true;
        this.transactionWrote = false;
        return ok;
      case 'commit':
        this.endTransaction();
        return ok;
      case 'rollback':
        if (this.transactionWrote) {
          // Until transactional storage lands, each statement commits when it completes, as
          // MySQL's non-transactional engines do; MySQL warns the same way for them.
          this.warn(1196, "Some non-transactional changed tables couldn't be rolled back");
        }
        this.endTransaction();
        return ok;
      case 'savepoint':
      case 'releaseSavepoint':
        return ok;
      case 'rollbackToSavepoint':
        if (this.transactionWrote) this.warn(1196, "Some non-transactional changed tables couldn't be rolled back");
        return ok;
    }
  }

  private endTransaction(): void {
    this.inTransaction = false;
    this.transactionWrote = false;
  }

  private statementEnv(text: string, params: readonly Value[]): StatementEnv {
    const sqlMode = String(this.variables.get('sql_mode'));
    const ctx: EvalContext = {
      session: this,
      now: this.kernel.clock(),
      params,
      divPrecisionIncrement: Number(this.variables.get('div_precision_increment')),
      strict: sqlMode.includes('STRICT_TRANS_TABLES') || sqlMode.includes('STRICT_ALL_TABLES'),
      rowNumber: 0,
      outerRows: [],
    };
    return this.kernel.statementEnv(this, ctx, text);
  }

  useDatabase(name: string): void {
    if (name.toLowerCase() === 'information_schema') {
      throw sqlError('NOT_SUPPORTED_YET', 'This version of mizzle does not yet support information_schema');
    }
    if (!this.kernel.storage.catalog.getSchema(name)) throw sqlError('BAD_DB', `Unknown database '${name}'`);
    this.database = name;
  }

  listFields(table: string, wildcard?: string): ResultColumn[] {
    if (!this.database) throw sqlError('NO_DB', 'No database selected');
    const def = this.kernel.storage.catalog.getTable(this.database, table);
    if (!def) throw sqlError('NO_SUCH_TABLE', `Table '${this.database}.${table}' doesn't exist`);
    const cols = resultColumns(tableScopeColumns(def, def.name));
    if (!wildcard) return cols;
    const re = new RegExp('^' + wildcard.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.') + '$', 'i');
    return cols.filter((c) => re.test(c.name));
  }

  statistics(): string {
    return this.kernel.statisticsLine();
  }

  reset(): void {
    this.endTransaction();
    this.userVariables.clear();
    this.prepared.clear();
    this.variables.reset();
    this.warnings = [];
    this.lastInsertId = 0;
    this.lastRowCount = -1;
  }

  status(): SessionStatus {
    return {
      inTransaction: this.inTransaction,
      autocommit: this.variables.get('autocommit') === 1,
      warningCount: Math.min(this.warningsTotal, 65535),
    };
  }

  diagnostics(): readonly Diagnostic[] {
    return this.warnings;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.endTransaction();
    this.kernel.sessionClosed(this);
  }
}
