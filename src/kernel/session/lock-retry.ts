// Lock-wait retries: a statement that met another transaction's row lock is undone, waits for the lock, and runs again.
import { SqlError, sqlError } from '../../base/errors.js';
import type { StatementResult } from '../../base/result.js';
import type { Value } from '../../base/value.js';
import type { Statement } from '../../sql/parser/ast.js';
import { LockConflict, isMetadataKey, type LockOwner } from '../transactions/lock-manager.js';
import { UserLockConflict } from './user-locks.js';
import type { SessionVariables } from '../variables.js';
import type { DiagnosticsArea } from './diagnostics-area.js';
import type { SessionActivity } from './session.js';
import type { SessionHost } from './session-host.js';
import type { StatementMeter } from './statement-meter.js';
import type { TransactionState } from './transaction-state.js';

/** One attempt at a statement (a promise when it runs in slices); throws LockConflict when it meets another transaction's lock. */
export type StatementAttempt = (statement: Statement, text: string, params: readonly Value[]) => StatementResult | Promise<StatementResult>;

/** What waiting shows of its session: SHOW PROCESSLIST lists a waiting statement as running. */
export interface WaitingSession {
  activity: SessionActivity;
  /** Who waits for a metadata lock that a statement outside any transaction (a plain read, DDL) met. */
  readonly statementLocks: LockOwner;
}

/** SHOW PROCESSLIST's State of a statement waiting for a table's metadata lock (MySQL's text). */
export const METADATA_WAIT_STATE = 'Waiting for table metadata lock';

/** GET_LOCK with a negative timeout waits without limit: the longest timer Node keeps (about 24.8 days) stands for that. */
const USER_LOCK_WAIT_MAX_MS = 2 ** 31 - 1;

export class LockRetry {
  /** Aborts the running statement's lock wait (KILL QUERY). */
  private abort: AbortController | undefined;

  constructor(
    private readonly kernel: Pick<SessionHost, 'locks' | 'counters' | 'refreshReads'>,
    private readonly session: WaitingSession,
    private readonly variables: SessionVariables,
    private readonly transactions: TransactionState,
    private readonly meter: StatementMeter,
    private readonly warnings: DiagnosticsArea,
    private readonly attempt: StatementAttempt,
  ) {}

  /** KILL QUERY: a lock wait in progress ends with 1317. */
  interrupt(): void {
    this.abort?.abort();
  }

  /**
   * Runs the statement until an attempt meets no conflicting lock. Between attempts it waits
   * for the lock (up to innodb_lock_wait_timeout); a deadlock rolls this transaction back with 1213.
   */
  async run(statement: Statement, text: string, params: readonly Value[]): Promise<StatementResult> {
    for (;;) {
      try {
        return await this.attempt(statement, text, params);
      } catch (e) {
        if (!(e instanceof LockConflict)) throw e;
        await this.wait(e, text);
        // The next attempt reads what the lock's holder committed (worker threads renew their reads).
        this.kernel.refreshReads();
      }
    }
  }

  private async wait(conflict: LockConflict, text: string): Promise<void> {
    // A plain SELECT GET_LOCK(...) runs outside any transaction: nothing to undo then.
    const txn = this.transactions.takeLockWaiter() as ReturnType<TransactionState['takeLockWaiter']> | undefined;
    const user = conflict instanceof UserLockConflict ? conflict : undefined;
    const metadata = user === undefined && isMetadataKey(conflict.key);
    const timeoutMs = user ? (user.timeoutMs < 0 ? USER_LOCK_WAIT_MAX_MS : user.timeoutMs) : waitSeconds(this.variables, metadata) * 1000;
    this.session.activity = { command: 'Query', since: Date.now(), info: text, state: metadata ? METADATA_WAIT_STATE : undefined };
    this.abort = new AbortController();
    try {
      if (this.meter.killed) throw sqlError('QUERY_INTERRUPTED', 'Query execution was interrupted');
      if (user) await this.waitUserLock(user, timeoutMs, this.abort.signal);
      else if (!conflict.stale && txn) await this.kernel.locks.wait(txn, conflict, timeoutMs, this.abort.signal);
      else if (!conflict.stale && metadata) await this.kernel.locks.wait(this.transactions.current ?? this.session.statementLocks, conflict, timeoutMs, this.abort.signal);
    } catch (waitError) {
      // A plain read in a transaction met a metadata lock as that transaction (it holds the locks the cycle ran through).
      const victim = txn ?? (metadata ? this.transactions.current : undefined);
      if (waitError instanceof SqlError && waitError.code === 1213 && victim) this.transactions.deadlockVictim(victim);
      if (waitError instanceof SqlError) {
        this.warnings.addError(waitError);
        this.kernel.counters.error(waitError.code);
      }
      throw waitError;
    } finally {
      this.abort = undefined;
      // The statement's own one-statement transaction is done; the next attempt starts a new one.
      if (txn && txn !== this.transactions.current) txn.rollback();
      this.session.activity = { command: 'Sleep', since: Date.now(), info: null };
    }
  }

  /**
   * GET_LOCK's wait: when it times out the statement runs again and GET_LOCK answers 0. A wait that
   * would close a cycle of sessions fails with 3058 and, unlike a row-lock deadlock, rolls nothing back.
   */
  private async waitUserLock(conflict: UserLockConflict, timeoutMs: number, signal: AbortSignal): Promise<void> {
    try {
      await this.kernel.locks.wait(conflict.owner, conflict, timeoutMs, signal, conflict.held);
    } catch (e) {
      if (e instanceof SqlError && e.code === 1213) {
        throw sqlError('USER_LOCK_DEADLOCK', 'Deadlock found when trying to get user-level lock; try rolling back transaction/releasing locks and restarting lock acquisition.');
      }
      if (!(e instanceof SqlError) || e.code !== 1205) throw e;
      conflict.expire();
    } finally {
      // The waiting owner holds nothing; the next attempt asks with a new one.
      this.kernel.locks.releaseAll(conflict.owner);
    }
  }
}

/** Row locks wait up to innodb_lock_wait_timeout, metadata locks up to lock_wait_timeout (a year by default); a timer's longest wait stands for more. */
function waitSeconds(variables: SessionVariables, metadata: boolean): number {
  const seconds = Number(variables.get(metadata ? 'lock_wait_timeout' : 'innodb_lock_wait_timeout'));
  return Math.min(seconds, USER_LOCK_WAIT_MAX_MS / 1000);
}
