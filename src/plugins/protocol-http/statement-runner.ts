// Runs the statements of a request on a kernel session: text alone through execute, with parameters through the prepared path.
import type { RowSink, StatementResult } from '../../base/result.js';
import { sqlError } from '../../base/errors.js';
import type { KernelSession } from '../../kernel/plugin.js';
import type { StatementRequest } from '../../protocol/http/request-parsing.js';

/**
 * Runs exactly one statement (more than one is the kernel's 1064). Parameters are
 * bound by the kernel's prepared statements, never spliced into the text. With a `sink`, a
 * query that can stream hands it its rows as they come (the result is then kind 'streamed').
 */
export async function runStatement(session: KernelSession, st: StatementRequest, sink?: RowSink): Promise<StatementResult> {
  if (st.params === undefined) {
    let result: StatementResult | undefined;
    await session.execute(st.sql, false, (r) => {
      result = r;
    }, sink);
    if (result === undefined) throw sqlError('EMPTY_QUERY', 'Query was empty');
    return result;
  }
  const prepared = session.prepare(st.sql);
  try {
    return await session.executePrepared(prepared.id, st.params, sink);
  } finally {
    session.closePrepared(prepared.id);
  }
}

/** A statement's result with the session's warning count after it. */
export interface RanStatement {
  result: StatementResult;
  warnings: number;
}

/** A batch's failure: the statement that failed, and the results of those before it. */
export class BatchFailure extends Error {
  constructor(readonly index: number, readonly failure: unknown, readonly done: RanStatement[]) {
    super(failure instanceof Error ? failure.message : String(failure));
    this.name = 'BatchFailure';
  }
}

/**
 * Runs a batch in order, stopping at the first failure. With `transaction`, the
 * statements run between BEGIN and COMMIT, and a failure rolls every one back.
 */
export async function runBatch(session: KernelSession, statements: readonly StatementRequest[], transaction: boolean): Promise<RanStatement[]> {
  if (transaction) {
    if (session.status().inTransaction) throw sqlError('CANT_CHANGE_TX_CHARACTERISTICS', 'A transactional batch cannot run inside an open transaction; send it without "transaction": true');
    await runStatement(session, { sql: 'BEGIN' });
  }
  const done: RanStatement[] = [];
  for (let i = 0; i < statements.length; i++) {
    try {
      const result = await runStatement(session, statements[i]);
      done.push({ result, warnings: session.status().warningCount });
    } catch (e) {
      if (transaction && session.status().inTransaction) await runStatement(session, { sql: 'ROLLBACK' });
      throw new BatchFailure(i, e, transaction ? [] : done);
    }
  }
  if (transaction) await runStatement(session, { sql: 'COMMIT' });
  return done;
}
