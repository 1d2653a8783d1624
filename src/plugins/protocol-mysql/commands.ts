// Command phase: one handler per COM_* byte; unknown commands get ERR 1047 and the connection stays usable.
import { sqlError } from '../../base/errors.js';
import type { StatementResult } from '../../base/result.js';
import {
  AuthMethod,
  Capability,
  Command,
  PayloadReader,
  SetOption,
  columnWire,
  parseChangeUser,
  parseFieldList,
  parseProcessKill,
  parseSetOption,
  parseTextCommand,
  writeColumnDefinition,
  writeEnd,
  writeStatisticsReply,
  writeTextResultSet,
} from '../../protocol/mysql/index.js';
import { authenticateClient } from './auth-exchange.js';
import type { MysqlConnection } from './connection.js';
import { comStmtClose, comStmtExecute, comStmtFetch, comStmtPrepare, comStmtReset, comStmtSendLongData } from './prepared-commands.js';

/** Handles one command; replies go to `conn.out` (flushed by the caller). */
export type CommandHandler = (conn: MysqlConnection, payload: Buffer) => void | Promise<void>;

/** Handlers by command byte; prepared statements (COM_STMT_*) live in prepared-commands.ts. */
const HANDLERS: (CommandHandler | undefined)[] = new Array<CommandHandler | undefined>(256);

/** Installs a handler (for modules adding commands, e.g. prepared statements). */
export function registerCommand(code: number, handler: CommandHandler): void {
  HANDLERS[code] = handler;
}

export async function dispatchCommand(conn: MysqlConnection, payload: Buffer): Promise<void> {
  if (conn.session === null) return;
  if (payload.length === 0) {
    conn.sendError(sqlError('MALFORMED_PACKET', 'Malformed communication packet.'));
    return;
  }
  const handler = HANDLERS[payload[0]];
  try {
    if (handler) await handler(conn, payload);
    else conn.sendError(sqlError('UNKNOWN_COM', 'Unknown command'));
  } catch (e) {
    conn.sendError(e);
  }
}

// ------------------------------------------------------------------ COM_QUERY

function comQuery(conn: MysqlConnection, payload: Buffer): Promise<void> {
  const session = conn.session;
  if (!session) return Promise.resolve();
  const sql = parseTextCommand(payload);
  const deprecateEof = conn.hasCapability(Capability.DEPRECATE_EOF);
  const flush = () => conn.flush();
  const onResult = (result: StatementResult, more: boolean) => {
    const status = conn.statusFlags(more);
    const warnings = conn.warningCount();
    if (result.kind === 'ok') {
      conn.sendOk(result.affectedRows, result.insertId, result.info, more);
    } else if (result.kind === 'streamed') {
      writeEnd(conn.out, deprecateEof, warnings, status);
    } else {
      writeTextResultSet(conn.out, result.columns, result.rows, { deprecateEof, status, warnings, textCharset: conn.textCharset, flush });
    }
  };
  return session.execute(sql, conn.multiStatements, onResult, conn.textRows);
}

// ------------------------------------------------------------------ small commands

function comInitDb(conn: MysqlConnection, payload: Buffer): void {
  conn.session?.useDatabase(parseTextCommand(payload));
  conn.sendOk();
}

function comPing(conn: MysqlConnection): void {
  conn.sendOk();
}

function comQuit(conn: MysqlConnection): void {
  conn.close();
}

function comStatistics(conn: MysqlConnection): void {
  const text = conn.session?.statistics() ?? '';
  writeStatisticsReply(conn.out, text);
}

function comResetConnection(conn: MysqlConnection): void {
  conn.statements.clear(conn.session);
  conn.session?.reset();
  conn.sendOk();
}

function comFieldList(conn: MysqlConnection, payload: Buffer): void {
  const session = conn.session;
  if (!session) return;
  const { table, wildcard } = parseFieldList(payload);
  const columns = session.listFields(table, wildcard === '' ? undefined : wildcard);
  for (const c of columns) writeColumnDefinition(conn.out, c, columnWire(c, conn.textCharset), null);
  writeEnd(conn.out, conn.hasCapability(Capability.DEPRECATE_EOF), conn.warningCount(), conn.statusFlags(false));
}

/** COM_SET_OPTION: 0 turns multi-statements on, 1 off; answered with EOF. */
function comSetOption(conn: MysqlConnection, payload: Buffer): void {
  const option = parseSetOption(payload);
  if (option !== SetOption.MULTI_STATEMENTS_ON && option !== SetOption.MULTI_STATEMENTS_OFF) throw sqlError('UNKNOWN_COM', 'Unknown command');
  conn.multiStatements = option === SetOption.MULTI_STATEMENTS_ON;
  writeEnd(conn.out, conn.hasCapability(Capability.DEPRECATE_EOF), conn.warningCount(), conn.statusFlags(false));
}

/** COM_PROCESS_KILL: KILL CONNECTION id, with its checks and errors (1094 unknown, 1095 not yours). */
function comProcessKill(conn: MysqlConnection, payload: Buffer): Promise<void> {
  const session = conn.session;
  if (!session) return Promise.resolve();
  const id = parseProcessKill(payload);
  return session.execute(`KILL CONNECTION ${id}`, false, () => conn.sendOk());
}

/** COM_CHANGE_USER: a new login on the same connection, against the handshake's scramble. Failure closes. */
async function comChangeUser(conn: MysqlConnection, payload: Buffer): Promise<void> {
  const req = parseChangeUser(new PayloadReader(payload, 1), conn.capabilities);
  const old = conn.session;
  conn.session = null;
  conn.statements.clear(old);
  old?.close();
  const outcome = await authenticateClient(conn.kernel, conn, {
    user: req.user,
    host: conn.host,
    loopback: conn.loopback,
    secure: conn.secure,
    peerCertificate: conn.peerCertificate,
    rsaKey: conn.rsaKey,
    scramble: conn.scramble,
    clientMethod: req.authPlugin ?? AuthMethod.NATIVE,
    response: req.authResponse,
    preferredMethod: conn.defaultAuth,
    checkTimeoutMs: conn.clearTextCheckTimeoutMs,
  });
  if (!(await conn.login(req.user, req.database, outcome, req.charset ?? undefined))) {
    conn.flush();
    conn.close();
  }
}

registerCommand(Command.QUERY, comQuery);
registerCommand(Command.INIT_DB, comInitDb);
registerCommand(Command.PING, comPing);
registerCommand(Command.QUIT, comQuit);
registerCommand(Command.STATISTICS, comStatistics);
registerCommand(Command.RESET_CONNECTION, comResetConnection);
registerCommand(Command.FIELD_LIST, comFieldList);
registerCommand(Command.SET_OPTION, comSetOption);
registerCommand(Command.PROCESS_KILL, comProcessKill);
registerCommand(Command.CHANGE_USER, comChangeUser);
registerCommand(Command.STMT_PREPARE, comStmtPrepare);
registerCommand(Command.STMT_EXECUTE, comStmtExecute);
registerCommand(Command.STMT_SEND_LONG_DATA, comStmtSendLongData);
registerCommand(Command.STMT_FETCH, comStmtFetch);
registerCommand(Command.STMT_RESET, comStmtReset);
registerCommand(Command.STMT_CLOSE, comStmtClose);
