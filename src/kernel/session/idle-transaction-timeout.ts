// idle_transaction_timeout: a transaction left open and idle too long is rolled back, and the client told at its next statement.
import { sqlError, type SqlError } from '../../base/errors.js';
import type { SessionVariables } from '../variables.js';
import type { SessionHost } from './session-host.js';
import type { TransactionState } from './transaction-state.js';

export class IdleTransactionTimeout {
  private timer: NodeJS.Timeout | undefined;
  /** The rollback the client has not heard of yet. */
  private notice: SqlError | undefined;

  constructor(
    private readonly kernel: Pick<SessionHost, 'log'>,
    private readonly session: { readonly id: number; readonly user: string },
    private readonly variables: SessionVariables,
    private readonly transactions: TransactionState,
  ) {}

  /** Starts the countdown after a statement, if a transaction stays open (0 seconds: never). */
  arm(): void {
    const seconds = Number(this.variables.get('idle_transaction_timeout'));
    if (!this.transactions.current || seconds <= 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.transactions.current) return;
      this.transactions.rollback();
      this.kernel.log.warn('rolled back an idle transaction', { session: this.session.id, user: this.session.user, idle_seconds: seconds });
      this.notice = sqlError('TRANSACTION_IDLE_TIMEOUT', `Your transaction was rolled back after ${seconds} seconds of inactivity (idle_transaction_timeout); start a new one`);
    }, seconds * 1000);
    this.timer.unref();
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The error the next statement fails with after an idle rollback, once. */
  takeNotice(): SqlError | undefined {
    const notice = this.notice;
    this.notice = undefined;
    return notice;
  }
}
