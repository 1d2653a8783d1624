// A client session: its identity, variables and state, and the statement pipeline parse → admit → run → report.
import { SessionUserLocks } from './user-locks.js';
import { SqlError, sqlError, type Diagnostic } from '../../base/errors.js';
import type { KernelSession, PreparedStatementInfo, SessionStatus } from '../plugin.js';
import type { ResultColumn, RowSink, StatementResult } from '../../base/result.js';
import type { ServerInfo } from '../../sql/executor/statement-env.js';
import { MemoryBudget } from '../../base/memory-budget.js';
import { SessionVariables } from '../variables.js';
import type { Statement } from '../../sql/parser/ast.js';
import { parseWithParams, splitStatements } from '../../sql/parser/index.js';
import { StatementCache } from '../../sql/parser/statement-cache.js';
import { likeToRegExp } from '../../sql/types/like.js';
import type { EvalContext, SessionContext } from '../../sql/analyzer/eval-context.js';
import { causesImplicitCommit, describeQuery, executePointRead, executeStatement, executeStatementSteps, isPausable, isPausableWrite, resultColumns } from '../../sql/executor/run-statement.js';
import { runSteps, SLICE_MS } from './statement-driver.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { dropInSlices, dropStaged, StageRequest } from '../../storage/staged-rebuild.js';
import { tableScopeColumns } from '../../sql/planner/plan-source.js';
import { informationSchemaColumns } from '../../sql/executor/information-schema.js';
import { INFORMATION_SCHEMA, isInformationSchema } from '../../sql/analyzer/system-schema.js';
import type { StatementEnv } from '../../sql/executor/statement-env.js';
import type { Value } from '../../base/value.js';
import { LockConflict } from '../transactions/lock-manager.js';
import { StatementLockOwner, ddlLockKeys } from '../transactions/metadata-locks.js';
import type { Transaction } from '../transactions/transaction.js';
import { StatementAdmission, type FilterTicket } from './admission.js';
import { CommitWait } from './commit-wait.js';
import { DiagnosticsArea, type DiagnosticsMark } from './diagnostics-area.js';
import { FinishedStatement } from './finished-statement.js';
import { IdleTransactionTimeout } from './idle-transaction-timeout.js';
import { LockRetry } from './lock-retry.js';
import type { SessionHost } from './session-host.js';
import { StatementMeter } from './statement-meter.js';
import { TransactionState } from './transaction-state.js';
import type { ReplicatedOrigin } from '../../storage/change-log/applied-position.js';

/** What a session is doing, for SHOW PROCESSLIST. */
export interface SessionActivity {
  command: string;
  since: number;
  info: string | null;
  /** SHOW PROCESSLIST's State when it is not simply executing (a metadata lock wait). */
  state?: string;
}

/** SELECT ... INTO @var (possibly after WITH): its answer is an OK packet, not a result set. */
function selectsInto(q: Statement): boolean {
  let query = q;
  while (query.type === 'with') query = query.query;
  return query.type === 'select' && query.into !== undefined;
}

