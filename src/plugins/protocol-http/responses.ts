// Writes answers: JSON results and errors with their HTTP status, and results as NDJSON lines in chunks.
import type { ServerResponse } from 'node:http';
import { sqlError, type SqlError } from '../../base/errors.js';
import type { StatementResult } from '../../base/result.js';
import type { NdjsonLine, ResultJson, ErrorJson } from '../../protocol/http/messages.js';
import { NDJSON_TYPE } from '../../protocol/http/messages.js';
import { columnJson, integerJson, rowJson } from '../../protocol/http/result-encoding.js';
import { HttpFailure, statusOf } from './http-failure.js';

/** Rows per NDJSON line: small enough to start the answer early, big enough that the line overhead is noise. */
export const NDJSON_CHUNK_ROWS = 256;

/** Sends `body` as JSON; returns the bytes written. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): number {
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
export function sendError(res: ServerResponse, e: SqlError | HttpFailure, extra: Readonly<Record<string, unknown>> = {}, index?: number): number {
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
  if (result.rows.length > maxRows) {
    throw new HttpFailure(413, sqlError('TOO_BIG_SELECT', `The result has ${result.rows.length} rows, more than max_rows (${maxRows}) allows in one JSON answer; ask for NDJSON (Accept: ${NDJSON_TYPE}) or add a LIMIT`));
  }
  const columns = result.columns.map(columnJson);
  const types = columns.map((c) => c.type);
  return { columns, rows: result.rows.map((r) => rowJson(r, types)), rowsAffected: 0, lastInsertId: 0, warnings, ...tail };
}

function waitForDrain(res: ServerResponse): Promise<void> {
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
 * Streams a result as NDJSON lines, chunk by chunk, waiting whenever the client reads
 * slower than we write. The kernel still hands over whole results, so this bounds the
 * encoded output held in memory, not the rows; returns the bytes written.
 */
export async function streamResult(res: ServerResponse, result: StatementResult, warnings: number, session?: string): Promise<number> {
  res.writeHead(200, { 'Content-Type': `${NDJSON_TYPE}; charset=utf-8`, 'Cache-Control': 'no-store' });
  let bytes = 0;
  const write = async (line: NdjsonLine): Promise<boolean> => {
    if (res.destroyed) return false;
    const text = JSON.stringify(line) + '\n';
    bytes += Buffer.byteLength(text);
    if (!res.write(text)) await waitForDrain(res);
    return !res.destroyed;
  };
  const tail = session === undefined ? {} : { session };
  if (result.kind === 'ok') {
    await write({ done: true, rowsAffected: result.affectedRows, lastInsertId: integerJson(result.insertId), warnings, ...tail });
  } else {
    const columns = result.columns.map(columnJson);
    const types = columns.map((c) => c.type);
    if (!(await write({ columns }))) return bytes;
    for (let i = 0; i < result.rows.length; i += NDJSON_CHUNK_ROWS) {
      const rows = result.rows.slice(i, i + NDJSON_CHUNK_ROWS).map((r) => rowJson(r, types));
      if (!(await write({ rows }))) return bytes;
    }
    await write({ done: true, rowsAffected: 0, lastInsertId: 0, warnings, ...tail });
  }
  res.end();
  return bytes;
}
