// Hands a running query's rows to a RowSink in batches, so the statement never holds its whole result.
import type { MemoryBudget } from '../../base/memory-budget.js';
import type { RowSink } from '../../base/result.js';
import type { Row } from '../../base/value.js';
import { PAUSE, type Pause, type Pulled } from './pause.js';

/**
 * Rows per batch: enough that encoding amortises the call, few enough that a batch is a few
 * kilobytes for typical rows (the sink flushes its socket output by bytes anyway).
 */
export const STREAM_BATCH_ROWS = 256;

/**
 * Pulls `source` to its end, giving the sink each full batch and pausing after it, so the
 * statement's driver can wait for a client that is behind (RowSink.backlog) before the next
 * batch is computed. Pauses of the source pass up unchanged. Returns the rows sent.
 */
export function* streamRows(source: Iterable<Pulled>, sink: RowSink, memory?: MemoryBudget): Generator<Pause, number> {
  const batch: Row[] = [];
  let sent = 0;
  for (const r of source) {
    if (r === PAUSE) {
      if (batch.length > 0) send(batch, sink, memory);
      yield PAUSE;
      continue;
    }
    batch.push(r);
    sent++;
    if (batch.length === STREAM_BATCH_ROWS) {
      send(batch, sink, memory);
      yield PAUSE;
    }
  }
  if (batch.length > 0) send(batch, sink, memory);
  return sent;
}

/** Sent rows no longer count against query_memory_limit: only what the statement still holds does. */
function send(batch: Row[], sink: RowSink, memory: MemoryBudget | undefined): void {
  sink.rows(batch);
  memory?.release(batch);
  batch.length = 0;
}
