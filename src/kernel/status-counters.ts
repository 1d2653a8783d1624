// Server status counters (SHOW STATUS): statements by kind, errors, connections, uptime.

/** The Com_* name MySQL uses for each statement kind. */
const COM_NAMES: Record<string, string> = {
  select: 'Com_select', setop: 'Com_select', values: 'Com_select', with: 'Com_select',
  insert: 'Com_insert', update: 'Com_update', delete: 'Com_delete',
  createTable: 'Com_create_table', dropTable: 'Com_drop_table', alterTable: 'Com_alter_table',
  createIndex: 'Com_create_index', dropIndex: 'Com_drop_index', createDatabase: 'Com_create_db', alterDatabase: 'Com_alter_db', dropDatabase: 'Com_drop_db',
  show: 'Com_show', set: 'Com_set_option', use: 'Com_change_db', truncate: 'Com_truncate',
  kill: 'Com_kill',
};

/** Transaction control statements count by what they do (COMMIT is Com_commit, not Com_begin), as in MySQL. */
const TRANSACTION_COM_NAMES: Record<string, string> = {
  begin: 'Com_begin', commit: 'Com_commit', rollback: 'Com_rollback', savepoint: 'Com_savepoint',
  rollbackToSavepoint: 'Com_rollback_to_savepoint', releaseSavepoint: 'Com_release_savepoint',
};

const STMT_COM_NAMES = { prepare: 'Com_stmt_prepare', execute: 'Com_stmt_execute', close: 'Com_stmt_close' } as const;

export class StatusCounters {
  private readonly started = Date.now();
  private readonly counts = new Map<string, number>();
  private readonly errors = new Map<number, number>();
  connections = 0;
  threadsConnected = 0;
  abortedConnects = 0;
  bytesReceived = 0;
  bytesSent = 0;
  slowQueries = 0;
  /** Accesses an authorization plugin refused. */
  accessDenied = 0;
  /** Statements refused because their user already ran max_user_concurrent_statements. */
  userStatementLimitRefusals = 0;
  /** Transactions made durable (explicit and autocommit ones), as MySQL's Handler_commit counts engine commits. */
  handlerCommit = 0;
  /** Transactions rolled back (ROLLBACK, a failed autocommit statement, a closed session's open transaction). */
  handlerRollback = 0;

  /** One statement; `transactionAction` tells BEGIN/COMMIT/ROLLBACK... apart for statements of kind 'transaction'. */
  statement(kind: string, transactionAction?: string): void {
    this.bump('Questions');
    const com = kind === 'transaction' ? TRANSACTION_COM_NAMES[transactionAction ?? 'begin'] : COM_NAMES[kind];
    if (com) this.bump(com);
  }

  /** COM_STMT_PREPARE / EXECUTE / CLOSE, as MySQL's Com_stmt_* count them (a client's statement cache shows here). */
  preparedStatement(command: 'prepare' | 'execute' | 'close'): void {
    this.bump(STMT_COM_NAMES[command]);
  }

  error(code: number): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  private bump(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  questions(): number {
    return this.counts.get('Questions') ?? 0;
  }

  uptimeSeconds(): number {
    return Math.floor((Date.now() - this.started) / 1000);
  }

  /** Rows for SHOW STATUS, sorted by name. */
  rows(extra: [string, string | number][]): [string, string | number][] {
    const out: [string, string | number][] = [
      ['Aborted_connects', this.abortedConnects],
      ['Access_denied_errors', this.accessDenied],
      ['User_statement_limit_refusals', this.userStatementLimitRefusals],
      ['Bytes_received', this.bytesReceived],
      ['Bytes_sent', this.bytesSent],
      ['Slow_queries', this.slowQueries],
      ['Connections', this.connections],
      ['Threads_connected', this.threadsConnected],
      ['Uptime', this.uptimeSeconds()],
      ['Handler_commit', this.handlerCommit],
      ['Handler_rollback', this.handlerRollback],
      ...[...Object.values(COM_NAMES), ...Object.values(TRANSACTION_COM_NAMES), ...Object.values(STMT_COM_NAMES)].filter((v, i, a) => a.indexOf(v) === i).map((n): [string, number] => [n, this.counts.get(n) ?? 0]),
      ['Questions', this.counts.get('Questions') ?? 0],
      ['Errors_total', [...this.errors.values()].reduce((a, b) => a + b, 0)],
      ...extra,
    ];
    return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }
}
