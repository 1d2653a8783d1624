// SHOW REPLICA STATUS: MySQL's columns where they mean something here, then mizzle's lag in milliseconds and transactions.
import type { Value } from '../../base/value.js';
import type { ReplicaStatusColumn } from '../../sql/executor/statement-env.js';

/** An error as the status shows it. */
export interface ReplicaError {
  code: number;
  message: string;
  at: Date;
}

/** What the applier knows of itself; the row is computed from it when asked. */
export interface ReplicaState {
  /** The receiving side: stopped, connecting (or reconnecting), streaming. */
  io: 'stopped' | 'connecting' | 'streaming';
  sqlRunning: boolean;
  sourceHost: string;
  sourcePort: number;
  sourceUser: string;
  /** The source's server uuid (known from its first batch, or from the stored position). */
  sourceUuid: string;
  /** The source's newest committed sequence, as of its latest batch or heartbeat. */
  sourceLast: bigint;
  /** The last sequence received and the last applied. */
  received: bigint;
  applied: bigint;
  /** The source commit time of the transaction being applied, or of the last one applied. */
  applyingCommitMs: number | undefined;
  ioError: ReplicaError | undefined;
  sqlError: ReplicaError | undefined;
  retryMaxSeconds: number;
  /** The replication filters as Replicate_Do_DB ... Replicate_Wild_Ignore_Table show them, in that order. */
  filterColumns: readonly [string, string][];
}

const COLUMNS: readonly [string, boolean][] = [
  ['Replica_IO_State', false], ['Source_Host', false], ['Source_User', false], ['Source_Port', true], ['Connect_Retry', true],
  ['Replica_IO_Running', false], ['Replica_SQL_Running', false],
  ['Replicate_Do_DB', false], ['Replicate_Ignore_DB', false], ['Replicate_Do_Table', false], ['Replicate_Ignore_Table', false],
  ['Replicate_Wild_Do_Table', false], ['Replicate_Wild_Ignore_Table', false],
  ['Last_Errno', true], ['Last_Error', false],
  ['Seconds_Behind_Source', true],
  ['Last_IO_Errno', true], ['Last_IO_Error', false], ['Last_SQL_Errno', true], ['Last_SQL_Error', false],
  ['Source_UUID', false], ['Replica_SQL_Running_State', false],
  ['Last_IO_Error_Timestamp', false], ['Last_SQL_Error_Timestamp', false],
  ['Retrieved_Gtid_Set', false], ['Executed_Gtid_Set', false],
  ['Last_Received_Id', false], ['Last_Applied_Id', false], ['Source_Last_Id', false],
  ['Lag_ms', true], ['Lag_transactions', true],
];

export const REPLICA_STATUS_COLUMNS: readonly ReplicaStatusColumn[] = COLUMNS.map(([name, numeric]) => ({ name, numeric }));

/** MySQL's error timestamp form: YYMMDD HH:MM:SS. */
function errorTime(d: Date | undefined): string {
  if (d === undefined) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getFullYear() % 100)}${p(d.getMonth() + 1)}${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const gtidSet = (uuid: string, last: bigint): string => (uuid === '' || last === 0n ? '' : `${uuid}:1-${last}`);
const commitId = (uuid: string, seq: bigint): string => (uuid === '' ? '' : `${uuid}:${seq}`);

/**
 * The row, in REPLICA_STATUS_COLUMNS' order. Lag is how long the oldest transaction not yet
 * applied has been committed on the source (0 when caught up; NULL while not running), as MySQL's
 * Seconds_Behind_Source, also in milliseconds and in transactions.
 */
export function replicaStatusRow(s: ReplicaState, nowMs: number): Value[] {
  const running = s.io !== 'stopped' && s.sqlRunning;
  const behind = s.sourceLast > s.applied ? s.sourceLast - s.applied : 0n;
  let lagMs: number | null = null;
  if (running && s.io === 'streaming') lagMs = behind === 0n ? 0 : Math.max(0, nowMs - (s.applyingCommitMs ?? nowMs));
  const lastError = s.sqlError ?? s.ioError;
  const ioState = s.io === 'streaming' ? 'Waiting for source to send event' : s.io === 'connecting' ? 'Connecting to source' : '';
  const values: Value[] = [
    ioState, s.sourceHost, s.sourceUser, s.sourcePort, s.retryMaxSeconds,
    s.io === 'streaming' ? 'Yes' : s.io === 'connecting' ? 'Connecting' : 'No', s.sqlRunning ? 'Yes' : 'No',
    ...s.filterColumns.map(([, v]) => v),
    lastError?.code ?? 0, lastError?.message ?? '',
    lagMs === null ? null : Math.floor(lagMs / 1000),
    s.ioError?.code ?? 0, s.ioError?.message ?? '', s.sqlError?.code ?? 0, s.sqlError?.message ?? '',
    s.sourceUuid, s.sqlRunning ? (behind === 0n ? 'Replica has read all relay log; waiting for more updates' : 'Applying transactions') : '',
    errorTime(s.ioError?.at), errorTime(s.sqlError?.at),
    gtidSet(s.sourceUuid, s.received), gtidSet(s.sourceUuid, s.applied),
    commitId(s.sourceUuid, s.received), commitId(s.sourceUuid, s.applied), commitId(s.sourceUuid, s.sourceLast),
    lagMs, lagMs === null ? null : Number(behind),
  ];
  return values;
}

/** The numbers of the status as SHOW GLOBAL STATUS rows (and so /metrics): running flags, positions, lag while known. */
export function replicaStatusCounters(s: ReplicaState, nowMs: number): [string, number][] {
  const row = replicaStatusRow(s, nowMs);
  const at = (name: string) => row[REPLICA_STATUS_COLUMNS.findIndex((c) => c.name === name)];
  const rows: [string, number][] = [
    ['Replica_io_running', s.io === 'streaming' ? 1 : 0],
    ['Replica_sql_running', s.sqlRunning ? 1 : 0],
    ['Replica_received_sequence', Number(s.received)],
    ['Replica_applied_sequence', Number(s.applied)],
  ];
  const lagMs = at('Lag_ms');
  const lagTxns = at('Lag_transactions');
  if (typeof lagMs === 'number') rows.push(['Replica_lag_ms', lagMs]);
  if (typeof lagTxns === 'number') rows.push(['Replica_lag_transactions', lagTxns]);
  return rows;
}