export class Session implements KernelSession, SessionContext {
  database: string | null;
  lastInsertId: number | bigint = 0;
  lastRowCount = -1;
  lastFoundRows = 0;
  matchedRowsAsAffected = false;
  /** `SET timestamp = n` pins NOW() and friends to n seconds since the epoch; undefined follows the clock. */
  private fixedTimestamp: number | undefined;
  readonly serverVersion: string;
  readonly variables: SessionVariables;
  private readonly userVariables = new Map<string, Value>();
  private readonly warnings = new DiagnosticsArea();
  private closed = false;
  activity: SessionActivity = { command: 'Sleep', since: Date.now(), info: null };
  statementParams: readonly Value[] = [];
  /** Where the running statement's rows go as they come, when its protocol streams them (see RowSink). */
  private rowSink: RowSink | undefined;
  private readonly prepared = new Map<number, { statement: Statement; text: string; paramCount: number }>();
  private lastPreparedId = 0;
  /** Texts parsed lately: the same text again reuses its AST and so its compiled plan. */
  private readonly parsedTexts = new StatementCache();
  /** Set by a replica's applier while it applies a source transaction: its commit carries the origin and the applied position. */
  replicationOrigin: ReplicatedOrigin | undefined;
  /** The client's TLS session (SHOW STATUS's Ssl_cipher and Ssl_version); undefined on a clear connection. */
  tls: { cipher: string; version: string } | undefined;
  /** The protocol the session came in by (mysql, http, native, embedded), for the audit trail. */
  protocol = 'embedded';
  /** What this session's statements see of the server (SHOW PROCESSLIST filtered by its rights, KILL). */
  readonly serverInfo: ServerInfo;
  private readonly meter = new StatementMeter();
  private readonly commits: CommitWait;
  private readonly transactions: TransactionState;
  private readonly lockRetry: LockRetry;
  private readonly admission: StatementAdmission;
  private readonly idleTimeout: IdleTransactionTimeout;
  readonly userLocks: SessionUserLocks;
  /** Holds the metadata locks of a statement outside any transaction (a plain read, DDL) until it ends. */
  readonly statementLocks: StatementLockOwner;

  constructor(
    private readonly kernel: SessionHost,
    readonly id: number,
    readonly user: string,
    readonly host: string,
    database: string | null,
    private readonly disconnect?: () => void,
    /** A replica's applier: read-only mode, authorization and filters do not apply to it. */
    readonly applier = false,
  ) {
    this.database = database;
    this.serverVersion = kernel.serverVersion;
    this.variables = new SessionVariables(kernel.globals);
    this.serverInfo = kernel.serverInfoFor(this);
    this.commits = new CommitWait(kernel, id, this.warnings);
    this.transactions = new TransactionState(kernel, this.variables, this.commits);
    this.lockRetry = new LockRetry(kernel, this, this.variables, this.transactions, this.meter, this.warnings, (statement, text, params) => this.runAttempt(statement, text, params, false));
    this.admission = new StatementAdmission(kernel, this, this.warnings);
    this.idleTimeout = new IdleTransactionTimeout(kernel, this, this.variables, this.transactions);
    this.userLocks = new SessionUserLocks(kernel.locks, id);
    this.statementLocks = new StatementLockOwner(id);
  }

  /**
   * A replica's applier, after each source transaction of a group: the rows recorded since the last
   * mark are logged as one message with `origin`'s ids, and the commit stores the last as the applied position.
   */
  markReplicated(origin: ReplicatedOrigin): void {
    const changes = this.transactions.current?.changes;
    if (changes === undefined) throw new Error('markReplicated needs an open transaction and the change log');
    changes.markEnd(origin);
  }

  /** KILL QUERY: the running statement stops at its next check (scans, lock waits) with 1317. */
  killQuery(): void {
    this.meter.killed = true;
    this.lockRetry.interrupt();
  }

  /** KILL CONNECTION: stops the running statement and closes the client's connection. */
  killConnection(): void {
    this.killQuery();
    if (this.disconnect) this.disconnect();
    else this.close();
  }

  get connectionId(): number {
    return this.id;
  }

  // ------------------------------------------------------------------ SessionContext

  requestSleep(ms: number): void {
    this.meter.sleepMs += ms;
  }

  getSystemVariable(name: string, scope?: 'global' | 'session'): Value {
    const n = name.toLowerCase();
    if (n === 'warning_count') return this.warnings.list.filter((w) => w.level !== 'Error').length;
    if (n === 'error_count') return this.warnings.list.filter((w) => w.level === 'Error').length;
    if (n === 'last_insert_id' || n === 'identity') return this.lastInsertId;
    if (n === 'in_transaction') return this.transactions.current ? 1 : 0;
    // Its 'global' value is what SET timestamp = DEFAULT assigns: 0, back to the clock.
    if (n === 'timestamp') return scope === 'global' ? 0 : this.fixedTimestamp ?? this.kernel.clock().getTime() / 1000;
    if (n === 'autocommit' && scope !== 'global') return this.variables.get('autocommit');
    const v = this.variables.get(name, scope);
    return typeof v === 'string' && /^\d{16,}$/.test(v) ? BigInt(v) : v;
  }

