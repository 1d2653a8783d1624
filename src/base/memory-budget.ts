// A bound on the memory one statement holds in rows it materializes (sorts, groups, hash joins, results).
import { sqlError } from './errors.js';
import type { Row } from './value.js';

/** Rough bytes of a row held in a JS array: the array, a slot per value, and the payload of strings and buffers. */
function rowBytes(row: Row): number {
  let n = 32 + 8 * row.length;
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    if (typeof v === 'string') n += 16 + 2 * v.length;
    else if (v !== null && typeof v === 'object') n += Buffer.isBuffer(v) ? 80 + v.length : 48;
  }
  return n;
}

/**
 * Counts the rows a statement keeps in memory and fails it with 1038 once they
 * pass the limit (query_memory_limit), instead of letting the process run out
 * of heap and take every other session down with it. The count is an estimate
 * of live bytes; rows dropped early (LIMIT) are still counted, so it errs on
 * the safe side.
 */
export class MemoryBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  charge(row: Row): void {
    this.used += rowBytes(row);
    if (this.used > this.limit) {
      throw sqlError(
        'OUT_OF_SORTMEMORY',
        `Out of memory for this statement: it holds more than query_memory_limit (${this.limit} bytes) in sorts, groups, joins and results; narrow it with WHERE or LIMIT, or raise query_memory_limit`,
      );
    }
  }

  /** Gives back what `rows` were charged: they left the statement (sent to the client as it ran). */
  release(rows: readonly Row[]): void {
    for (let i = 0; i < rows.length; i++) this.used -= rowBytes(rows[i]);
    if (this.used < 0) this.used = 0;
  }

  get bytes(): number {
    return this.used;
  }
}
