// Writes answers: JSON results and errors with their HTTP status, and results as NDJSON lines in chunks.
import { sqlError, type SqlError } from '../../base/errors.js';
import type { ResultColumn, RowSink, StatementResult } from '../../base/result.js';
import type { Row } from '../../base/value.js';
import type { NdjsonLine, ResultJson, ErrorJson } from '../../protocol/http/messages.js';
import { NDJSON_TYPE } from '../../protocol/http/messages.js';
import { columnJson, integerJson, rowJson } from '../../protocol/http/result-encoding.js';
import type { ColumnTypeName } from '../../protocol/http/messages.js';
import { HttpFailure, statusOf } from './http-failure.js';

/**
 * Where an answer is written: node's ServerResponse, or, for a request relayed to the worker
 * thread that holds its session, the stand-in that sends it back (session-relay.ts).
 */
export interface AnswerStream {
  readonly headersSent: boolean;
  readonly destroyed: boolean;
  readonly writableNeedDrain: boolean;
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  setHeader(name: string, value: string): unknown;
  write(chunk: string): boolean;
  end(chunk?: string): unknown;
  destroy(): unknown;
  on(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

/** Rows per NDJSON line: small enough to start the answer early, big enough that the line overhead is noise. */
export const NDJSON_CHUNK_ROWS = 256;

/** Sends `body` as JSON; returns the bytes written. */
export function sendJson(res: AnswerStream, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): number {
  const text = JSON.stringify(body) + '\n';
  const length = Buffer.byteLength(text);
  if (res.headersSent) {
    res.destroy();
    return 0;
  }
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': length, 'Cache-Control': 'no-store', ...headers });
  res.end(text);
  return length;
}

export function errorJson(e: SqlError, index?: number): ErrorJson {
  return { error: { code: e.code, sqlstate: e.sqlState, message: e.message, ...(index === undefined ? {} : { index }) } };
}

/** Sends an error with the status it means; returns the bytes written. */
export function sendError(res: AnswerStream, e: SqlError | HttpFailure, extra: Readonly<Record<string, unknown>> = {}, index?: number): number {
  const error = e instanceof HttpFailure ? e.error : e;
  const headers = e instanceof HttpFailure ? e.headers : {};
  return sendJson(res, statusOf(e), { ...errorJson(error, index), ...extra }, headers);
}

/** A statement's answer as JSON; a result of more than `maxRows` rows is refused (413), as the whole answer is built in memory. */
export function resultJson(result: StatementResult, warnings: number, maxRows: number, session?: string): ResultJson {
  const tail = session === undefined ? {} : { session };
  if (result.kind === 'ok') {
    return { columns: [], rows: [], rowsAffected: result.affectedRows, lastInsertId: integerJson(result.insertId), warnings, ...tail };
  }
  if (result.kind === 'streamed') throw new Error('a JSON answer is built whole: its statement must not stream');
  if (result.rows.length > maxRows) {
    throw new HttpFailure(413, sqlError('TOO_BIG_SELECT', `The result has ${result.rows.length} rows, more than max_rows (${maxRows}) allows in one JSON answer; ask for NDJSON (Accept: ${NDJSON_TYPE}) or add a LIMIT`));
  }
  const columns = result.columns.map(columnJson);
  const types = columns.map((c) => c.type);
  return { columns, rows: result.rows.map((r) => rowJson(r, types)), rowsAffected: 0, lastInsertId: 0, warnings, ...tail };
}

function waitForDrain(res: AnswerStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * A result as NDJSON lines written while the statement runs: the columns, then the rows in
 * chunks as the kernel produces them, then a done line (or an error line, when the statement
 * fails after its first line went out). The statement waits whenever the client reads slower
 * than rows come, so neither rows nor encoded output pile up in memory.
 */
export class NdjsonRowStream implements RowSink {
  /** Bytes written so far. */
  bytes = 0;
  private types: ColumnTypeName[] = [];

  constructor(private readonly res: AnswerStream) {}

  /** Whether the answer has begun (a failure can then only be reported as an error line). */
  get started(): boolean {
    return this.res.headersSent;
  }

  begin(columns: readonly ResultColumn[]): void {
    const json = columns.map(columnJson);
    this.types = json.map((c) => c.type);
    this.line({ columns: json });
  }

  rows(batch: readonly Row[]): void {
    for (let i = 0; i < batch.length; i += NDJSON_CHUNK_ROWS) {
      const end = Math.min(batch.length, i + NDJSON_CHUNK_ROWS);
      const rows = new Array<ReturnType<typeof rowJson>>(end - i);
      for (let j = i; j < end; j++) rows[j - i] = rowJson(batch[j], this.types);
      this.line({ rows });
    }
  }

  backlog(): Promise<void> | null {
    return !this.res.destroyed && this.res.writableNeedDrain ? waitForDrain(this.res) : null;
  }

  /** Ends the answer for a statement that finished; a whole (not streamed) result is written chunk by chunk, waiting for the client. Returns the bytes written. */
  async finish(result: StatementResult, warnings: number, session?: string): Promise<number> {
    const tail = session === undefined ? {} : { session };
    if (result.kind === 'ok') {
      this.line({ done: true, rowsAffected: result.affectedRows, lastInsertId: integerJson(result.insertId), warnings, ...tail });
    } else {
      if (result.kind === 'rows') {
        this.begin(result.columns);
        for (let i = 0; i < result.rows.length && !this.res.destroyed; i += NDJSON_CHUNK_ROWS) {
          this.rows(result.rows.slice(i, i + NDJSON_CHUNK_ROWS));
          const wait = this.backlog();
          if (wait) await wait;
        }
      }
      this.line({ done: true, rowsAffected: 0, lastInsertId: 0, warnings, ...tail });
    }
    this.res.end();
    return this.bytes;
  }

  /** Ends an answer that had begun with the error that stopped its statement. Returns the bytes written. */
  fail(e: SqlError): number {
    this.line(errorJson(e));
    this.res.end();
    return this.bytes;
  }

  private line(line: NdjsonLine): void {
    const res = this.res;
    if (res.destroyed) return;
    if (!res.headersSent) res.writeHead(200, { 'Content-Type': `${NDJSON_TYPE}; charset=utf-8`, 'Cache-Control': 'no-store' });
    const text = JSON.stringify(line) + '\n';
    this.bytes += Buffer.byteLength(text);
    res.write(text);
  }
}
