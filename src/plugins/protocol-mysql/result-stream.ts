// Row sinks of the MySQL protocol: a streaming query's rows go to the socket as they are produced, text or binary.
import type { ResultColumn, RowSink } from '../../base/result.js';
import type { Row } from '../../base/value.js';
import {
  Capability,
  writeBinaryRows,
  writeResultMetadata,
  writeTextResultHead,
  writeTextRows,
  type BinaryRowPlan,
  type ResultSetOptions,
  type TextRowShape,
} from '../../protocol/mysql/index.js';
import type { MysqlConnection } from './connection.js';

/**
 * Output held before it goes to the socket while rows stream: past this the batch is flushed,
 * so a result's memory is a batch of rows plus about this much, whatever its size.
 */
const STREAM_FLUSH_BYTES = 64 * 1024;

/** The head of a result streamed for `conn`; the end packet, with the final warnings and status, comes after the statement. */
function headOptions(conn: MysqlConnection): ResultSetOptions {
  return {
    deprecateEof: conn.hasCapability(Capability.DEPRECATE_EOF),
    status: conn.statusFlags(false),
    warnings: 0,
    textCharset: conn.textCharset,
  };
}

/** COM_QUERY's rows as text-protocol rows. */
export class TextRowStream implements RowSink {
  private shape: TextRowShape | null = null;
  private readonly flushing: Pick<ResultSetOptions, 'flush' | 'flushBytes'>;

  constructor(private readonly conn: MysqlConnection) {
    this.flushing = { flush: () => conn.flush(), flushBytes: STREAM_FLUSH_BYTES };
  }

  begin(columns: readonly ResultColumn[]): void {
    this.shape = writeTextResultHead(this.conn.out, columns, headOptions(this.conn));
  }

  rows(batch: readonly Row[]): void {
    if (this.shape === null) throw new Error('rows streamed before the result head');
    writeTextRows(this.conn.out, batch, this.shape, this.flushing);
  }

  backlog(): Promise<void> | null {
    return this.conn.backlog();
  }
}

/** What a binary row stream needs of the prepared statement it runs: the row plan for its columns. */
export interface BinaryRowSource {
  planFor(columns: readonly ResultColumn[]): BinaryRowPlan;
}

/** COM_STMT_EXECUTE's rows (no cursor) as binary-protocol rows, each column by the statement's plan. */
export class BinaryRowStream implements RowSink {
  /** The statement being executed; set before each execute that streams. */
  statement: BinaryRowSource | null = null;
  private plan: BinaryRowPlan | null = null;
  private readonly flushing: Pick<ResultSetOptions, 'flush' | 'flushBytes'>;

  constructor(private readonly conn: MysqlConnection) {
    this.flushing = { flush: () => conn.flush(), flushBytes: STREAM_FLUSH_BYTES };
  }

  begin(columns: readonly ResultColumn[]): void {
    if (this.statement === null) throw new Error('binary rows streamed with no statement');
    const o = headOptions(this.conn);
    writeResultMetadata(this.conn.out, columns, o, o.status);
    this.plan = this.statement.planFor(columns);
  }

  rows(batch: readonly Row[]): void {
    if (this.plan === null) throw new Error('rows streamed before the result head');
    writeBinaryRows(this.conn.out, batch, 0, batch.length, this.plan, this.flushing);
  }

  backlog(): Promise<void> | null {
    return this.conn.backlog();
  }
}