  listSystemVariables(scope?: 'global' | 'session'): [string, string | number][] {
    return this.variables.all(scope).map(([k, v]): [string, string | number] => {
      if (k === 'warning_count') return [k, this.warnings.list.length];
      if (k === 'last_insert_id' || k === 'identity') return [k, String(this.lastInsertId)];
      if (typeof v === 'number' && (this.kernel.booleanVariable(k))) return [k, v ? 'ON' : 'OFF'];
      // SHOW VARIABLES shows a NULL value (character_set_results) as empty, as MySQL does.
      return [k, v ?? ''];
    });
  }

  setSystemVariable(name: string, value: Value, scope?: 'global' | 'session'): void {
    const n = name.toLowerCase();
    if (n === 'timestamp') {
      if (scope === 'global') throw sqlError('LOCAL_VARIABLE', "Variable 'timestamp' is a SESSION variable and can't be used with SET GLOBAL");
      // 0 and DEFAULT return to the clock, as in MySQL.
      const secs = value === null ? 0 : Number(typeof value === 'bigint' ? value : value instanceof Buffer ? value.toString() : String(value));
      if (!Number.isFinite(secs) || secs < 0) throw sqlError('WRONG_VALUE_FOR_VAR', `Variable 'timestamp' can't be set to the value of '${String(value)}'`);
      this.fixedTimestamp = secs === 0 ? undefined : secs;
      return;
    }
    if (n === 'last_insert_id' || n === 'identity') {
      this.lastInsertId = typeof value === 'number' || typeof value === 'bigint' ? value : Number(value ?? 0);
      return;
    }
    this.variables.set(name, value, scope);
    if (n === 'autocommit' && scope !== 'global' && this.variables.get('autocommit') === 1 && this.transactions.current) {
      // Turning autocommit on commits the open transaction, as in MySQL.
      this.transactions.commit();
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
    this.warnings.warn(code, message, level);
  }

  // ------------------------------------------------------------------ KernelSession

  async execute(sql: string, multi: boolean, onResult: (result: StatementResult, more: boolean) => void, sink?: RowSink): Promise<void> {
    if (this.closed) throw sqlError('SERVER_SHUTDOWN', 'Session is closed');
    if (!multi) {
      onResult(await this.runOne(this.parseCounted(sql), sql, [], sink), false);
      return;
    }
    // Statements run one at a time, so an error in a later one comes after the earlier results, as in MySQL.
    const texts = splitStatements(sql);
    if (texts.length === 0) this.parseCounted(sql);
    for (let i = 0; i < texts.length; i++) {
      onResult(await this.runOne(this.parseCounted(texts[i]), texts[i], [], sink), i < texts.length - 1);
    }
  }

  /** Parses one statement; a syntax error is counted and kept for SHOW WARNINGS like any other error. */
  private parseCounted(sql: string): Statement {
    const started = Date.now();
    try {
      return this.counted(() => this.parsedTexts.parse(sql));
    } catch (e) {
      // Logs and metrics see statements that did not parse too, as kind 'unknown'.
      if (e instanceof SqlError) this.statementFinished('unknown', sql, started, undefined, e);
      throw e;
    }
  }

  private counted<T>(parseFn: () => T): T {
    try {
      return parseFn();
    } catch (e) {
      if (e instanceof SqlError) {
        this.warnings.onlyError(e);
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
    this.kernel.counters.preparedStatement('prepare');
    const parsed = this.counted(() => parseWithParams(sql));
    this.kernel.refreshReads();
    if (parsed.statement.type === 'unsupported') throw sqlError('NOT_SUPPORTED_YET', `mizzle does not support ${parsed.statement.feature}`);
    // Checked at prepare time too, as MySQL does: describing the result would show a denied table's columns.
    this.admission.authorize(parsed.statement);
    const id = ++this.lastPreparedId;
    this.prepared.set(id, { statement: parsed.statement, text: sql, paramCount: parsed.paramCount });
    let columns: ResultColumn[] = [];
    const q = parsed.statement;
    if (q.type === 'select' || q.type === 'setop' || q.type === 'values' || q.type === 'with' || q.type === 'show') {
      const nulls = new Array<Value>(parsed.paramCount).fill(null);
      try {
        if (q.type === 'show') {
          // SHOW's columns come from running it (cheap, and it takes no locks).
          const r = this.runAttempt(q, sql, nulls, true);
          if (!(r instanceof Promise) && r.kind === 'rows') columns = r.columns;
        } else {
          // A query's columns come from its plan: nothing is read or run to describe it. SELECT ... INTO
          // answers OK, not rows, so it has none.
          this.statementParams = nulls;
          // Planning only: it takes no metadata locks (a waiting DDL does not hold it back, nor does it hold the DDL).
          if (!selectsInto(q)) columns = describeQuery(q, this.kernel.statementEnv(this, this.evalContext(nulls), sql, undefined, undefined, this.meter, false));
        }
      } catch (e) {
        this.prepared.delete(id);
        throw e;
      } finally {
        this.statementParams = [];
        // Running SHOW to describe it may have locked a table (SHOW CREATE TABLE): not past the prepare.
        this.kernel.locks.releaseAll(this.statementLocks);
      }
    }
    return { id, paramCount: parsed.paramCount, columns };
  }

  async executePrepared(id: number, params: readonly Value[], sink?: RowSink): Promise<StatementResult> {
    this.kernel.counters.preparedStatement('execute');
    const p = this.prepared.get(id);
    if (!p) throw sqlError('UNKNOWN_STMT_HANDLER', `Unknown prepared statement handler (${id}) given to mysqld_stmt_execute`);
    if (params.length !== p.paramCount) throw sqlError('WRONG_ARGUMENTS', 'Incorrect arguments to mysqld_stmt_execute');
    return this.runOne(p.statement, p.text, params, sink);
  }

  closePrepared(id: number): void {
    this.kernel.counters.preparedStatement('close');
    this.prepared.delete(id);
  }

  /**
   * Runs one parsed statement: admission, then attempts until one meets no other
   * transaction's row lock (see LockRetry), then the wait for a durable commit; the
   * finished statement is counted and reported whatever happened.
   */
  async runOne(statement: Statement, text: string, params: readonly Value[] = [], sink?: RowSink): Promise<StatementResult> {
    this.idleTimeout.cancel();
    const notice = this.idleTimeout.takeNotice();
    if (notice) {
      this.warnings.onlyError(notice);
      throw notice;
    }
    const started = Date.now();
    // Reset before any refusal, so a refused statement's event does not carry the previous one's rows examined.
    this.meter.reset(0);
    const ticket: FilterTicket = {};
    this.rowSink = sink;
    let result: StatementResult | undefined;
    let failure: SqlError | undefined;
    try {
      const starting = this.kernel.statementStarting(statement, text, this);
      if (starting) await starting;
      const deadlineMs = this.admission.admit(statement, text, params, ticket);
      this.meter.deadline = deadlineMs > 0 ? started + deadlineMs : 0;
      const answer = await this.lockRetry.run(statement, text, params);
      // SET GLOBAL, a KILL of another thread's session, and CHANGE REPLICATION SOURCE TO / PROMOTE
      // (they set read_only) hold on every thread before the OK.
      const settled = this.kernel.relayedSettled();
      if (settled) await settled;
      // SLEEP() in a statement that ran whole is waited out before it answers.
      if (this.meter.sleepMs > 0) await this.meter.sleep();
      // Most statements have nothing to commit: skip the extra await (a microtask turn each).
      if (this.commits.waiting) await this.commits.finish();
      result = answer;
      return result;
    } catch (e) {
      if (e instanceof SqlError) failure = e;
      // A filter's deadline that stopped the statement counts as that filter's block in the query log.
      if (failure?.code === 3024 && ticket.deadlineBy !== undefined) ticket.blockedBy = ticket.deadlineBy;
      throw e;
    } finally {
      this.rowSink = undefined;
      if (ticket.done) for (const d of ticket.done) d(failure?.code ?? 0);
      this.statementFinished(statement.type, text, started, result, failure, ticket.blockedBy, ticket.notes);
      // A DDL's exclusive locks are released as a commit (threads=2: a worker that locks such a table later, with reads from before, reads again).
      this.kernel.locks.releaseAll(this.statementLocks, causesImplicitCommit(statement));
      if (!this.closed) this.idleTimeout.arm();
    }
  }

  /** Counts and reports a statement that ended (or was refused before it ran). */
  private statementFinished(kind: string, text: string, started: number, result: StatementResult | undefined, failure: SqlError | undefined, blockedBy?: string, notes?: readonly { by: string; note: string }[]): void {
    const durationMs = Date.now() - started;
    if (!this.kernel.observingStatements) {
      this.kernel.countSlow(durationMs);
      return;
    }
    this.kernel.statementFinished(new FinishedStatement(
      new Date(started), this.id, this.user, this.host, this.database, text, kind, durationMs,
      result?.kind === 'rows' ? result.rows.length : result?.kind === 'streamed' ? result.rowCount : 0,
      this.meter.rows,
      result?.kind === 'ok' ? result.affectedRows : 0,
      failure?.code ?? 0, failure?.message, blockedBy, notes,
    ));
  }

  /**
   * One attempt at a statement with its diagnostics, counters and transaction bookkeeping:
   * synchronous, except for a statement that runs in slices (then a promise; see runInSlices).
   */
  private runAttempt(statement: Statement, text: string, params: readonly Value[], describeOnly: boolean): StatementResult | Promise<StatementResult> {
    const before = describeOnly ? undefined : this.beforeImplicitCommit(statement);
    if (before !== undefined) return before.then(() => this.runAttempt(statement, text, params, describeOnly), (e: unknown) => { throw this.attemptError(e, text); });
    const keepsDiagnostics = statement.type === 'show' && (statement.what === 'warnings' || statement.what === 'errors' || statement.what === 'countWarnings' || statement.what === 'countErrors');
    const previous = this.warnings.list;
    if (!keepsDiagnostics) this.warnings.clear();
    this.activity = { command: describeOnly ? 'Prepare' : params.length ? 'Execute' : 'Query', since: Date.now(), info: text };
    if (!describeOnly) this.kernel.counters.statement(statement.type, statement.type === 'transaction' ? statement.action : undefined);
    this.statementParams = params;
    let outcome: StatementResult | Promise<StatementResult>;
    try {
      outcome = describeOnly || !this.runsInSlices(statement) ? this.dispatch(statement, text, previous, params) : this.runInSlices(statement, text, params);
    } catch (e) {
      this.attemptEnded();
      throw this.attemptError(e, text);
    }
    if (!(outcome instanceof Promise)) {
      this.attemptEnded();
      return this.attemptSucceeded(outcome);
    }
    return outcome.then(
      (result) => {
        this.attemptEnded();
        return this.attemptSucceeded(result);
      },
      (e: unknown) => {
        this.attemptEnded();
        throw this.attemptError(e, text);
      },
    );
  }

  /**
   * A statement that commits implicitly (DDL) writes synchronously, so first, asynchronously: the
   * session's open transaction commits (see TransactionState.commitBeforeImplicit), and commit
   * batches being applied off the thread are waited for, since a synchronous write would wait for
   * LMDB's write lock while holding the thread. Undefined when there is nothing to wait for.
   */
  private beforeImplicitCommit(statement: Statement): Promise<void> | undefined {
    if (!causesImplicitCommit(statement)) return undefined;
    const own = this.transactions.commitBeforeImplicit();
    // Then the others' commits: one may still be building a batch for a table this statement changes.
    if (own !== undefined) return own.then(() => this.kernel.batchCommitsSettled());
    return this.kernel.batchCommitsSettled();
  }

  private attemptSucceeded(result: StatementResult): StatementResult {
    this.lastRowCount = result.kind === 'ok' ? result.affectedRows : -1;
    return result;
  }

  private attemptEnded(): void {
    this.statementParams = [];
    this.activity = { command: 'Sleep', since: Date.now(), info: null };
  }

  /** The error a failed attempt reports: a lock conflict passes (it is retried), a non-SQL error is logged as internal. */
  private attemptError(e: unknown, text: string): unknown {
    if (e instanceof LockConflict) return e;
    if (e instanceof SqlError) {
      this.warnings.addError(e);
      this.kernel.counters.error(e.code);
      return e;
    }
    this.kernel.log.error('internal error while executing a statement', { session: this.id, error: e instanceof Error ? e.stack : String(e), statement: text.slice(0, 1000) });
    const err = sqlError('UNKNOWN_ERROR', `Internal error: ${e instanceof Error ? e.message : String(e)}`);
    this.warnings.addError(err);
    return err;
  }

  /**
   * Statements that run in slices, giving the thread back between them: queries (outside a
   * transaction, plain reads on its snapshot, locking reads on the newest state), and UPDATE,
   * DELETE and INSERT ... SELECT in their transaction. A plain point read among them runs at once.
   */
  private runsInSlices(statement: Statement): boolean {
    return isPausableWrite(statement) || isPausable(statement);
  }

  private runInSlices(statement: Statement, text: string, params: readonly Value[]): StatementResult | Promise<StatementResult> {
    if (isPausableWrite(statement) || !this.transactions.isPlainRead(statement)) {
      // Writes and locking reads are undone and run again after a lock wait: their rows are not streamed.
      return this.transactions.runInSlices(statement, (txn, lockReads) => runSteps(executeStatementSteps(statement, this.statementEnv(text, params, txn, lockReads), []), this.meter));
    }
    const sink = this.rowSink;
    const txn = this.transactions.current;
    const env = this.statementEnv(text, params, txn);
    // A plain point read (by a whole unique key) cannot run long: it runs at once, without slices.
    const before = this.warnings.mark();
    let point: StatementResult | undefined;
    try {
      point = executePointRead(statement, env, sink);
    } catch (e) {
      txn?.endStatement();
      throw e;
    }
    if (point !== undefined) {
      txn?.endStatement();
      return point;
    }
    // Declined after binding its key (a value that does not convert): the slices path binds it again and raises its warnings anew.
    this.warnings.rewind(before);
    const run = runSteps(executeStatementSteps(statement, env, [], sink), this.meter, sink);
    // READ COMMITTED takes a fresh snapshot at the transaction's next statement.
    return txn === undefined ? run : run.finally(() => txn.endStatement());
  }

  /**
   * Under super_read_only a transaction that wrote does not commit (1290, and it is rolled back):
   * a shard's cut-over freezes its old primary with it, and a write that committed there after the
   * new primary caught up would be acknowledged and lost. The applier is exempt.
   */
  private refuseCommitWhileSuperReadOnly(statement: Extract<Statement, { type: 'transaction' }>): void {
    const ends = statement.action === 'commit' || statement.action === 'begin';
    if (!ends || this.applier || !this.transactions.current?.wrote) return;
    if (Number(this.kernel.globals.get('super_read_only')) !== 1) return;
    this.transactions.rollback();
    throw sqlError('OPTION_PREVENTS_STATEMENT', 'The MySQL server is running with the --super-read-only option so it cannot execute this statement (the transaction was rolled back)');
  }

  private dispatch(statement: Statement, text: string, previousDiagnostics: readonly Diagnostic[], params: readonly Value[]): StatementResult | Promise<StatementResult> {
    switch (statement.type) {
      case 'use':
        this.useDatabase(statement.database);
        return { kind: 'ok', affectedRows: 0, insertId: 0 };
      case 'transaction':
        this.refuseCommitWhileSuperReadOnly(statement);
        return this.transactions.control(statement);
      default:
        break;
    }
    const diagnostics = statement.type === 'show' ? previousDiagnostics : [];
    const storage = this.kernel.storage;
    const ddl = causesImplicitCommit(statement);
    // DDL holds its tables' metadata locks exclusively, so a rebuild's copy or an index build may run in slices (see runStaged).
    storage.stageRebuilds = ddl;
    const before = this.warnings.mark();
    try {
      return this.transactions.run(statement, (txn, lockReads) => {
        // After the implicit commit of the session's own transaction (see TransactionState.run), before anything changes.
        if (txn === undefined && ddl) this.lockTablesExclusively(statement);
        return executeStatement(statement, this.statementEnv(text, params, txn, lockReads), diagnostics);
      });
    } catch (e) {
      if (e instanceof StageRequest) {
        const now = this.warnings.mark();
        return this.runStaged(e, statement, text, params, { listed: now.listed - before.listed, raised: now.raised - before.raised });
      }
      throw e;
    } finally {
      storage.stageRebuilds = false;
    }
  }

  /**
   * A DDL whose write met bulk work (a table rebuild: ALTER TABLE by copy; an index build): its write
   * was undone, the work is done in slices that give the thread back (KILL QUERY stops it between
   * them), and the statement runs again, now taking the staged work within its one write. Its tables'
   * exclusive metadata locks, taken by the first run, are held throughout, so the table does not
   * change meanwhile. Work the second run did not take (it failed, or it went otherwise) is deleted.
   * `raisedBefore`: the conditions the first run raised before it was undone (the second raises them again).
   */
  private async runStaged(request: StageRequest, statement: Statement, text: string, params: readonly Value[], raisedBefore: DiagnosticsMark): Promise<StatementResult> {
    const storage = this.kernel.storage;
    const staged = await request.stage(storage, SLICE_MS, async () => {
      await nextTurn();
      this.meter.tick();
    });
    storage.staged = staged;
    storage.retired = undefined;
    let result: StatementResult;
    let swapped = false;
    const rerun = this.warnings.mark();
    try {
      result = this.transactions.run(statement, (txn, lockReads) => executeStatement(statement, this.statementEnv(text, params, txn, lockReads), []));
      swapped = storage.staged === undefined;
    } finally {
      // The first run's conditions are listed already, before the staged work's own.
      this.warnings.forgetRepeated(rerun, raisedBefore);
      // Not taken (the second run failed, or it went otherwise): the staged work goes.
      storage.staged = undefined;
      if (!swapped) {
        storage.retired = undefined;
        await dropStaged(storage, staged.marked, SLICE_MS);
      }
    }
    const retired = storage.retired;
    storage.retired = undefined;
    // The old rows the swap left: deleted before the answer, in slices (a KILL QUERY now would come too late to undo the ALTER).
    if (retired !== undefined) await dropInSlices(storage, retired, SLICE_MS, () => nextTurn());
    return result;
  }

  /** DDL's metadata locks: a LockConflict while other statements use the tables (the statement waits for them, see LockRetry). */
  private lockTablesExclusively(statement: Statement): void {
    for (const key of ddlLockKeys(statement, this.kernel.ddlNameScope(this))) this.kernel.locks.acquire(this.statementLocks, key, 'X');
  }

  private statementEnv(text: string, params: readonly Value[], txn: Transaction | undefined, lockReads?: 'S' | 'X'): StatementEnv {
    return this.kernel.statementEnv(this, this.evalContext(params), text, txn, lockReads, this.meter);
  }

  /** The context one statement's expressions evaluate in (also what plan summaries bind parameters with). */
  evalContext(params: readonly Value[]): EvalContext {
    const sqlMode = String(this.variables.get('sql_mode'));
    return {
      session: this,
      now: this.fixedTimestamp === undefined ? this.kernel.clock() : new Date(this.fixedTimestamp * 1000),
      params,
      divPrecisionIncrement: Number(this.variables.get('div_precision_increment')),
      strict: sqlMode.includes('STRICT_TRANS_TABLES') || sqlMode.includes('STRICT_ALL_TABLES'),
      rowNumber: 0,
      outerRows: [],
      memory: new MemoryBudget(Number(this.variables.get('query_memory_limit'))),
    };
  }

  useDatabase(name: string): void {
    this.kernel.refreshReads();
    // Everyone may use information_schema; its tables list only what the session may see.
    if (isInformationSchema(name)) {
      this.database = INFORMATION_SCHEMA;
      return;
    }
    if (!this.kernel.authorize({ user: this.user, host: this.host, object: 'schema', name, action: 'USAGE' })) {
      throw sqlError('DBACCESS_DENIED', `Access denied for user '${this.user}'@'${this.host}' to database '${name}'`);
    }
    if (!this.kernel.storage.catalog.getSchema(name)) throw sqlError('BAD_DB', `Unknown database '${name}'`);
    this.database = name;
  }

  listFields(table: string, wildcard?: string): ResultColumn[] {
    this.kernel.refreshReads();
    if (!this.database) throw sqlError('NO_DB', 'No database selected');
    if (isInformationSchema(this.database)) return this.filterFields(resultColumns(informationSchemaColumns(table, table)), wildcard);
    if (this.kernel.authorizing && !this.kernel.authorize({ user: this.user, host: this.host, object: 'table', name: this.database, table, action: 'SELECT' })) {
      throw sqlError('TABLEACCESS_DENIED', `SELECT command denied to user '${this.user}'@'${this.host}' for table '${table}'`);
    }
    const def = this.kernel.storage.catalog.getTable(this.database, table);
    if (!def) throw sqlError('NO_SUCH_TABLE', `Table '${this.database}.${table}' doesn't exist`);
    return this.filterFields(resultColumns(tableScopeColumns(def, def.name)), wildcard);
  }

  private filterFields(cols: ResultColumn[], wildcard: string | undefined): ResultColumn[] {
    if (!wildcard) return cols;
    const re = likeToRegExp(wildcard, '\\', true);
    return cols.filter((c) => re.test(c.name));
  }

  statistics(): string {
    return this.kernel.statisticsLine();
  }

  reset(): void {
    // COM_RESET_CONNECTION rolls back an open transaction, like a new connection would find none.
    this.transactions.rollback();
    this.kernel.dropTemporaryTables(this);
    this.userVariables.clear();
    this.prepared.clear();
    this.parsedTexts.clear();
    this.variables.reset();
    if (this.interactive) this.useInteractiveTimeout();
    this.warnings.clearList();
    this.lastInsertId = 0;
    this.lastRowCount = -1;
  }

  status(): SessionStatus {
    return {
      inTransaction: this.transactions.current !== undefined,
      autocommit: this.variables.get('autocommit') === 1,
      warningCount: Math.min(this.warnings.raisedCount, 65535),
    };
  }

  diagnostics(): readonly Diagnostic[] {
    return this.warnings.list;
  }

  waitTimeoutSeconds(): number {
    return Number(this.variables.get('wait_timeout'));
  }

  netWriteTimeoutSeconds(): number {
    return Number(this.variables.get('net_write_timeout'));
  }

  netReadTimeoutSeconds(): number {
    return Number(this.variables.get('net_read_timeout'));
  }

  /** Whether the client said it is interactive (CLIENT_INTERACTIVE): its wait_timeout starts from interactive_timeout. */
  private interactive = false;

  /** An interactive client's session, as MySQL sets it up at login and again on COM_RESET_CONNECTION. */
  markInteractive(): void {
    this.interactive = true;
    this.useInteractiveTimeout();
  }

  private useInteractiveTimeout(): void {
    this.variables.set('wait_timeout', this.variables.get('interactive_timeout', 'global'), 'session');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // A statement running in slices stops at its next turn instead of reading for a client that is gone.
    this.meter.killed = true;
    this.idleTimeout.cancel();
    // A client that goes away with an open transaction loses it: rolled back, locks released.
    this.transactions.rollback();
    this.kernel.locks.releaseAll(this.statementLocks);
    // User-level locks end with their session, as in MySQL.
    this.userLocks.releaseAll();
    this.kernel.sessionClosed(this);
  }
}
