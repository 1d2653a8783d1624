// The running statement's limits as scans check them: rows examined, max_execution_time, KILL QUERY.
import { sqlError } from '../../base/errors.js';
import type { ScanMeter } from '../../storage/table-store.js';

/** Rows the running statement examined, its deadline (max_execution_time), and KILL QUERY. */
export class StatementMeter implements ScanMeter {
  rows = 0;
  /** Epoch milliseconds; 0 for none. */
  deadline = 0;
  killed = false;

  reset(deadline: number): void {
    this.rows = 0;
    this.deadline = deadline;
    this.killed = false;
  }

  tick(): void {
    if (this.killed) throw sqlError('QUERY_INTERRUPTED', 'Query execution was interrupted');
    if (this.deadline !== 0 && Date.now() > this.deadline) {
      throw sqlError('QUERY_TIMEOUT', 'Query execution was interrupted, maximum statement execution time exceeded');
    }
  }
}
