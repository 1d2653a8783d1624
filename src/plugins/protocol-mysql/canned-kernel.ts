// Test support: a minimal in-memory KernelApi with canned answers, so the protocol is tested without the SQL engine.
import { tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Socket } from 'node:net';
import { sqlError, type Diagnostic } from '../../base/errors.js';
import type { Logger } from '../../kernel/logger.js';
import type { Authenticator, KernelApi, Listener, ProcessInfo, KernelSession, PreparedStatementInfo, SessionStatus } from '../../kernel/plugin.js';
import type { ResultColumn, StatementResult } from '../../base/result.js';
import type { SqlType } from '../../base/sql-type.js';
import { Decimal, type Row } from '../../base/value.js';
import { plugin, type MysqlProtocolServer } from './index.js';

const DATABASES = new Set(['test', 'shop']);

function column(name: string, type: SqlType, nullable = true): ResultColumn {
  return { name, orgName: name, table: 't', orgTable: 't', schema: 'test', type, nullable };
}

function rows(columns: ResultColumn[], data: Row[]): StatementResult {
  return { kind: 'rows', columns, rows: data };
}

/** The typed row the driver tests check conversions on. */
export const TYPED_COLUMNS: ResultColumn[] = [
  column('i', { kind: 'int' }, false),
  column('u', { kind: 'int', unsigned: true }),
  column('big', { kind: 'bigint' }),
  column('d', { kind: 'decimal', precision: 10, scale: 3 }),
  column('f', { kind: 'double' }),
  column('s', { kind: 'varchar', length: 20 }),
  column('b', { kind: 'varbinary', length: 8 }),
  column('dt', { kind: 'datetime' }),
  column('day', { kind: 'date' }),
  column('n', { kind: 'int' }),
  column('j', { kind: 'json' }),
];
export const TYPED_ROW: Row = [
  -42, 4000000000, 9007199254740993n, Decimal.parse('12.5') ?? null, 0.25, 'héllo', Buffer.from([0, 255]),
  '2024-02-29 10:11:12', '2024-02-29', null, '{"a": 1}',
];

export class CannedSession implements KernelSession {
  closed = false;
  inTransaction = false;
  resets = 0;

  constructor(private readonly kernel: CannedKernel, readonly id: number, readonly user: string, public database: string | null) {}

  async execute(sql: string, multi: boolean, onResult: (result: StatementResult, more: boolean) => void): Promise<void> {
    const parts = sql.split(';').map((s) => s.trim()).filter((s) => s !== '');
    if (parts.length > 1 && !multi) throw sqlError('PARSE', "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near ';'");
    for (let i = 0; i < parts.length; i++) onResult(await this.statement(parts[i]), i < parts.length - 1);
  }

  private async statement(sql: string): Promise<StatementResult> {
    const lower = sql.toLowerCase();
    if (lower.startsWith('select length')) return rows([column('len', { kind: 'bigint' }, false)], [[sql.length]]);
    if (lower.startsWith('echo ')) return rows([column('echo', { kind: 'longtext' })], [[sql.slice(5)]]);
    if (lower === 'select types') return rows(TYPED_COLUMNS, [TYPED_ROW]);
    if (/^select \d+$/.test(lower)) return rows([column(sql.slice(7), { kind: 'bigint', length: 1 }, false)], [[Number(sql.slice(7))]]);
    if (lower === 'select user()') return rows([column('user()', { kind: 'varchar', length: 64 })], [[this.user]]);
    if (lower === 'select database()') return rows([column('database()', { kind: 'varchar', length: 64 })], [[this.database]]);
    if (lower === 'error') throw sqlError('NO_SUCH_TABLE', "Table 'test.nope' doesn't exist");
    if (lower === 'bug') throw new TypeError('canned bug');
    if (lower === 'begin') {
      this.inTransaction = true;
      return { kind: 'ok', affectedRows: 0, insertId: 0 };
    }
    if (lower.startsWith('sleep ')) {
      await new Promise((r) => setTimeout(r, Number(lower.slice(6))));
      return rows([column('slept', { kind: 'int' })], [[1]]);
    }
    if (lower.startsWith('insert')) return { kind: 'ok', affectedRows: 3, insertId: 42, info: 'Records: 3  Duplicates: 0  Warnings: 0' };
    return { kind: 'ok', affectedRows: 0, insertId: 0 };
  }

  useDatabase(name: string): void {
    if (!DATABASES.has(name)) throw sqlError('BAD_DB', `Unknown database '${name}'`);
    this.database = name;
  }

  listFields(table: string): ResultColumn[] {
    if (table !== 't') throw sqlError('NO_SUCH_TABLE', `Table 'test.${table}' doesn't exist`);
    return TYPED_COLUMNS.slice(0, 2);
  }

