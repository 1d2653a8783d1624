// What a session needs from the server around it; the Kernel implements it, and sessions see nothing more.
import type { AccessRequest, FilterRequest, FilterVerdict, StatementEvent } from '../plugin.js';
import type { Logger } from '../logger.js';
import type { SharedGauge } from '../gauges.js';
import type { GlobalVariables } from '../variables.js';
import type { StatusCounters } from '../status-counters.js';
import type { RowCountCache } from '../row-estimates.js';
import type { RowLocks } from '../transactions/lock-manager.js';
import type { DdlNameScope } from '../transactions/metadata-locks.js';
import type { IsolationLevel, Transaction } from '../transactions/transaction.js';
import type { StorageManager } from '../../storage/storage-manager.js';
import type { ScanMeter } from '../../storage/table-store.js';
import type { EvalContext } from '../../sql/analyzer/eval-context.js';
import type { ServerInfo, StatementEnv } from '../../sql/executor/statement-env.js';
import type { Session } from './session.js';
import type { Statement } from '../../sql/parser/ast.js';

/** The filters' combined answer for one statement. */
export interface FilterOutcome {
  denied?: { by: string; verdict: Extract<FilterVerdict, { kind: 'deny' }> };
  deadlineMs?: number;
  /** The filter whose deadline is the earliest. */
  deadlineBy?: string;
  done: ((errorCode: number) => void)[];
  notes: { by: string; note: string }[];
}

/** How a session's transaction starts. */
export interface TransactionOptions {
  explicit: boolean;
  readOnly: boolean;
  isolation: IsolationLevel;
  consistentSnapshot?: boolean;
}

export interface SessionHost {
  readonly serverVersion: string;
  /** The values a session's variables start from (and server-wide limits such as max_prepared_stmt_count). */
  readonly globals: GlobalVariables;
  readonly counters: StatusCounters;
  readonly log: Logger;
  /** Row locks: a statement that met another transaction's lock waits here; user-level locks (GET_LOCK) live here too. */
  readonly locks: Pick<RowLocks, 'wait' | 'acquire' | 'releaseAll' | 'exclusiveHolderSession'>;
  /** Table sizes for plan summaries. */
  readonly rowCounts: Pick<RowCountCache, 'rowCount'>;
  /** The catalog, for USE, COM_FIELD_LIST and plan summaries (statements reach storage through statementEnv); ALTER stages its copies here. */
  readonly storage: StorageManager;
  /** The clock NOW() reads. */
  readonly clock: () => Date;
  /** Whether a variable is boolean (SHOW VARIABLES prints it ON/OFF). */
  booleanVariable(name: string): boolean;

  /** A number every thread serving clients shares (a user's running statements). */
  gauge(name: string): SharedGauge;
  /** Whether any authorization plugin is active (sessions skip the per-statement walk when none is). */
  readonly authorizing: boolean;
  /** Whether the user has the administrator's right (what read_only lets write; see KernelApi.isConnectionAdmin). */
  isConnectionAdmin(user: string, host: string): boolean;
  /** Whether every active authorization plugin allows the access; a denial is logged and counted. */
  authorize(req: AccessRequest): boolean;
  /** Whether any query filter is active. */
  readonly filtering: boolean;
  filterStatement(req: FilterRequest): FilterOutcome;

  /** Whether anyone listens for statement events (sessions skip building them otherwise). */
  readonly observingStatements: boolean;
  /** Counts a finished statement and hands it to logs and metrics. */
  statementFinished(e: StatementEvent): void;
  /** Counts a finished statement nobody observes (Slow_queries). */
  countSlow(durationMs: number): void;

  /**
   * A statement's first step (worker threads: other threads' commits and catalog changes
   * become visible; a promise when the statement first needs the other threads' reports, or when PROMOTE (by an administrator) waits for the applier to drain).
   */
  statementStarting(statement: Statement, text: string, by: { user: string; host: string }): Promise<void> | undefined;
  /** After a statement that changed a global or killed another thread's session: a promise when other threads must still apply it (worker threads). */
  relayedSettled(): Promise<void> | undefined;
  /** Worker threads: the next reads and catalog lookups of this thread see every commit made so far, by any thread (alone, nothing to do). */
  refreshReads(): void;

  newTransaction(opts: TransactionOptions): Transaction;
  /** While some store applies commit batches off the thread, a promise settled once those sent so far are done. */
  batchCommitsSettled(): Promise<void> | undefined;
  /** The environment one statement of `session` runs in (inside `txn` when given). */
  statementEnv(session: Session, ctx: EvalContext, text: string, txn?: Transaction, lockReads?: 'S' | 'X', meter?: ScanMeter, metadataLocks?: boolean): StatementEnv;
  /** What statements of `session` see of the server (other sessions, schemas and tables by its rights). */
  serverInfoFor(session: Session): ServerInfo;
  /** COM_STATISTICS text. */
  statisticsLine(): string;
  sessionClosed(session: Session): void;
  /** Drops the session's temporary tables (COM_RESET_CONNECTION; closing does it too). */
  dropTemporaryTables(session: Session): void;
  /** What the table names of `session`'s DDL resolve against, for its metadata locks. */
  ddlNameScope(session: Session): DdlNameScope;
}
