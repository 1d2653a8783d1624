// SHOW BINARY LOGS, SHOW MASTER | BINARY LOG STATUS and PURGE BINARY LOGS over the change log, which is one sequence of transactions rather than files.
import { sqlError } from '../../base/errors.js';
import type { ResultColumn, StatementResult } from '../../base/result.js';
import type { SqlType } from '../../base/sql-type.js';
import { formatDateTime, parseDateTime } from '../../base/temporal.js';
import type { PurgeLogsStmt } from '../parser/ast.js';
import { Scope } from '../analyzer/scope.js';
import { compileExpr } from '../analyzer/compile-expr.js';
import type { BinaryLogs, StatementEnv } from './statement-env.js';

const TEXT: SqlType = { kind: 'varchar', length: 255 };
const BIGINT: SqlType = { kind: 'bigint', unsigned: true, length: 20 };
const DATETIME: SqlType = { kind: 'datetime', fsp: 3 };

function col(name: string, type: SqlType, nullable = false): ResultColumn {
  return { name, orgName: name, table: '', orgTable: '', schema: '', type, nullable };
}

/** The log's name in both statements: the range of commit ids it keeps, as a GTID set. */
function logName(s: BinaryLogs): string {
  return `${s.serverUuid}:${s.first}-${s.last}`;
}

/**
 * SHOW BINARY LOGS: one row for the one log (none while it is empty). MySQL's Log_name,
 * File_size and Encrypted, then what a sequence has and files do not.
 */
export function showBinaryLogs(env: StatementEnv): StatementResult {
  const s = env.server.binaryLogs();
  const columns = [
    col('Log_name', TEXT), col('File_size', BIGINT), col('Encrypted', TEXT),
    col('First_id', TEXT), col('Last_id', TEXT), col('Transactions', BIGINT), col('Oldest_commit', DATETIME, true),
  ];
  if (s.transactions === 0n) return { kind: 'rows', columns, rows: [] };
  const oldest = s.oldestCommitMs === undefined ? null : formatDateTime(new Date(s.oldestCommitMs), 3);
  return { kind: 'rows', columns, rows: [[logName(s), s.bytes ?? null, 'No', `${s.serverUuid}:${s.first}`, `${s.serverUuid}:${s.last}`, s.transactions, oldest]] };
}

/** SHOW MASTER STATUS / SHOW BINARY LOG STATUS: Position is the last sequence, the one a replica would follow after. */
export function showLogStatus(env: StatementEnv): StatementResult {
  const s = env.server.binaryLogs();
  const columns = [col('File', TEXT), col('Position', BIGINT), col('Binlog_Do_DB', TEXT), col('Binlog_Ignore_DB', TEXT), col('Executed_Gtid_Set', TEXT)];
  if (s.last === 0n) return { kind: 'rows', columns, rows: [] };
  return { kind: 'rows', columns, rows: [[logName(s), s.last, '', '', `${s.serverUuid}:1-${s.last}`]] };
}

/** A commit id as PURGE ... TO takes it: `uuid:sequence`, the sequence alone, or a Log_name (`uuid:first-last`, its first). */
const COMMIT_ID = /^(?:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):)?(\d{1,20})(?:-\d{1,20})?$/i;

export function executePurgeLogs(stmt: PurgeLogsStmt, env: StatementEnv): StatementResult {
  let target: { toSequence: bigint } | { beforeMs: number };
  if (stmt.to !== undefined) {
    const s = env.server.binaryLogs();
    const m = COMMIT_ID.exec(stmt.to.trim());
    if (!m || (m[1] !== undefined && m[1].toLowerCase() !== s.serverUuid.toLowerCase()) || BigInt(m[2]) > s.last) {
      throw sqlError('UNKNOWN_TARGET_BINLOG', 'Target log not found in binlog index');
    }
    target = { toSequence: BigInt(m[2]) };
  } else {
    const v = compileExpr(stmt.before!, { scope: new Scope([]), session: env.session, clause: 'field list' }).eval([], env.ctx);
    const text = v === null ? undefined : parseDateTime(String(v), 3);
    if (text === undefined) throw sqlError('WRONG_ARGUMENTS', 'Incorrect arguments to PURGE LOGS BEFORE');
    target = { beforeMs: localMs(text) };
  }
  const out = env.server.purgeBinaryLogs(target);
  if (out.heldAt !== undefined) {
    const { sequence, streams } = out.heldAt;
    env.session.warn(1867, `transaction ${sequence} and later were not purged because ${streams} replica stream(s) still need them (binlog_retain_for_replicas)`, 'Warning');
  }
  return { kind: 'ok', affectedRows: 0, insertId: 0 };
}

/** DATETIME text in the server's zone (the session's) as epoch milliseconds. */
function localMs(text: string): number {
  const [date, time] = text.split(' ');
  const [y, mo, d] = date.split('-').map(Number);
  const [h, mi, sec] = (time ?? '00:00:00').split(':');
  const [s, frac] = sec.split('.');
  return new Date(y, mo - 1, d, Number(h), Number(mi), Number(s), Number((frac ?? '0').padEnd(3, '0').slice(0, 3))).getTime();
}