  prepare(): PreparedStatementInfo {
    throw sqlError('NOT_SUPPORTED_YET', 'the canned kernel has no prepared statements');
  }

  async executePrepared(): Promise<StatementResult> {
    throw sqlError('UNKNOWN_STMT_HANDLER', 'Unknown prepared statement handler');
  }

  closePrepared(): void {}

  statistics(): string {
    return 'Uptime: 1  Threads: 1  Questions: 0';
  }

  reset(): void {
    this.resets++;
    this.inTransaction = false;
  }

  status(): SessionStatus {
    return { inTransaction: this.inTransaction, autocommit: true, warningCount: 0 };
  }

  diagnostics(): readonly Diagnostic[] {
    return [];
  }

  netWriteTimeoutSeconds(): number {
    return 60;
  }

  waitTimeoutSeconds(): number {
    return 0;
  }

  netReadTimeoutSeconds(): number {
    return 30;
  }

  close(): void {
    this.closed = true;
  }
}

export class CannedKernel implements KernelApi {
  readonly serverVersion = '8.0.36-mizzle-test';
  readonly serverUuid = '00000000-0000-0000-0000-000000000000';
  readonly sessions: CannedSession[] = [];
  maxAllowedPacket = 64 * 1024 * 1024;
  private lastId = 0;

  constructor(public auth: Authenticator) {}

  listen(spec: { host: string; port: number }, onConnection: (socket: Socket) => void): Promise<Listener> {
    const server = createServer({ noDelay: true }, onConnection);
    return new Promise((resolve) => {
      server.listen(spec.port, spec.host, () => {
        const addr = server.address();
        resolve({ port: typeof addr === 'object' && addr ? addr.port : spec.port, close: () => new Promise<void>((done) => server.close(() => done())) });
      });
    });
  }

  private readonly gauges = new Map<string, { add(d: number): number; get(): number }>();

  gauge(name: string): { add(d: number): number; get(): number } {
    let g = this.gauges.get(name);
    if (!g) {
      let v = 0;
      g = { add: (d) => (v += d), get: () => v };
      this.gauges.set(name, g);
    }
    return g;
  }

  isConnectionAdmin(user: string): boolean {
    return user === 'root';
  }

  async statusFresh(): Promise<void> {}

  authenticate(req: Parameters<Authenticator['authenticate']>[0]) {
    return this.auth.authenticate(req);
  }

  openSession(info: { user: string; host: string; database: string | null; connectionId?: number }): KernelSession {
    if (info.database !== null && !DATABASES.has(info.database)) throw sqlError('BAD_DB', `Unknown database '${info.database}'`);
    const s = new CannedSession(this, info.connectionId ?? this.nextConnectionId(), info.user, info.database);
    this.sessions.push(s);
    return s;
  }

  nextConnectionId(): number {
    return ++this.lastId;
  }

  getGlobalVariable(name: string): string | number | null {
    return name === 'max_allowed_packet' ? this.maxAllowedPacket : null;
  }

  recordTraffic(): void {}
  recordAbortedConnect(): void {}
  hostRefusal(): undefined {
    return undefined;
  }
  loginFailed(): void {}
  loginSucceeded(): void {}
  globalStatus(): [string, string | number][] {
    return [];
  }
  processList(): ProcessInfo[] {
    return [];
  }
  storageHealthy(): boolean {
    return true;
  }
  accepting(): boolean {
    return true;
  }

  openSessions(): CannedSession[] {
    return this.sessions.filter((s) => !s.closed);
  }
}

/** A logger that keeps what it was told, for assertions. */
export function recordingLogger(): Logger & { lines: { level: string; msg: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push({ level, msg, fields });
  return { lines, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/** A datadir of this test process's own (keys generated on first need land here, not in the shared tmpdir), removed at exit. */
let cannedDatadir: string | undefined;
function datadirForTests(): string {
  if (cannedDatadir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'mizzle-canned-'));
    cannedDatadir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return cannedDatadir;
}

/** Starts the protocol plugin on a free loopback port against `kernel`. */
export async function startCannedServer(kernel: KernelApi, options: Record<string, string | number | boolean> = {}, log: Logger = recordingLogger()): Promise<MysqlProtocolServer> {
  const server = await plugin.init({
    options: { port: 0, bind: '127.0.0.1', max_connections: 151, connect_timeout: 10, default_auth: 'caching_sha2_password', ...options },
    datadir: datadirForTests(),
    log,
    kernel,
  });
  const s = server as MysqlProtocolServer;
  await s.start();
  return s;
}
