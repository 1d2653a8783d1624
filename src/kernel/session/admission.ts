// Admission: what a statement must pass before it runs (authorization, query filters, sql_safe_updates) and the deadline it runs under.
import { sqlError, type SqlError } from '../../base/errors.js';
import type { TableName } from '../../base/result.js';
import type { Value } from '../../base/value.js';
import type { TableDef } from '../../storage/table-def.js';
import type { EvalContext, SessionContext } from '../../sql/analyzer/eval-context.js';
import { statementAccess, statementTables } from '../../sql/analyzer/table-refs.js';
import { informationSchemaColumns } from '../../sql/executor/information-schema.js';
import { informationSchemaDenied, isInformationSchema } from '../../sql/analyzer/system-schema.js';
import { statementDigest } from '../../sql/lexer/digest.js';
import type { DeleteStmt, Statement, UpdateStmt } from '../../sql/parser/ast.js';
import { PLAN_ONLY, summarizeStatement, type PlanSummary } from '../../sql/planner/plan-summary.js';
import { isUnsafeUpdate, safeUpdateError } from '../../sql/planner/safe-updates.js';
import { isReadOnlyStatement } from '../../sql/executor/run-statement.js';
import type { FilterRequest } from '../plugin.js';
import type { SessionVariables } from '../variables.js';
import type { DiagnosticsArea } from './diagnostics-area.js';
import type { SessionHost } from './session-host.js';

/** What the filters said of one statement, which its end reports back whether it ran or was refused. */
export interface FilterTicket {
  /** Called with the statement's error code (0: success) by every filter that admitted it. */
  done?: ((errorCode: number) => void)[];
  /** The filter that refused the statement (or whose deadline stopped it), for the query log. */
  blockedBy?: string;
  notes?: readonly { by: string; note: string }[];
  /** The filter whose deadline the statement runs under, when one's is the earliest. */
  deadlineBy?: string;
}

/** What the checks read of their session. */
export interface AdmittedSession extends SessionContext {
  readonly id: number;
  /** A replica's applier: read-only mode, authorization and filters do not apply to it. */
  readonly applier: boolean;
  readonly variables: SessionVariables;
  evalContext(params: readonly Value[]): EvalContext;
}

/** SELECT-like statements, which max_execution_time applies to (as in MySQL). */
function isQuery(statement: Statement): boolean {
  return statement.type === 'select' || statement.type === 'setop' || statement.type === 'values' || statement.type === 'with';
}

export class StatementAdmission {
  constructor(
    private readonly kernel: Pick<SessionHost, 'authorizing' | 'authorize' | 'filtering' | 'filterStatement' | 'counters' | 'rowCounts' | 'storage' | 'log' | 'globals' | 'isConnectionAdmin' | 'gauge'>,
    private readonly session: AdmittedSession,
    private readonly warnings: DiagnosticsArea,
  ) {}

  /**
   * Checks `statement` before it runs and returns its deadline in milliseconds (0: none): the
   * earlier of max_execution_time (queries only) and the filters'. Throws the refusal; what the
   * filters said lands in `ticket` either way, since those that admitted it are owed their done.
   */
  admit(statement: Statement, text: string, params: readonly Value[], ticket: FilterTicket): number {
    if (this.session.applier) return 0;
    this.checkReadOnly(statement);
    this.authorize(statement);
    // The statement's MAX_EXECUTION_TIME hint overrides the variable (top-level SELECT only, as in MySQL).
    const hinted = statement.type === 'select' ? statement.maxExecutionTimeMs : undefined;
    let deadlineMs = isQuery(statement) ? hinted ?? Number(this.session.variables.get('max_execution_time')) : 0;
    if (this.kernel.filtering) {
      const f = this.kernel.filterStatement(this.filterRequest(statement, text, params));
      // Filters that admitted it before another one denied it still get their done (a concurrency slot back).
      ticket.done = f.done;
      if (f.denied) {
        ticket.blockedBy = f.denied.by;
        throw this.refused(f.denied.verdict.error);
      }
      if (f.notes.length) ticket.notes = f.notes;
      if (f.deadlineMs !== undefined && (deadlineMs === 0 || f.deadlineMs < deadlineMs)) {
        deadlineMs = f.deadlineMs;
        ticket.deadlineBy = f.deadlineBy;
      }
    }
    this.takeStatementSlot(ticket);
    if (statement.type === 'update' || statement.type === 'delete') this.checkSafeUpdates(statement, params);
    return deadlineMs;
  }

  /**
   * max_user_concurrent_statements (mizzle's own; 0: no cap): a user already running that many
   * statements, on any thread, gets 1226. Counted first and checked after, so two threads cannot
   * both take the last place; the slot comes back through the ticket's done, however the statement ends.
   * Administrators are exempt, so an operator can always look and KILL.
   */
  private takeStatementSlot(ticket: FilterTicket): void {
    const cap = Number(this.kernel.globals.get('max_user_concurrent_statements'));
    if (!(cap > 0)) return;
    const { user, host } = this.session;
    if (this.kernel.isConnectionAdmin(user, host)) return;
    const running = this.kernel.gauge(`user-statements:${user}`);
    if (running.add(1) > cap) {
      running.add(-1);
      this.kernel.counters.userStatementLimitRefusals++;
      this.kernel.log.warn('statement refused: the user runs max_user_concurrent_statements statements already', { session: this.session.id, user, host, limit: cap });
      throw this.refused(sqlError('USER_LIMIT_REACHED', `User '${user}' has exceeded the 'max_user_concurrent_statements' resource (current value: ${cap})`));
    }
    (ticket.done ??= []).push(() => running.add(-1));
  }

