// The session's transaction state machine: BEGIN, COMMIT, ROLLBACK, savepoints, autocommit, and the transaction each statement runs in.
import { sqlError } from '../../base/errors.js';
import type { StatementResult } from '../../base/result.js';
import type { Statement, TransactionStmt } from '../../sql/parser/ast.js';
import { causesImplicitCommit } from '../../sql/executor/run-statement.js';
import { LockConflict } from '../transactions/lock-manager.js';
import type { IsolationLevel, StatementMark, Transaction } from '../transactions/transaction.js';
import type { SessionVariables } from '../variables.js';
import { storageWriteError, type CommitWait } from './commit-wait.js';
import type { SessionHost } from './session-host.js';

/** Runs a statement in `txn` (none: outside any transaction), taking `lockReads` row locks on what it reads. */
export type StatementRun = (txn: Transaction | undefined, lockReads: 'S' | 'X' | undefined) => StatementResult;

/** FOR UPDATE takes exclusive row locks, FOR SHARE shared ones; under SERIALIZABLE every read shares. */
function readLockMode(statement: Statement, txn: Transaction): 'S' | 'X' | undefined {
  if (statement.type === 'select' && statement.lock) return statement.lock === 'update' ? 'X' : 'S';
  if (txn.isolation === 'SERIALIZABLE' && (statement.type === 'select' || statement.type === 'setop')) return 'S';
  return undefined;
}

export class TransactionState {
  /** The open transaction (BEGIN, or autocommit=0), if any. */
  private txn: Transaction | undefined;
  private readonly savepoints = new Map<string, StatementMark>();
  /** The transaction of the statement that just met a lock conflict, handed to the lock wait. */
  private lockWaiter: Transaction | undefined;

  constructor(
    private readonly kernel: Pick<SessionHost, 'newTransaction' | 'counters' | 'log'>,
    private readonly variables: SessionVariables,
    private readonly commits: CommitWait,
  ) {}

  /** The open transaction, if any. */
  get current(): Transaction | undefined {
    return this.txn;
  }

  /**
   * Before a statement that commits implicitly (DDL, which then writes synchronously): the open
   * transaction, when it wrote, commits now, asynchronously (a big one as a batch off the thread)
   * rather than synchronously in `run`. Nothing to do: undefined.
   */
  commitBeforeImplicit(): Promise<void> | undefined {
    const txn = this.txn;
    if (txn === undefined || !txn.wrote) return undefined;
    return (async () => {
      try {
        await txn.commit();
        this.kernel.counters.handlerCommit++;
      } catch (e) {
        // As a COMMIT's failed write (CommitWait.finish): 1114 or 1030, not an internal error.
        this.kernel.log.error('commit failed', { error: e instanceof Error ? e.message : String(e) });
        throw storageWriteError(e);
      } finally {
        // Committed or failed, it is over: the statement runs outside any transaction.
        if (this.txn === txn) this.txn = undefined;
        this.savepoints.clear();
      }
    })();
  }

  /**
   * Runs one statement (not USE or transaction control) in the transaction it belongs to:
   * DDL commits the open one first and runs outside any; with autocommit=0 a statement opens
   * one; a write outside any runs in its own one-statement transaction, so it takes row locks too.
   * A failed statement is undone; a lock conflict leaves its transaction for the lock wait.
   */
  run(statement: Statement, execute: StatementRun): StatementResult {
    if (causesImplicitCommit(statement)) {
      // Synchronously: the commit must be done before the DDL runs.
      if (this.txn) {
        this.txn.commitSync();
        this.kernel.counters.handlerCommit++;
      }
      this.txn = undefined;
      this.savepoints.clear();
      return execute(undefined, undefined);
    }
    const txn = this.statementTransaction(statement);
    const mark = txn?.markStatement();
    try {
      const result = execute(txn, txn && readLockMode(statement, txn));
      this.statementDone(txn);
      return result;
    } catch (e) {
      throw this.statementFailed(txn, mark, e);
    }
  }

  /**
   * `run` for a statement that runs in slices (a write or a locking read that pauses): the same
   * transaction, undone on failure (KILL QUERY, an error, a lock conflict that is retried), but
   * the answer is a promise. Not for statements that commit implicitly.
   */
  async runInSlices(statement: Statement, execute: (txn: Transaction | undefined, lockReads: 'S' | 'X' | undefined) => Promise<StatementResult>): Promise<StatementResult> {
    const txn = this.statementTransaction(statement);
    const mark = txn?.markStatement();
    try {
      const result = await execute(txn, txn && readLockMode(statement, txn));
      this.statementDone(txn);
      return result;
    } catch (e) {
      throw this.statementFailed(txn, mark, e);
    }
  }

