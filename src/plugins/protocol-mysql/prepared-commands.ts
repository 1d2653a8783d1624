// COM_STMT_* handlers: prepare, execute (binary result sets, cursors), send long data, fetch, reset, close.
import { SqlError, sqlError } from '../../base/errors.js';
import {
  Capability,
  CursorType,
  MalformedPacketError,
  ServerStatus,
  decodeExecuteParams,
  parseExecuteHead,
  parseFetch,
  parseSendLongData,
  parseStatementId,
  parseTextCommand,
  writeBinaryResultSet,
  writeBinaryRows,
  writeEnd,
  writePrepareOk,
  writeResultMetadata,
  type ResultSetOptions,
} from '../../protocol/mysql/index.js';
import type { MysqlConnection } from './connection.js';

function resultOptions(conn: MysqlConnection, status: number): ResultSetOptions {
  return {
    deprecateEof: conn.hasCapability(Capability.DEPRECATE_EOF),
    status,
    warnings: conn.warningCount(),
    textCharset: conn.textCharset,
    flush: () => conn.flush(),
  };
}

export function comStmtPrepare(conn: MysqlConnection, payload: Buffer): void {
  const session = conn.session;
  if (!session) return;
  let info;
  try {
    info = session.prepare(parseTextCommand(payload));
  } catch (e) {
    conn.statements.prepareFailed();
    throw e;
  }
  conn.statements.add(info);
  writePrepareOk(conn.out, {
    statementId: info.id,
    params: info.paramCount,
    columns: info.columns,
    warnings: conn.warningCount(),
    deprecateEof: conn.hasCapability(Capability.DEPRECATE_EOF),
    textCharset: conn.textCharset,
    status: conn.statusFlags(false),
  });
}

export async function comStmtExecute(conn: MysqlConnection, payload: Buffer): Promise<void> {
  const session = conn.session;
  if (!session) return;
  const head = parseExecuteHead(payload);
  const stmt = conn.statements.get(head.statementId, 'mysqld_stmt_execute');
  stmt.cursor = null;
  let params;
  try {
    if (stmt.longDataError) throw stmt.longDataError;
    const decoded = decodeExecuteParams(head.reader, stmt.paramCount, { previousTypes: stmt.types, longData: stmt.longData() });
    if (decoded.newTypes) stmt.types = decoded.types;
    params = decoded.values;
  } catch (e) {
    // A parameter block that does not match the statement (too few values, unknown types): MySQL's 1210.
    if (e instanceof MalformedPacketError) throw sqlError('WRONG_ARGUMENTS', 'Incorrect arguments to mysqld_stmt_execute');
    throw e;
  } finally {
    stmt.clearLongData();
  }
  // A cursor keeps the whole result for COM_STMT_FETCH; otherwise rows stream as they come.
  const cursorWanted = (head.flags & (CursorType.READ_ONLY | CursorType.FOR_UPDATE | CursorType.SCROLLABLE)) !== 0;
  let sink;
  if (!cursorWanted) {
    sink = conn.binaryRows;
    sink.statement = stmt;
  }
  const result = await session.executePrepared(stmt.id, params, sink);
  if (result.kind === 'ok') {
    conn.sendOk(result.affectedRows, result.insertId, result.info);
    return;
  }
  if (result.kind === 'streamed') {
    writeEnd(conn.out, conn.hasCapability(Capability.DEPRECATE_EOF), conn.warningCount(), conn.statusFlags(false));
    return;
  }
  const plan = stmt.planFor(result.columns);
  if (cursorWanted && result.columns.length > 0) {
    // A cursor: metadata now, rows on COM_STMT_FETCH.
    const status = conn.statusFlags(false) | ServerStatus.CURSOR_EXISTS;
    const o = resultOptions(conn, status);
    writeResultMetadata(conn.out, result.columns, o, status);
    if (o.deprecateEof) writeEnd(conn.out, true, o.warnings, status);
    stmt.cursor = { columns: result.columns, rows: result.rows, plan, next: 0 };
    return;
  }
  writeBinaryResultSet(conn.out, result.columns, result.rows, plan, resultOptions(conn, conn.statusFlags(false)));
}

export function comStmtFetch(conn: MysqlConnection, payload: Buffer): void {
  const req = parseFetch(payload);
  const stmt = conn.statements.get(req.statementId, 'mysqld_stmt_fetch');
  const cursor = stmt.cursor;
  if (cursor === null) throw new SqlError(1421, 'HY000', `The statement (${stmt.id}) has no open cursor.`);
  const to = Math.min(cursor.rows.length, cursor.next + Math.max(req.rows, 1));
  let status = conn.statusFlags(false);
  const o = resultOptions(conn, status);
  writeBinaryRows(conn.out, cursor.rows, cursor.next, to, cursor.plan, o);
  cursor.next = to;
  if (to >= cursor.rows.length) {
    stmt.cursor = null;
    status |= ServerStatus.LAST_ROW_SENT;
  } else {
    status |= ServerStatus.CURSOR_EXISTS;
  }
  writeEnd(conn.out, o.deprecateEof, o.warnings, status);
}

/** No reply, ever: errors (unknown statement, too much data) surface at the next execute. */
export function comStmtSendLongData(conn: MysqlConnection, payload: Buffer): void {
  try {
    const req = parseSendLongData(payload);
    conn.statements.find(req.statementId)?.addLongData(req.param, req.data, conn.maxAllowedPacket);
  } catch {
    // A malformed packet has nobody to tell; the execute will show what is missing.
  }
}

export function comStmtReset(conn: MysqlConnection, payload: Buffer): void {
  const stmt = conn.statements.get(parseStatementId(payload), 'mysqld_stmt_reset');
  stmt.clearLongData();
  stmt.cursor = null;
  conn.sendOk();
}

/** No reply, ever. */
export function comStmtClose(conn: MysqlConnection, payload: Buffer): void {
  if (payload.length < 5) return;
  conn.statements.remove(parseStatementId(payload), conn.session);
}
