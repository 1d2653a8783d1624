// Durable commits: the answer to a statement that commits waits until its transaction is on disk.
import { SqlError, sqlError } from '../../base/errors.js';
import type { Transaction } from '../transactions/transaction.js';
import type { DiagnosticsArea } from './diagnostics-area.js';
import type { SessionHost } from './session-host.js';

/**
 * The client's view of a failed durable write: 1114 when the device is full, 1030
 * (MySQL's "Got error N from storage engine") for other I/O errors. Nothing of the
 * transaction was written: LMDB never overwrites committed pages.
 */
export function storageWriteError(e: unknown): SqlError {
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  if (code === 'ENOSPC' || code === 28 || /MDB_MAP_FULL|No space left/.test(message)) {
    return sqlError('RECORD_FILE_FULL', 'The table is full: the data directory has no space left; the transaction was rolled back');
  }
  const errno = typeof code === 'number' ? code : 5;
  return sqlError('STORAGE_ENGINE_ERROR', `Got error ${errno} '${message}' from storage engine; the transaction was rolled back`);
}

/** The transaction whose commit the running statement requested, committed before the statement answers. */
export class CommitWait {
  private pending: Transaction | undefined;

  constructor(
    private readonly kernel: Pick<SessionHost, 'counters' | 'log'>,
    private readonly sessionId: number,
    private readonly warnings: DiagnosticsArea,
  ) {}

  /** Whether a commit waits (most statements have none, and their callers skip the await). */
  get waiting(): boolean {
    return this.pending !== undefined;
  }

  /** A statement's own one-statement transaction commits when the statement answers. */
  afterStatement(t: Transaction): void {
    this.pending = t;
  }

  /** COMMIT, or what implies one: a commit still waiting is made synchronously first, so one waits at a time. */
  request(t: Transaction): void {
    if (this.pending) {
      this.pending.commitSync();
      this.kernel.counters.handlerCommit++;
    }
    this.pending = t;
  }

  /** Waits for the pending commit to be durable; a failed write becomes the statement's 1114 or 1030. */
  async finish(): Promise<void> {
    const t = this.pending;
    if (!t) return;
    this.pending = undefined;
    try {
      await t.commit();
      this.kernel.counters.handlerCommit++;
    } catch (e) {
      this.kernel.log.error('commit failed', { session: this.sessionId, error: e instanceof Error ? e.message : String(e) });
      const err = storageWriteError(e);
      this.warnings.addError(err);
      throw err;
    }
  }
}
