// The embedded transport: client-library sessions that are kernel sessions in this process, with no socket between them.
import { SqlError } from '../base/errors.js';
import type { ResultColumn, RowSink, StatementResult } from '../base/result.js';
import type { Row } from '../base/value.js';
import type { KernelApi, KernelSession } from '../kernel/plugin.js';
import { whenAborted } from '../client/call-signal.js';
import { MizzleError, connectionError } from '../client/errors.js';
import { clientRows, paramValue } from '../client/mysql/values.js';
import { StreamPartQueue } from '../client/stream-parts.js';
import type { StatementCall, StreamPart, Transport, TransportSession } from '../client/transport.js';
import { clientInteger, type ColumnTypeName, type QueryResult } from '../client/values.js';
import { describeColumn } from '../protocol/mysql/describe-column.js';

/** Parts a stream may hold unread before the statement waits for its reader (each part is one batch of rows). */
const STREAM_PARTS_AHEAD = 4;


function clientError(e: unknown): MizzleError {
  if (e instanceof MizzleError) return e;
  if (e instanceof SqlError) return new MizzleError(e.message, e.code, e.sqlState, 'server');
  return connectionError(`embedded mizzle failed: ${e instanceof Error ? e.message : String(e)}`);
}

/** Hands a running statement's rows to an async reader, making the statement wait while the reader is behind. */
class PartQueue extends StreamPartQueue implements RowSink {
  private types: ColumnTypeName[] = [];

  constructor() {
    super(clientError, STREAM_PARTS_AHEAD);
  }

  begin(columns: ResultColumn[]): void {
    const cols = columns.map(describeColumn);
    this.types = cols.map((c) => c.type);
    this.push({ kind: 'columns', columns: cols });
  }

  rows(batch: readonly Row[]): void {
    this.push({ kind: 'rows', rows: clientRows(batch, this.types) });
  }
}

export class EmbeddedSession implements TransportSession {
  private closed = false;

  constructor(private readonly session: KernelSession, private readonly kernel: KernelApi) {}

  get usable(): boolean {
    return !this.closed;
  }

  /** One statement, by text, or through a prepared statement when asked to or given parameters. */
  private async statement(call: StatementCall, sink?: RowSink): Promise<StatementResult> {
    if (!call.prepared && call.params === undefined) {
      let result: StatementResult | undefined;
      await this.session.execute(call.sql, false, (r) => { result = r; }, sink);
      return result as StatementResult;
    }
    const ps = this.session.prepare(call.sql);
    try {
      return await this.session.executePrepared(ps.id, (call.params ?? []).map(paramValue), sink);
    } finally {
      this.session.closePrepared(ps.id);
    }
  }

  private resultOf(r: StatementResult): QueryResult {
    const warnings = this.session.status().warningCount;
    if (r.kind === 'ok') return { columns: [], rows: [], rowsAffected: r.affectedRows, lastInsertId: clientInteger(r.insertId), warnings };
    if (r.kind !== 'rows') return { columns: r.columns.map(describeColumn), rows: [], rowsAffected: 0, lastInsertId: 0, warnings };
    const columns = r.columns.map(describeColumn);
    return { columns, rows: clientRows(r.rows, columns.map((c) => c.type)), rowsAffected: 0, lastInsertId: 0, warnings };
  }

  /** Cancelling a call is KILL QUERY: the statement stops at its next check and the session stays usable. */
  private onAbort(signal: AbortSignal | undefined): { detach(): void; promise: Promise<never> } {
    const aborted = whenAborted(signal);
    aborted.promise.catch(() => this.kill());
    return aborted;
  }

  private kill(): void {
    const control = this.kernel.openSession({ user: this.session.user, host: 'localhost', database: null });
    void control.execute(`KILL QUERY ${this.session.id}`, false, () => undefined).catch(() => undefined).finally(() => control.close());
  }

  async run(call: StatementCall, signal?: AbortSignal): Promise<QueryResult> {
    if (this.closed) throw connectionError('the embedded session is closed');
    const aborted = this.onAbort(signal);
    const running = this.statement(call);
    try {
      return this.resultOf(await Promise.race([running, aborted.promise]));
    } catch (e) {
      // The statement may still be finishing its KILL: wait for it so the next call starts clean.
      if (signal?.aborted) await running.catch(() => undefined);
      throw clientError(e);
    } finally {
      aborted.detach();
    }
  }

  async *stream(call: StatementCall, signal?: AbortSignal): AsyncGenerator<StreamPart> {
    if (this.closed) throw connectionError('the embedded session is closed');
    const queue = new PartQueue();
    const aborted = this.onAbort(signal);
    aborted.promise.catch((reason: unknown) => queue.end(reason));
    const running = this.statement(call, queue).then(
      (r) => {
        if (r.kind === 'rows') {
          const whole = this.resultOf(r);
          queue.push({ kind: 'columns', columns: whole.columns });
          if (whole.rows.length > 0) queue.push({ kind: 'rows', rows: whole.rows });
        }
        const end = r.kind === 'ok' ? { rowsAffected: r.affectedRows, lastInsertId: clientInteger(r.insertId) } : { rowsAffected: 0, lastInsertId: 0 };
        queue.push({ kind: 'end', ...end, warnings: this.session.status().warningCount });
        queue.end();
      },
      (e: unknown) => queue.end(e),
    );
    try {
      yield* queue.read();
    } finally {
      aborted.detach();
      // A reader that stops early (break) must not leave the statement waiting for it.
      if (!queue.ended && !signal?.aborted) this.kill();
      queue.end();
      await running;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.session.close();
  }
}

/** Sessions of a kernel running in this process. */
export class EmbeddedTransport implements Transport {
  readonly defaultPoolSize = 8;

  constructor(private readonly kernel: KernelApi, private readonly user: string, private readonly database: string | null) {}

  async open(): Promise<TransportSession> {
    return new EmbeddedSession(this.kernel.openSession({ user: this.user, host: 'localhost', database: this.database }), this.kernel);
  }
}
