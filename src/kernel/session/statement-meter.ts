// The running statement's limits as scans check them: rows examined, max_execution_time, KILL QUERY.
import { sqlError } from '../../base/errors.js';
import { setTimeout as delay } from 'node:timers/promises';
import type { ScanMeter } from '../../storage/table-store.js';

/** How often a sleeping statement looks at KILL QUERY and its deadline. */
const SLEEP_CHECK_MS = 20;

/** Rows the running statement examined, its deadline (max_execution_time), and KILL QUERY. */
export class StatementMeter implements ScanMeter {
  rows = 0;
  /** Epoch milliseconds; 0 for none. */
  deadline = 0;
  killed = false;
  /** Milliseconds of SLEEP() the statement still owes. */
  sleepMs = 0;

  reset(deadline: number): void {
    this.rows = 0;
    this.deadline = deadline;
    this.killed = false;
    this.sleepMs = 0;
  }

  /** Waits out the SLEEP() owed, checking KILL QUERY and the deadline every few milliseconds. */
  async sleep(): Promise<void> {
    const until = Date.now() + this.sleepMs;
    this.sleepMs = 0;
    for (let left = until - Date.now(); left > 0; left = until - Date.now()) {
      await delay(Math.min(left, SLEEP_CHECK_MS));
      this.tick();
    }
  }

  /**
   * Waits for a client that is behind on the rows sent so far, checking KILL QUERY and the
   * deadline every few milliseconds (the protocol's net_write_timeout ends a client that never reads).
   */
  async waitForClient(backlog: Promise<void>): Promise<void> {
    let taken = false;
    void backlog.then(() => { taken = true; });
    while (!taken) {
      await Promise.race([backlog, delay(SLEEP_CHECK_MS)]);
      this.tick();
    }
  }

  tick(): void {
    if (this.killed) throw sqlError('QUERY_INTERRUPTED', 'Query execution was interrupted');
    if (this.deadline !== 0 && Date.now() > this.deadline) {
      throw sqlError('QUERY_TIMEOUT', 'Query execution was interrupted, maximum statement execution time exceeded');
    }
  }
}