  /** The transaction a statement runs in: the open one (opened now under autocommit=0), or a one-statement one for a write. */
  private statementTransaction(statement: Statement): Transaction | undefined {
    const writes = statement.type === 'insert' || statement.type === 'update' || statement.type === 'delete';
    if (!this.txn && this.variables.get('autocommit') === 0 && statement.type !== 'set' && statement.type !== 'show') {
      this.txn = this.begin(true, false, false);
    }
    if (writes && this.txn?.readOnly) throw sqlError('READ_ONLY_TRANSACTION', 'Cannot execute statement in a READ ONLY transaction.');
    return this.txn ?? (writes ? this.begin(false, false, false) : undefined);
  }

  private statementDone(txn: Transaction | undefined): void {
    txn?.endStatement();
    if (txn && !txn.explicit) this.commits.afterStatement(txn);
  }

  /** Undoes a failed statement; a lock conflict leaves its transaction for the lock wait. Returns the error to throw. */
  private statementFailed(txn: Transaction | undefined, mark: StatementMark | undefined, e: unknown): unknown {
    if (txn && mark) txn.rollbackStatement(mark);
    if (e instanceof LockConflict && txn) {
      this.lockWaiter = txn;
      return e;
    }
    if (txn && !txn.explicit) {
      txn.rollback();
      this.kernel.counters.handlerRollback++;
    }
    return e;
  }

  /**
   * Whether a query is a plain read, on the open transaction's snapshot if there is one (opened
   * here under autocommit=0, as `run` would); not a locking read (FOR UPDATE / FOR SHARE,
   * SERIALIZABLE), whose row locks and lock waits need `runInSlices`.
   */
  isPlainRead(statement: Statement): boolean {
    if (!this.txn && this.variables.get('autocommit') === 0) this.txn = this.begin(true, false, false);
    return this.txn === undefined || readLockMode(statement, this.txn) === undefined;
  }

  /** The transaction whose statement met the lock conflict just thrown. */
  takeLockWaiter(): Transaction {
    const txn = this.lockWaiter as Transaction;
    this.lockWaiter = undefined;
    return txn;
  }

  /** A deadlock victim's whole transaction is rolled back, as InnoDB does. */
  deadlockVictim(txn: Transaction): void {
    if (this.txn !== txn) return;
    txn.rollback();
    this.kernel.counters.handlerRollback++;
    this.txn = undefined;
  }

  /** BEGIN, COMMIT, ROLLBACK [AND CHAIN], SAVEPOINT, ROLLBACK TO, RELEASE SAVEPOINT. */
  control(stmt: TransactionStmt): StatementResult {
    const ok: StatementResult = { kind: 'ok', affectedRows: 0, insertId: 0 };
    switch (stmt.action) {
      case 'begin':
        this.commit();
        this.txn = this.begin(true, stmt.readOnly === true, stmt.consistentSnapshot === true);
        return ok;
      case 'commit':
        this.commit();
        if (stmt.chain) this.txn = this.begin(true, false, false);
        return ok;
      case 'rollback':
        this.rollback();
        if (stmt.chain) this.txn = this.begin(true, false, false);
        return ok;
      case 'savepoint':
        if (!this.txn) {
          if (this.variables.get('autocommit') === 1) return ok;
          this.txn = this.begin(true, false, false);
        }
        this.savepoints.set((stmt.savepoint ?? '').toLowerCase(), this.txn.markStatement());
        return ok;
      case 'rollbackToSavepoint': {
        const mark = this.savepoints.get((stmt.savepoint ?? '').toLowerCase());
        if (!mark || !this.txn) throw sqlError('SP_DOES_NOT_EXIST', `SAVEPOINT ${stmt.savepoint} does not exist`);
        this.txn.rollbackStatement(mark);
        // Savepoints set after this one are gone.
        const names = [...this.savepoints.keys()];
        for (const n of names.slice(names.indexOf((stmt.savepoint ?? '').toLowerCase()) + 1)) this.savepoints.delete(n);
        return ok;
      }
      case 'releaseSavepoint':
        if (!this.savepoints.delete((stmt.savepoint ?? '').toLowerCase())) throw sqlError('SP_DOES_NOT_EXIST', `SAVEPOINT ${stmt.savepoint} does not exist`);
        return ok;
    }
  }

  /** Ends the open transaction with a commit that the current statement's answer waits for. */
  commit(): void {
    const t = this.txn;
    this.txn = undefined;
    this.savepoints.clear();
    if (!t) return;
    this.commits.request(t);
  }

  rollback(): void {
    const t = this.txn;
    this.txn = undefined;
    this.savepoints.clear();
    if (!t) return;
    t.rollback();
    this.kernel.counters.handlerRollback++;
  }

  private begin(explicit: boolean, readOnly: boolean, consistentSnapshot: boolean): Transaction {
    const isolation = String(this.variables.get('transaction_isolation')) as IsolationLevel;
    return this.kernel.newTransaction({ explicit, readOnly: readOnly || this.variables.get('transaction_read_only') === 1, isolation, consistentSnapshot });
  }
}