  /**
   * 1290 for a write while the server is read-only, as MySQL: `read_only` stops users without
   * the administrator's right, `super_read_only` (a replica's default) stops everyone.
   */
  private checkReadOnly(statement: Statement): void {
    // LOCK TABLES, FLUSH, ANALYZE ... change no data here (dump tools send them); unsupported statements answer their own error.
    if (isReadOnlyStatement(statement) || statement.type === 'admin' || statement.type === 'unsupported') return;
    const superReadOnly = Number(this.kernel.globals.get('super_read_only')) === 1;
    if (!superReadOnly && (Number(this.kernel.globals.get('read_only')) !== 1 || this.kernel.isConnectionAdmin(this.session.user, this.session.host))) return;
    const option = superReadOnly ? '--super-read-only' : '--read-only';
    throw this.refused(sqlError('OPTION_PREVENTS_STATEMENT', `The MySQL server is running with the ${option} option so it cannot execute this statement`));
  }

  /** 1142 (or 1044 for schema-level statements) unless every authorization plugin allows each access; nothing to do without one. */
  authorize(statement: Statement): void {
    if (!this.kernel.authorizing || this.session.applier) return;
    const { user, host, database } = this.session;
    for (const a of statementAccess(statement, database)) {
      if (isInformationSchema(a.schema)) {
        // Anyone may read information_schema (its rows are filtered by what the user may see); nobody may change it.
        if (a.action === 'SELECT' || a.action === 'USAGE') continue;
        throw this.refused(informationSchemaDenied(user, host));
      }
      if (a.object === 'schema') {
        if (!this.kernel.authorize({ user, host, object: 'schema', name: a.schema, action: a.action })) {
          throw this.refused(sqlError('DBACCESS_DENIED', `Access denied for user '${user}'@'${host}' to database '${a.schema}'`));
        }
        continue;
      }
      if (!this.kernel.authorize({ user, host, object: 'table', name: a.schema, table: a.table, action: a.action })) {
        throw this.refused(sqlError('TABLEACCESS_DENIED', `${a.action} command denied to user '${user}'@'${host}' for table '${a.table}'`));
      }
    }
  }

  /** sql_safe_updates=1: 1175 for an UPDATE/DELETE whose WHERE uses no key and that has no LIMIT, as MySQL. */
  private checkSafeUpdates(statement: UpdateStmt | DeleteStmt, params: readonly Value[]): void {
    if (this.session.variables.get('sql_safe_updates') !== 1 || statement.limit) return;
    // Only the access path matters here, so no table is counted.
    if (isUnsafeUpdate(statement, this.planSummary(statement, params, () => 0))) throw this.refused(safeUpdateError());
  }

  /** A statement refused before it ran: kept for SHOW WARNINGS and counted like any error. */
  private refused(e: SqlError): SqlError {
    this.warnings.refused(e);
    this.kernel.counters.error(e.code);
    return e;
  }

  /** What query filters see of a statement; the table list, digest and plan are computed on first use. */
  private filterRequest(statement: Statement, text: string, params: readonly Value[]): FilterRequest {
    let tables: readonly TableName[] | undefined;
    let digest: string | undefined;
    let plan: PlanSummary | undefined | null;
    const session = this.session;
    return {
      sessionId: session.id,
      user: session.user,
      host: session.host,
      schema: session.database,
      text,
      kind: statement.type,
      statement,
      tables: () => (tables ??= statementTables(statement, session.database)),
      digest: () => (digest ??= statementDigest(text)),
      plan: () => {
        if (plan === undefined) plan = this.planSummary(statement, params) ?? null;
        return plan ?? undefined;
      },
    };
  }

  /** The planner's estimate for a statement, without running it; undefined for other statements (or if planning fails). */
  private planSummary(statement: Statement, params: readonly Value[], rowCount = (def: TableDef) => this.kernel.rowCounts.rowCount(def)): PlanSummary | undefined {
    const catalog = this.kernel.storage.catalog;
    try {
      // The same planner as execution, on the live catalog; nothing is read or run.
      const ctx = { session: this.session, catalog, systemColumns: informationSchemaColumns, subqueryRunner: PLAN_ONLY };
      return summarizeStatement(statement, ctx, { rowCount, bind: { session: this.session, ctx: this.session.evalContext(params) } });
    } catch (e) {
      // A statement the planner cannot summarize fails (or runs) on its own; filters just see no plan.
      this.kernel.log.debug('no plan summary', { session: this.session.id, error: e instanceof Error ? e.message : String(e) });
      return undefined;
    }
  }
}
