// The kernel: sessions, the authentication decision, statement environments, and server-wide state.
import { urlHost } from '../base/host-port.js';
import { getCollation } from '../base/collation.js';
import { sqlError, SqlError } from '../base/errors.js';
import { HostBlocks } from './host-blocks.js';
import type { Logger } from './logger.js';
import type { AccessRequest, AuditEvent, AuthDecision, AuthRequest, ChangeFeed, FilterRequest, KernelApi, KernelSession, LoginAttempt, ProcessInfo, SessionOpenInfo, StatementEvent } from './plugin.js';
import type { ScanMeter } from '../storage/table-store.js';
import type { PluginRegistry } from './registry.js';
import { RowCountCache } from './row-estimates.js';
import { Session } from './session/session.js';
import type { FilterOutcome, SessionHost, TransactionOptions } from './session/session-host.js';
import { StatusCounters } from './status-counters.js';
import { StorageTransactions } from './storage-env.js';
import { ChangeLog } from './change-log.js';
import { LockManager, type RowLocks } from './transactions/lock-manager.js';
import type { DdlNameScope } from './transactions/metadata-locks.js';
import type { SharedLockTable } from './threads/shared-lock-table.js';
import type { Socket } from 'node:net';
import type { KernelCluster, Listener } from './cluster.js';
import { listenAlone } from './listen-alone.js';
import { LocalGauges, type SharedGauge } from './gauges.js';
import { LocalMaps, type SharedMap } from './shared-maps.js';
import { isAuditEvent, type ListenSpec, type RelayedEvent, type WorkerReport } from './threads/messages.js';
import { FinishedStatement } from './session/finished-statement.js';
import type { ReplicaControlStmt, Statement } from '../sql/parser/ast.js';
import { Transaction, type CommitLog } from './transactions/transaction.js';
import type { KvStore } from '../storage/kv.js';
import { GlobalVariables, findVariable } from './variables.js';
import type { StorageManager } from '../storage/storage-manager.js';
import type { EvalContext } from '../sql/analyzer/eval-context.js';
import type { ServerInfo, StatementEnv } from '../sql/executor/statement-env.js';
import type { Value } from '../base/value.js';
import { isInformationSchema } from '../sql/analyzer/system-schema.js';
import { finish, settled } from '../sql/executor/pause.js';
import { isTemporaryName, TemporaryTables } from './temporary-tables.js';
import type { TlsMaterial } from './tls-files.js';
import type { SecureContext } from 'node:tls';
import { CommitSignal } from './replication/commit-signal.js';
import { StreamHolds } from './replication/stream-holds.js';
import { LogRetention, type PurgeOutcome } from './replication/log-retention.js';
import type { Replica } from './replication/replica.js';
import type { ReplicationSource } from './replication/source.js';
import type { SourceSettings } from './replication/source-settings.js';
import { changeSource, promotable, promote, resetReplica } from './replication/replica-commands.js';
import type { ApplierDuty } from './cluster.js';
import { REPLICA_STATUS_COLUMNS } from './replication/replica-status.js';
import type { ReplicaStatusColumn } from '../sql/executor/statement-env.js';
import type { TableDef } from '../storage/table-def.js';
import type { TopologySource } from '../sharding/topology-source.js';
import { clearAppliedPosition, findOrigin, lastSequence, logSummary, newestOrigin, type OriginId, readAppliedPosition, readApplierPosition, readEncoded, writeAppliedPosition, writeApplierPosition, type LogSummary, type AppliedPosition, type ReplicatedOrigin } from '../storage/change-log/index.js';
import { ApplierFeed, type ApplierFeedHost } from './replication/applier-feed.js';
import { ConfigError } from './config.js';
import { NO_RULES, ReplicateRules, withFilterChanges, type ReplicationFilterChange } from './replication/replicate-rules.js';

/** The MySQL version mizzle reports; clients and ORMs switch features on it. */
export const MYSQL_COMPAT_VERSION = '8.0.36';
export const MIZZLE_VERSION = '0.1.0';

export interface KernelOptions {
  storage: StorageManager;
  registry: PluginRegistry;
  log: Logger;
  serverUuid: string;
  datadir: string;
  /** Global variable values decided at startup (port, datadir, ...). */
  globals: Record<string, string | number>;
  /** The clock, injectable for tests. */
  clock?: () => Date;
  /**
   * Set when this kernel is one of several threads serving the same data: shared locks,
   * connection ids and listeners, and the other threads' sessions and counters.
   */
  cluster?: KernelCluster;
  /**
   * The main thread's, when worker threads serve the clients: the row locks they share, so the
   * sessions it runs itself (the replica's applier) lock against theirs.
   */
  sharedLocks?: SharedLockTable;
  /** A worker thread's kernel leaves the startup cleanup to the main thread's. */
  worker?: boolean;
  /** Write every committed transaction to the change log (--log-bin; default on). */
  changeLog?: boolean;
  /** The server certificate protocols offer TLS with; absent when TLS is off. */
  tls?: TlsMaterial;
  /** The commit counter change streams wait on; worker threads share one (see replication/commit-signal.ts). */
  commitSignal?: SharedArrayBuffer;
  /** The positions live change streams hold against purging; worker threads share one (see replication/stream-holds.ts). */
  streamHolds?: SharedArrayBuffer;
  /** Which source the server follows: --replica-of, or what CHANGE REPLICATION SOURCE TO stored (undefined: none can be set). */
  sourceSettings?: SourceSettings;
  /** The sharding topology (`--topology`), started; absent on a server outside any sharded keyspace. */
  topology?: TopologySource;
  /** `--shard-advertise`: this server's native address as the topology names it ('' when not given). */
  shardAdvertise?: string;
}


const replicaAdminDenied = () => sqlError('SPECIFIC_ACCESS_DENIED', 'Access denied; you need (at least one of) the SUPER or REPLICATION_SLAVE_ADMIN privilege(s) for this operation');
const replicaNotConfigured = () => sqlError('REPLICA_NOT_CONFIGURED', 'The server is not configured as replica; fix in config file or with CHANGE REPLICATION SOURCE TO');

/** Statements that show or touch other sessions or the server's counters: in a cluster they need the other threads' reports first. */
function needsPeers(statement: Statement, text: string): boolean {
  if (statement.type === 'kill') return true;
  if (statement.type === 'show') return statement.what === 'processlist' || statement.what === 'status' || statement.what === 'replicaStatus';
  if (statement.type === 'replicaControl' || statement.type === 'changeReplicationFilter') return true;
  return (statement.type === 'select' || statement.type === 'with' || statement.type === 'setop') && /processlist|global_status/i.test(text);
}

/** SHOW STATUS's Ssl_cipher and Ssl_version: the session's TLS, empty on a clear connection and in the global scope (as MySQL shows them). */
function withTlsStatus(rows: [string, string | number][], tls: { cipher: string; version: string } | undefined): [string, Value][] {
  const out: [string, Value][] = rows.filter(([k]) => k !== 'Ssl_cipher' && k !== 'Ssl_version');
  out.push(['Ssl_cipher', tls?.cipher ?? ''], ['Ssl_version', tls?.version ?? '']);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** The generated columns of each table definition (definitions are immutable), for the replica's applier. */
const generatedNames = new WeakMap<TableDef, ReadonlySet<string>>();
const NO_COLUMNS: ReadonlySet<string> = new Set();

/** Where SHOW REPLICA STATUS says whether the applier runs. */
const SQL_RUNNING_COLUMN = REPLICA_STATUS_COLUMNS.findIndex((c) => c.name === 'Replica_SQL_Running');
const IO_RUNNING_COLUMN = REPLICA_STATUS_COLUMNS.findIndex((c) => c.name === 'Replica_IO_Running');
/** PROMOTE with worker threads waits this long at most for the main thread's applier to apply what it received, asking this often. */
const DRAIN_WAIT_MS = 60_000;
const DRAIN_POLL_MS = 50;

/** The table privileges statements ask for: a table is visible to a user who has any of them. */
const TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'ALTER', 'INDEX', 'CREATE VIEW'] as const;

/** Connection ids wrap below 2^32 as MySQL's do. */
const CONNECTION_ID_MAX = 0xffffffff;

export class Kernel implements KernelApi, SessionHost {
  readonly serverVersion = `${MYSQL_COMPAT_VERSION}-mizzle-${MIZZLE_VERSION}`;
  readonly serverUuid: string;
  readonly storage: StorageManager;
  readonly globals: GlobalVariables;
  readonly log: Logger;
  readonly counters = new StatusCounters();
  /** Failed logins per client address, and the addresses blocked for them (this thread's count). */
  private readonly hostBlocks = new HostBlocks(() => Number(this.globals.get('max_connect_errors')));
  readonly clock: () => Date;
  private readonly registry: PluginRegistry;
  private readonly transactions: StorageTransactions;
  private readonly sessions = new Map<number, Session>();
  /** Row locks of all transactions. */
  readonly locks: RowLocks;
  private readonly cluster: KernelCluster | undefined;
  /** The workers' lock table, in the main thread when there are workers (see KernelOptions.sharedLocks). */
  private readonly sharedLocks: SharedLockTable | undefined;
  private readonly tls: TlsMaterial | undefined;
  /** --replicate-do-db and the like, in the thread that runs the applier: every applier it makes takes them. */
  replicateRules = new ReplicateRules(NO_RULES);
  /** A global changed, or a KILL relayed, here and not yet known to be applied by every other thread (see relayedSettled). */
  private relayedUnsettled = false;
  /** The other threads' reports, fetched for the statement that needs them (see statementStarting). */
  private peers: WorkerReport[] = [];
  private readonly localGauges = new LocalGauges();
  private readonly localMaps = new LocalMaps();
  /** The main thread of worker threads: fetches the workers' reports (set by the server). */
  peerSource: (() => Promise<WorkerReport[]>) | undefined;
  private readonly storeIds: Map<KvStore, number>;
  /** Commits of this thread's transactions that have not ended (see batchCommitsSettled). */
  private readonly commitsInFlight = new Set<Promise<void>>();
  /** How transactions write the change log in their commit (undefined: --log-bin off). */
  private readonly commitLog: CommitLog | undefined;
  private readonly changeLog: ChangeLog | undefined;
  private readonly commitSignal: CommitSignal;
  private readonly streamHolds: StreamHolds;
  /** Purges the change log (PURGE BINARY LOGS here; the background task only in the main thread). */
  readonly logRetention: LogRetention | undefined;
  readonly sourceSettings: SourceSettings | undefined;
  /** Set by the server in the thread that runs the applier: how to follow a source URL. */
  applierFactory: { replica(url: URL): Replica; source(url: URL): ReplicationSource } | undefined;
  /** The source URL the applier here was made for. */
  private applierHref: string | undefined;
  private readonly shardTopology: TopologySource | undefined;
  private readonly shardAddress: string;
  /** The applier, in the thread that runs it (the main one); other threads ask that one. */
  replica: Replica | undefined;
  /** The change-data capture feeds, in the thread that runs them (the main one). */
  readonly appliers: ApplierFeed[] = [];
  private lastConnectionId = 0;
  /** Table sizes for plan summaries (query filters), counted lazily and cached. */
  readonly rowCounts: RowCountCache;

  constructor(opts: KernelOptions) {
    this.storage = opts.storage;
    this.registry = opts.registry;
    this.log = opts.log;
    this.serverUuid = opts.serverUuid;
    this.clock = opts.clock ?? (() => new Date());
    this.cluster = opts.cluster;
    this.tls = opts.tls;
    this.sharedLocks = opts.cluster ? undefined : opts.sharedLocks;
    this.locks = opts.cluster?.locks ?? opts.sharedLocks ?? new LockManager();
    this.globals = new GlobalVariables({
      ...opts.globals,
      version: this.serverVersion,
      server_uuid: opts.serverUuid,
      datadir: opts.datadir,
      default_storage_engine: opts.storage.defaultEngine,
      storage_engine: opts.storage.defaultEngine,
    });
    this.commitSignal = new CommitSignal(opts.commitSignal);
    this.streamHolds = new StreamHolds(opts.streamHolds);
    this.sourceSettings = opts.sourceSettings;
    this.shardTopology = opts.topology;
    this.shardAddress = opts.shardAdvertise ?? '';
    const signal = this.commitSignal;
    const changeLog = opts.changeLog === false ? undefined : new ChangeLog(opts.serverUuid, opts.storage.catalog, Date.now, () => signal.bump());
    this.changeLog = changeLog;
    this.transactions = new StorageTransactions(opts.storage, changeLog);
    this.commitLog = changeLog && { store: opts.storage.primary, prepare: (changes) => changeLog.prepare(changes), append: (w, prepared) => changeLog.appendPrepared(w, prepared), appendToBatch: (batch, prepared) => changeLog.appendToBatch(batch, prepared), committed: () => changeLog.committed() };
    this.rowCounts = new RowCountCache(opts.storage);
    this.logRetention = changeLog && new LogRetention(opts.storage.primary, this.streamHolds, () => ({
      expireSeconds: Number(this.globals.get('binlog_expire_logs_seconds')),
      maxBytes: Number(this.globals.get('max_binlog_total_size')),
      holdForReplicas: Number(this.globals.get('binlog_retain_for_replicas')) !== 0,
    }), this.log, () => this.freshLogReads());
    this.storeIds = this.transactions.storeIds();
    const cluster = opts.cluster;
    if (cluster) {
      this.globals.changed = (name, value) => {
        this.relayedUnsettled = true;
        cluster.globalChanged(name, value);
      };
    }
    // Temporary tables of sessions that ended with the last run of the server are still in the catalog.
    if (!opts.worker) this.dropTemporary(this.storage.catalog.listSchemas().flatMap((s) => this.storage.catalog.listTables(s.name).filter((t) => isTemporaryName(t.name)).map((t) => ({ schema: t.schema, hidden: t.name }))));
  }

  /** Each session's temporary tables (see temporary-tables.ts), by session id. */
  private readonly temporaryTables = new Map<number, TemporaryTables>();

  dropTemporaryTables(session: Session): void {
    const temps = this.temporaryTables.get(session.id);
    if (!temps || temps.size === 0) return;
    this.dropTemporary(temps.hiddenNames());
    temps.clear();
  }

  ddlNameScope(session: Session): DdlNameScope {
    const temps = this.temporaryTables.get(session.id);
    return {
      database: session.database,
      tablesOf: (schema) => this.storage.catalog.listTables(schema).map((t) => t.name),
      isTemporary: (schema, name) => temps?.hiddenName(schema, name) !== undefined,
    };
  }

  /** Drops temporary tables by their catalog names; one that is already gone (its schema dropped) is skipped. */
  private dropTemporary(tables: { schema: string; hidden: string }[]): void {
    for (const t of tables) {
      try {
        this.transactions.write((tx) => tx.catalog.dropTable(t.schema, t.hidden));
      } catch (e) {
        this.log.warn('could not drop a temporary table', { schema: t.schema, table: t.hidden, error: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  nextConnectionId(): number {
    if (this.cluster) return this.cluster.nextConnectionId();
    do {
      this.lastConnectionId = this.lastConnectionId >= CONNECTION_ID_MAX ? 1 : this.lastConnectionId + 1;
    } while (this.sessions.has(this.lastConnectionId));
    return this.lastConnectionId;
  }

  async authenticate(req: AuthRequest): Promise<AuthDecision> {
    const auth = this.registry.ofKind('authentication');
    if (auth.length === 0) return { kind: 'deny', reason: 'no authentication plugin is enabled' };
    // The first enabled authentication plugin decides (plugins start in a fixed order).
    return auth[0].instance.authenticate(req);
  }

  isConnectionAdmin(user: string, host: string): boolean {
    // No authorization plugin lets everyone do everything: then only root is the administrator.
    if (!this.authorizing) return user === 'root';
    return this.permits({ user, host, object: 'process', name: '*', action: 'PROCESS' });
  }

  openSession(info: SessionOpenInfo): KernelSession {
    try {
      return this.openAdmitted(info);
    } catch (e) {
      // A login that passed authentication and was still refused (1049, 1044, 1203) is a failed login to the audit trail.
      if (e instanceof SqlError) this.audit({ event: 'failed-login', time: new Date(), user: info.user, host: info.host, protocol: info.protocol ?? 'embedded', errorCode: e.code, reason: e.message });
      throw e;
    }
  }

  private openAdmitted(info: SessionOpenInfo): Session {
    this.refreshReads();
    const id = info.connectionId ?? this.nextConnectionId();
    if (info.database !== null) {
      if (!this.authorize({ user: info.user, host: info.host, object: 'schema', name: info.database, action: 'USAGE' })) {
        throw sqlError('DBACCESS_DENIED', `Access denied for user '${info.user}'@'${info.host}' to database '${info.database}'`);
      }
      if (!isInformationSchema(info.database) && !this.storage.catalog.getSchema(info.database)) throw sqlError('BAD_DB', `Unknown database '${info.database}'`);
    }
    // Counted first and checked after, so two threads cannot both take the last place.
    const maxUser = Number(this.globals.get('max_user_connections'));
    const userSessions = this.gauge(`user-sessions:${info.user}`);
    if (userSessions.add(1) > maxUser && maxUser > 0) {
      userSessions.add(-1);
      throw sqlError('TOO_MANY_USER_CONNECTIONS', `User ${info.user} already has more than 'max_user_connections' active connections`);
    }
    const session = new Session(this, id, info.user, info.host, info.database, info.disconnect);
    session.matchedRowsAsAffected = info.foundRows === true;
    session.tls = info.tls;
    session.protocol = info.protocol ?? 'embedded';
    if (info.interactive === true) session.markInteractive();
    const collation = info.collation === undefined ? undefined : getCollation(info.collation);
    if (collation !== undefined) {
      for (const v of ['character_set_client', 'character_set_connection', 'character_set_results']) session.variables.set(v, collation.charset);
      session.variables.set('collation_connection', collation.name);
    }
    const limitMs = info.maxExecutionTimeMs;
    if (limitMs !== undefined && limitMs > 0) {
      const current = Number(session.variables.get('max_execution_time'));
      if (current === 0 || current > limitMs) session.variables.set('max_execution_time', limitMs);
    }
    this.sessions.set(id, session);
    this.counters.connections++;
    this.counters.threadsConnected = this.sessions.size;
    this.audit({ event: 'connect', time: new Date(), connectionId: id, user: info.user, host: info.host, protocol: session.protocol, tls: info.tls !== undefined });
    return session;
  }

  sessionClosed(session: Session): void {
    if (this.sessions.get(session.id) === session) {
      this.sessions.delete(session.id);
      this.gauge(`user-sessions:${session.user}`).add(-1);
      this.audit({ event: 'disconnect', time: new Date(), connectionId: session.id, user: session.user, host: session.host, protocol: session.protocol });
    }
    this.dropTemporaryTables(session);
    this.temporaryTables.delete(session.id);
    this.counters.threadsConnected = this.sessions.size;
  }

  recordTraffic(received: number, sent: number): void {
    this.counters.bytesReceived += received;
    this.counters.bytesSent += sent;
  }

  recordAbortedConnect(): void {
    this.counters.abortedConnects++;
  }

  hostRefusal(address: string): SqlError | undefined {
    return this.hostBlocks.refusal(address);
  }

  loginFailed(address: string, attempt?: LoginAttempt): void {
    this.hostBlocks.failed(address);
    if (attempt) this.audit({ event: 'failed-login', time: new Date(), user: attempt.user, host: address, protocol: attempt.protocol, errorCode: attempt.errorCode ?? 1045, reason: attempt.reason });
  }

  private auditors: ((e: AuditEvent) => void)[] | undefined;

  /** The logging plugins' audit hooks (with worker threads, in a worker: the stand-in that relays to the main thread). */
  private auditHooks(): ((e: AuditEvent) => void)[] {
    if (this.auditors) return this.auditors;
    const list = this.registry.ofKind('logging').flatMap((a) => (a.instance.audit ? [a.instance.audit.bind(a.instance)] : []));
    // As for statement observers: fixed once every plugin started.
    if (this.started) this.auditors = list;
    return list;
  }

  /** Hands a connect, disconnect or refused login to the audit hooks; one that throws is logged, never the client's problem. */
  audit(e: AuditEvent): void {
    this.deliverAudit(this.auditHooks(), e);
  }

  private deliverAudit(hooks: readonly ((e: AuditEvent) => void)[], e: AuditEvent): void {
    for (const hook of hooks) {
      try {
        hook(e);
      } catch (err) {
        this.log.error('an audit hook failed', { error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  loginSucceeded(address: string): void {
    this.hostBlocks.succeeded(address);
  }

  /** FLUSH HOSTS: every blocked address may connect again, on every thread. */
  flushHosts(): void {
    this.flushHostsLocal();
    this.cluster?.flushHosts();
  }

  /** FLUSH HOSTS as another thread asked for it. */
  flushHostsLocal(): void {
    this.hostBlocks.flush();
  }

  globalStatus(): [string, string | number][] {
    const sums = new Map<string, string | number>(this.localCounters());
    for (const p of this.peers) {
      for (const [name, v] of p.status) {
        const mine = sums.get(name);
        sums.set(name, typeof mine === 'number' && typeof v === 'number' ? mine + v : mine ?? v);
      }
    }
    for (const [name, v] of this.localSettings()) sums.set(name, v);
    // The main thread of worker threads runs no filters: their settings come from a worker.
    // (The main thread's report, last, adds the replica's rows when it runs the applier.)
    for (const p of this.peers) for (const [name, v] of p.settings) if (!sums.has(name)) sums.set(name, v);
    return [...sums].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }

  /** This thread's counters (they add up over threads). */
  private localCounters(): [string, string | number][] {
    const extra: [string, string | number][] = [];
    for (const f of this.registry.ofKind('filter')) for (const row of f.instance.counters?.() ?? []) extra.push(row);
    for (const p of this.registry.ofKind('protocol')) for (const row of p.instance.statusCounters?.() ?? []) extra.push(row);
    extra.push(['Login_failures', this.hostBlocks.failuresTotal], ['Hosts_blocked', this.hostBlocks.blocked()], ['Connections_refused_host_blocked', this.hostBlocks.refusedTotal]);
    // Uptime is the server's, not a count: it goes with the settings.
    return this.counters.rows(extra).filter(([name]) => name !== 'Uptime');
  }

  /** Rows that describe the server: the same whichever thread reports them. */
  private localSettings(): [string, string | number][] {
    const rows: [string, string | number][] = [['Storage_bytes', this.storage.primary.sizeBytes()], ['Uptime', this.counters.uptimeSeconds()]];
    for (const f of this.registry.ofKind('filter')) for (const row of f.instance.settings?.() ?? []) rows.push(row);
    if (this.tls) {
      const v = this.tls.validity();
      rows.push(['Ssl_server_not_after', v.notAfter], ['Ssl_server_not_before', v.notBefore]);
    }
    if (this.cluster) rows.push(...this.cluster.sharedStatus());
    rows.push(...this.mainThreadSettings());
    if (this.changeLog) rows.push(...this.logStatusRows());
    return rows;
  }

  /** The status of what only the main thread runs: the replica's applier and the applier plugins' feeds. */
  mainThreadSettings(): [string, number][] {
    const rows: [string, number][] = this.replica ? this.replica.statusCounters() : [];
    const now = Date.now();
    for (const a of this.appliers) rows.push(...a.statusRows(now));
    return rows;
  }

  gauge(name: string): SharedGauge {
    return this.cluster ? this.cluster.gauge(name) : this.localGauges.gauge(name);
  }

  sharedMap(name: string, maxEntries: number): SharedMap {
    return this.cluster ? this.cluster.map(name, maxEntries) : this.localMaps.map(name, maxEntries);
  }

  async statusFresh(): Promise<void> {
    if (this.peerSource) this.peers = await this.peerSource();
    // A worker asks the other threads, as SHOW STATUS does.
    else if (this.cluster) this.peers = await this.cluster.gather();
  }

  /** What this thread tells the others when they ask. */
  report(): WorkerReport {
    return { processes: this.localProcesses(), status: this.localCounters(), settings: this.localSettings() };
  }


  processList(): ProcessInfo[] {
    const local = this.localProcesses();
    return this.peers.length === 0 ? local : [...local, ...this.peers.flatMap((p) => p.processes)].sort((a, b) => a.id - b.id);
  }

  private localProcesses(): ProcessInfo[] {
    return [...this.sessions.values()].map((s) => ({
      id: s.id, user: s.user, host: s.host, db: s.database, command: s.activity.command,
      time: Math.floor((Date.now() - s.activity.since) / 1000), state: s.activity.state ?? (s.activity.command === 'Query' ? 'executing' : ''), info: s.activity.info,
    }));
  }

  /** Set when shutdown begins: readiness probes fail from then on while clients drain. */
  stopping = false;

  accepting(): boolean {
    return this.started && !this.stopping;
  }

  storageHealthy(): boolean {
    try {
      this.storage.catalog.listSchemas();
      return true;
    } catch {
      return false;
    }
  }

  // ------------------------------------------------------------------ authorization, filters, statement events

  /** Whether every active authorization plugin allows the access (no plugin: allowed); a denial is logged and counted. */
  authorize(req: AccessRequest): boolean {
    const refuser = this.refuser(req);
    if (refuser === undefined) return true;
    this.counters.accessDenied++;
    this.log.warn('access denied by authorization', { plugin: refuser, user: req.user, host: req.host, object: req.object, name: req.name, table: req.table, action: req.action });
    return false;
  }

  /** The same question asked quietly, for what a session may see (SHOW DATABASES, SHOW PROCESSLIST): nothing was refused. */
  permits(req: AccessRequest): boolean {
    return this.refuser(req) === undefined;
  }

  /** The first authorization plugin that refuses `req`; a plugin that throws refuses (fail closed). */
  private refuser(req: AccessRequest): string | undefined {
    for (const a of this.registry.ofKind('authorization')) {
      let allowed = false;
      try {
        allowed = a.instance.authorize(req);
      } catch (e) {
        this.log.error('an authorization plugin failed; access refused', { plugin: a.manifest.name, error: e instanceof Error ? e.message : String(e) });
      }
      if (!allowed) return a.manifest.name;
    }
    return undefined;
  }

  /** Whether any authorization plugin is active (sessions skip the per-statement walk when none is). */
  get authorizing(): boolean {
    return this.registry.ofKind('authorization').length > 0;
  }

  get filtering(): boolean {
    return this.registry.ofKind('filter').length > 0;
  }

  /**
   * Asks each filter in turn. The first `deny` wins (its plugin name is returned so
   * the event can say who blocked); admits combine: the earliest deadline (and whose
   * it is), every `done`, every note.
   */
  filterStatement(req: FilterRequest): FilterOutcome {
    const out: FilterOutcome = { done: [], notes: [] };
    for (const f of this.registry.ofKind('filter')) {
      const v = f.instance.check(req);
      if (!v) continue;
      if (v.kind === 'deny') {
        out.denied = { by: f.manifest.name, verdict: v };
        return out;
      }
      if (v.deadlineMs !== undefined && (out.deadlineMs === undefined || v.deadlineMs < out.deadlineMs)) {
        out.deadlineMs = v.deadlineMs;
        out.deadlineBy = f.manifest.name;
      }
      if (v.done) out.done.push(v.done);
      if (v.note !== undefined) out.notes.push({ by: f.manifest.name, note: v.note });
    }
    return out;
  }

  /** Whether anyone listens for statement events (sessions skip building them otherwise). */
  get observingStatements(): boolean {
    return this.statementObservers().length > 0;
  }

  private observers: ((e: StatementEvent) => void)[] | undefined;

  private statementObservers(): ((e: StatementEvent) => void)[] {
    if (!this.observers) {
      const list: ((e: StatementEvent) => void)[] = [];
      for (const a of this.registry.ofKind('logging')) if (a.instance.statement) list.push(a.instance.statement.bind(a.instance));
      for (const a of this.registry.ofKind('monitoring')) if (a.instance.statement) list.push(a.instance.statement.bind(a.instance));
      // Plugins start after the kernel; the list is fixed once the first session runs a statement.
      if (this.started) this.observers = list;
      return list;
    }
    return this.observers;
  }

  /** Set once every plugin has started. */
  started = false;

  /** Counts the statement for SHOW STATUS and hands it to logs and metrics; an observer that throws is logged, never the client's problem. */
  statementFinished(e: StatementEvent): void {
    this.countSlow(e.durationMs);
    for (const observe of this.statementObservers()) this.observe(observe, e);
  }

  private observe(observer: (e: StatementEvent) => void, e: StatementEvent): void {
    try {
      observer(e);
    } catch (err) {
      this.log.error('a statement observer failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  /**
   * Statements and audit events worker threads relayed, for the plugins that run in this (main)
   * thread only: monitoring plugins and main-thread logging plugins (the others saw them in the workers).
   */
  relayedEvents(records: readonly RelayedEvent[]): void {
    const mainLogging = this.registry.ofKind('logging').filter((l) => l.manifest.mainThread === true);
    const observers = [...this.registry.ofKind('monitoring'), ...mainLogging].flatMap((m) => (m.instance.statement ? [m.instance.statement.bind(m.instance)] : []));
    const auditors = mainLogging.flatMap((l) => (l.instance.audit ? [l.instance.audit.bind(l.instance)] : []));
    for (const r of records) {
      if (isAuditEvent(r)) {
        this.deliverAudit(auditors, r);
        continue;
      }
      const e = new FinishedStatement(r.time, r.sessionId, r.user, r.host, r.schema, r.text, r.kind, r.durationMs, r.rowsSent, r.rowsExamined, r.rowsAffected, r.errorCode, r.errorMessage, r.blockedBy, r.filterNotes);
      for (const observe of observers) this.observe(observe, e);
    }
  }

  /** Slow_queries: statements that took long_query_time seconds or more. */
  countSlow(durationMs: number): void {
    if (durationMs >= Number(this.globals.get('long_query_time')) * 1000) this.counters.slowQueries++;
  }

  /** KILL [CONNECTION | QUERY] id on behalf of `requester`: 1094 unknown id, 1095 another user's session without PROCESS. */
  kill(requester: Session, id: number, queryOnly: boolean): void {
    const target = this.sessions.get(id);
    // Another thread's session is known from the reports fetched for this statement.
    const owner = target?.user ?? this.peers.flatMap((p) => p.processes).find((p) => p.id === id)?.user;
    if (owner === undefined) throw sqlError('NO_SUCH_THREAD', `Unknown thread id: ${id}`);
    if (owner !== requester.user && !this.authorize({ user: requester.user, host: requester.host, object: 'process', name: owner, action: 'PROCESS' })) {
      throw sqlError('KILL_DENIED', `You are not owner of thread ${id}`);
    }
    if (!target) {
      if (this.cluster) {
        this.relayedUnsettled = true;
        this.cluster.kill(id, queryOnly);
      }
      return;
    }
    if (target === requester) {
      // Killing yourself interrupts the KILL itself (1317), as in MySQL; the connection closes after that reply.
      if (!queryOnly) setImmediate(() => target.killConnection());
      throw sqlError('QUERY_INTERRUPTED', 'Query execution was interrupted');
    }
    if (queryOnly) target.killQuery();
    else target.killConnection();
  }

  /** KILL from another thread, for a session of this one (unknown ids are someone else's). */
  killLocal(id: number, queryOnly: boolean): void {
    const target = this.sessions.get(id);
    if (!target) return;
    if (queryOnly) target.killQuery();
    else target.killConnection();
  }

  /** A protocol plugin's listening socket: its own, or (worker threads) one every worker shares. */
  listen(spec: ListenSpec, onConnection: (socket: Socket) => void): Promise<Listener> {
    return this.cluster ? this.cluster.listen(spec, onConnection) : listenAlone(spec, onConnection);
  }

  /**
   * A statement's first step. Worker threads see other threads' commits and catalog changes
   * from here on; statements about other sessions wait for the other threads' reports.
   */
  statementStarting(statement: Statement, text: string, by: { user: string; host: string }): Promise<void> | undefined {
    if (statement.type === 'replicaControl' && statement.action === 'promote') return this.drainApplier(by);
    if (!this.cluster) return undefined;
    this.refreshReads();
    if (!needsPeers(statement, text)) return undefined;
    return this.cluster.gather().then((reports) => {
      this.peers = reports;
    });
  }

  /**
   * After a statement that changed a global or killed another thread's session (worker threads):
   * resolves once every other thread applied it, so a session anywhere that starts after the OK
   * sees the new value, and a killed connection is closed (a killed query flagged) before the KILL
   * answers, as in MySQL. (The change went to the main thread before this gather, and every thread
   * gets its messages in order, so a thread that answered the gather has applied the change.) A
   * `SET GLOBAL super_read_only = 1` that a shard cut-over relies on must hold on every thread at once.
   */
  relayedSettled(): Promise<void> | undefined {
    if (!this.cluster || !this.relayedUnsettled) return undefined;
    this.relayedUnsettled = false;
    return this.cluster.gather().then(() => undefined);
  }

  /** Worker threads: the latest commits and catalog (another thread may have changed it). */
  refreshReads(): void {
    if (!this.cluster) {
      // The main thread beside workers: a retry after a lock wait must read what the holder committed.
      if (this.sharedLocks) this.freshApplierReads();
      return;
    }
    this.cluster.freshReads();
    this.storage.catalog.refresh();
  }

  tlsContext(): SecureContext | null {
    return this.tls?.context ?? null;
  }

  /** SIGHUP: re-reads the certificate files; a failure is logged and the old certificate stays. */
  reloadTls(): void {
    if (!this.tls) return;
    try {
      this.tls.reload();
      this.log.info('TLS certificate reloaded', { cert: this.tls.files.cert });
    } catch (e) {
      this.log.error('reloading the TLS certificate failed; the previous one stays in force', { error: e instanceof Error ? e.message : String(e) });
    }
  }

  getGlobalVariable(name: string): string | number | null {
    return findVariable(name) ? this.globals.get(name) : null;
  }

  booleanVariable(name: string): boolean {
    return findVariable(name)?.type === 'bool';
  }

  statisticsLine(): string {
    return `Uptime: ${this.counters.uptimeSeconds()}  Threads: ${this.sessions.size}  Questions: ${this.counters.questions()}  Slow queries: ${this.counters.slowQueries}  Opens: 0  Open tables: 0  Queries per second avg: 0.000`;
  }

  /**
   * What DDL waits for before it runs (undefined: nothing): this thread's commits still running,
   * including big ones still building their batch, and batches being applied off the thread.
   */
  batchCommitsSettled(): Promise<void> | undefined {
    const waits: Promise<void>[] = [];
    // A failed commit was answered to its own session; here it only had to end.
    for (const c of this.commitsInFlight) waits.push(c.catch(() => undefined));
    for (const s of this.transactions.allStores()) {
      const w = s.batchesSettled?.();
      if (w !== undefined) waits.push(w);
    }
    return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
  }

  /** Starts a transaction for a session (explicit, or one autocommit statement). */
  newTransaction(opts: TransactionOptions): Transaction {
    const t = new Transaction(this.locks, { ...opts, storeIds: this.storeIds, log: this.commitLog, inFlight: this.commitsInFlight });
    if (opts.consistentSnapshot) t.pinSnapshots(this.transactions.allStores());
    return t;
  }

  /** Builds the environment one statement of `session` runs in (inside `txn` when given). */
  statementEnv(session: Session, ctx: EvalContext, text: string, txn?: Transaction, lockReads?: 'S' | 'X', meter?: ScanMeter, metadataLocks = true): StatementEnv {
    let temps = this.temporaryTables.get(session.id);
    if (!temps) this.temporaryTables.set(session.id, (temps = new TemporaryTables(session.id)));
    const t = temps;
    // Metadata locks: the transaction's until it ends, else the statement's (released when it ends).
    const locks = this.locks;
    const owner = metadataLocks ? txn ?? session.statementLocks : undefined;
    return {
      session,
      ctx,
      text,
      server: session.serverInfo,
      defaultEngine: () => String(session.variables.get('default_storage_engine')),
      engineExists: (name) => this.storage.resolveEngine(name) !== undefined,
      engineShared: (name) => this.cluster === undefined || this.storage.store(name).persistent,
      read: (fn) => (txn && lockReads ? this.transactions.readLocked((tx) => fn(t.read(tx, locks, owner)), txn, lockReads, meter) : this.transactions.read((tx) => fn(t.read(tx, locks, owner)), txn, meter)),
      checkpoint: () => meter?.tick(),
      // Locking reads lock each row in the newest state, read anew after every pause.
      readSteps: (fn) => (txn && lockReads ? this.transactions.readLockedSteps((tx) => fn(t.read(tx, locks, owner)), txn, lockReads, this.renewRowReads, meter) : this.transactions.readSteps((tx) => fn(t.read(tx, locks, owner)), txn, meter)),
      write: (fn) => this.transactions.write((tx) => fn(t.write(tx, locks, owner)), txn, meter, { text, schema: session.database ?? '', origin: session.replicationOrigin }),
      writeSteps: (fn) => {
        const logged = { text, schema: session.database ?? '', origin: session.replicationOrigin };
        if (!txn) return settled(this.transactions.write((tx) => finish(fn(t.write(tx, locks, owner))), undefined, meter, logged));
        return this.transactions.writeSteps((tx) => fn(t.write(tx, locks, owner)), txn, this.renewRowReads, meter, logged);
      },
    };
  }

  /**
   * What statements of `session` see of the server: other sessions only with the PROCESS right,
   * schemas and tables only with some right on them. Hidden rows are not denials (not logged or counted).
   */
  serverInfoFor(session: Session): ServerInfo {
    const { user, host } = session;
    const sees = (other: string) => other === user || this.permits({ user, host, object: 'process', name: other, action: 'PROCESS' });
    return {
      ...this.serverInfo,
      processList: () => this.processList().filter((p) => sees(p.user)),
      status: (scope) => withTlsStatus(this.globalStatus(), scope === 'global' ? undefined : session.tls),
      kill: (id, queryOnly) => this.kill(session, id, queryOnly),
      canSeeSchema: (schema) => this.permits({ user, host, object: 'schema', name: schema, action: 'USAGE' }),
      canSeeTable: (schema, table) => TABLE_PRIVILEGES.some((action) => this.permits({ user, host, object: 'table', name: schema, table, action })),
      replicaStatus: () => this.replicaStatus(),
      flushHosts: () => {
        if (!this.isConnectionAdmin(user, host)) throw sqlError('SPECIFIC_ACCESS_DENIED', 'Access denied; you need (at least one of) the RELOAD privilege(s) for this operation');
        this.flushHosts();
      },
      replicaControl: (stmt) => {
        if (!this.isConnectionAdmin(user, host)) throw replicaAdminDenied();
        return this.replicaControl(stmt);
      },
      changeReplicationFilter: (filters) => {
        if (!this.isConnectionAdmin(user, host)) throw replicaAdminDenied();
        this.changeReplicationFilter(filters);
      },
      binaryLogs: () => {
        if (!this.isConnectionAdmin(user, host)) throw sqlError('SPECIFIC_ACCESS_DENIED', 'Access denied; you need (at least one of) the SUPER, REPLICATION CLIENT privilege(s) for this operation');
        return { serverUuid: this.serverUuid, ...this.binaryLogs() };
      },
      purgeBinaryLogs: (target) => {
        if (!this.isConnectionAdmin(user, host)) throw sqlError('SPECIFIC_ACCESS_DENIED', 'Access denied; you need (at least one of) the SUPER or BINLOG_ADMIN privilege(s) for this operation');
        return this.purgeBinaryLogs(target);
      },
    };
  }

  private readonly serverInfo: Omit<ServerInfo, 'processList' | 'kill' | 'canSeeSchema' | 'canSeeTable' | 'replicaStatus' | 'replicaControl' | 'changeReplicationFilter' | 'flushHosts' | 'binaryLogs' | 'purgeBinaryLogs'> = {
    engines: () => this.storage.engineNames().map((n) => ({ name: n, persistent: this.storage.store(n).persistent, isDefault: n === this.storage.defaultEngine })),
    plugins: () => {
      const active = new Set(this.registry.activePlugins().map((a) => a.manifest.name));
      return this.registry.manifests().map((m) => ({ name: m.name, kind: m.kind, version: m.version, description: m.description, active: active.has(m.name) }));
    },
    status: () => this.globalStatus() as [string, Value][],
    rowEstimate: (def) => this.rowCounts.rowCount(def),
  };

  /** Sessions still open, for shutdown. */
  openSessions(): Session[] {
    return [...this.sessions.values()];
  }

  // ------------------------------------------------------------------ replication

  /**
   * Renews the read view for the purger, so it sees every thread's commits: a worker through its
   * link; the main thread (no link, and with worker threads no statements whose reads it could disturb) directly.
   */
  private freshLogReads(): void {
    if (this.cluster) this.cluster.freshReads();
    else this.storage.primary.refresh?.();
  }

  /** SHOW BINARY LOGS: what the change log keeps; 1381 with --log-bin=false. */
  binaryLogs(): LogSummary {
    if (this.changeLog === undefined) throw sqlError('NO_BINARY_LOGGING', 'You are not using binary logging');
    this.cluster?.freshReads();
    return this.storage.primary.read((r) => logSummary(r));
  }

  /** SHOW GLOBAL STATUS (and /metrics): what the log keeps, its purges, and the replicas' hold. */
  private logStatusRows(): [string, number][] {
    const s = this.binaryLogs();
    const hold = this.streamHolds.lowest();
    return [
      ['Binlog_kept_transactions', Number(s.transactions)],
      ['Binlog_kept_bytes', s.bytes ?? 0],
      ['Binlog_first_sequence', Number(s.first)],
      ['Binlog_last_sequence', Number(s.last)],
      ['Binlog_oldest_commit_age_seconds', s.oldestCommitMs === undefined ? 0 : Math.max(0, Math.floor((Date.now() - s.oldestCommitMs) / 1000))],
      ['Binlog_purged_transactions', s.stats?.purgedTransactions ?? 0],
      ['Binlog_purged_bytes', s.stats?.purgedBytes ?? 0],
      ['Binlog_last_purge_time', Math.floor((s.stats?.lastPurgeMs ?? 0) / 1000)],
      ['Binlog_replica_streams_holding', hold?.streams ?? 0],
      ['Binlog_replica_hold_sequence', Number(hold?.sequence ?? 0n)],
    ];
  }

  /** PURGE BINARY LOGS; 1381 with --log-bin=false. */
  purgeBinaryLogs(target: { toSequence: bigint } | { beforeMs: number }): PurgeOutcome {
    if (this.logRetention === undefined) throw sqlError('NO_BINARY_LOGGING', 'You are not using binary logging');
    return this.logRetention.purge(target);
  }

  /** Stored transactions from `from` on, at most `maxCount` and about `maxBytes` (at least one), in one read. */
  private logPage(from: bigint, maxCount: number, maxBytes: number): { sequence: bigint; bytes: Buffer }[] {
    return this.storage.primary.read((r) => {
      const out: { sequence: bigint; bytes: Buffer }[] = [];
      let bytes = 0;
      for (const e of readEncoded(r, from)) {
        out.push({ sequence: e.seq, bytes: e.bytes });
        bytes += e.bytes.length;
        if (out.length >= maxCount || bytes >= maxBytes) break;
      }
      return out;
    });
  }

  changeFeed(): ChangeFeed | undefined {
    if (this.changeLog === undefined) return undefined;
    const store = this.storage.primary;
    const signal = this.commitSignal;
    const holds = this.streamHolds;
    const fresh = () => {
      if (this.cluster) this.cluster.freshReads();
    };
    return {
      page: (from, maxCount, maxBytes) => {
        fresh();
        return this.logPage(from, maxCount, maxBytes);
      },
      lastSequence: () => {
        fresh();
        return store.read((r) => lastSequence(r));
      },
      firstSequence: () => {
        fresh();
        return store.read((r) => logSummary(r).first);
      },
      findOrigin: (origin) => {
        fresh();
        return store.read((r) => findOrigin(r, origin));
      },
      hold: (sequence) => holds.claim(sequence),
      get generation() {
        return signal.generation;
      },
      changedSince: (seen, timeoutMs) => signal.changedSince(seen, timeoutMs),
    };
  }

  replicaSource(): { scheme: string; host: string; port: number } | undefined {
    const url = this.sourceSettings?.current();
    return url && { scheme: 'mizzle', host: urlHost(url), port: Number(url.port || 4406) };
  }

  topology(): TopologySource | undefined {
    return this.shardTopology;
  }

  shardAdvertise(): string {
    return this.shardAddress;
  }

  /** Starts feeding every applier plugin from the change log (main thread only; they need --log-bin). */
  startAppliers(): void {
    const plugins = this.registry.ofKind('applier');
    if (plugins.length === 0) return;
    if (this.changeLog === undefined) throw new ConfigError(`${plugins[0].manifest.name} consumes the change log: drop --log-bin=false`);
    const host = this.applierFeedHost();
    for (const p of plugins) {
      const feed = new ApplierFeed(p.manifest.name, p.instance, host);
      feed.start();
      this.appliers.push(feed);
    }
  }

  /** Shutdown: each feed finishes the batch it is delivering (its position is stored), then stops. */
  async closeAppliers(): Promise<void> {
    for (const a of this.appliers) await a.close();
  }

  private applierFeedHost(): ApplierFeedHost {
    const store = this.storage.primary;
    const signal = this.commitSignal;
    return {
      log: this.log,
      page: (from, maxCount, maxBytes) => {
        this.freshLogReads();
        return this.logPage(from, maxCount, maxBytes);
      },
      bounds: () => {
        this.freshLogReads();
        return store.read((r) => {
          const s = logSummary(r);
          return { first: s.first, last: s.last };
        });
      },
      hold: (sequence) => this.streamHolds.claim(sequence),
      get generation() {
        return signal.generation;
      },
      changedSince: (seen, timeoutMs) => signal.changedSince(seen, timeoutMs),
      readPosition: (name) => store.read((r) => readApplierPosition(r, name)),
      writePosition: (name, sequence) => store.write((w) => writeApplierPosition(w, name, sequence)),
    };
  }

  /** The applier's session: counted nowhere, refused nothing (see admission). */
  openApplierSession(): Session {
    const session = new Session(this, this.nextConnectionId(), 'system user', 'localhost', null, undefined, true);
    this.sessions.set(session.id, session);
    return session;
  }

  appliedPosition(): AppliedPosition | undefined {
    return this.storage.primary.read((r) => readAppliedPosition(r));
  }

  newestOrigin(): OriginId | undefined {
    // With worker threads the clients' commits are theirs: the read must see them (a former primary's last writes are what fencing checks).
    this.freshApplierReads();
    return this.storage.primary.read((r) => newestOrigin(r));
  }

  recordAppliedPosition(origin: ReplicatedOrigin): void {
    this.storage.primary.write((w) => writeAppliedPosition(w, origin));
  }

  schemaExists(name: string): boolean {
    return this.storage.catalog.getSchema(name) !== undefined;
  }

  generatedColumns(schema: string, table: string): ReadonlySet<string> {
    const def = this.storage.catalog.getTable(schema, table);
    if (def === undefined) return NO_COLUMNS;
    let names = generatedNames.get(def);
    if (names === undefined) generatedNames.set(def, (names = new Set(def.columns.filter((c) => c.generated).map((c) => c.name))));
    return names;
  }

  /**
   * Before a write that paused reads the newest state again: this thread's cached read views are
   * dropped, and (worker threads) a lock granted later on a key another thread changed since is caught.
   */
  private readonly renewRowReads = (): void => {
    if (this.cluster) {
      this.cluster.freshReads();
      return;
    }
    this.sharedLocks?.markReads();
    for (const s of this.transactions.allStores()) s.refresh?.();
  };

  /** The applier's thread (the main one) has no cluster link: its read views and catalog are renewed here. */
  freshApplierReads(): void {
    // Marked first: a worker's commit to a key after this is caught when the applier locks the key.
    this.sharedLocks?.markReads();
    for (const s of this.transactions.allStores()) s.refresh?.();
    this.storage.catalog.refresh();
  }

  /** SHOW REPLICA STATUS: from the applier here, or (worker threads) from the main thread's report. */
  replicaStatus(): { columns: readonly ReplicaStatusColumn[]; row: Value[] | undefined } {
    const row = this.replica?.statusRow() ?? (this.sourceSettings?.current() ? this.peers.find((p) => p.replica)?.replica : undefined);
    return { columns: REPLICA_STATUS_COLUMNS, row };
  }

  /**
   * CHANGE REPLICATION FILTER: only while the applier is stopped (3017, as MySQL); the new filters
   * hold until the server restarts (then the options apply again), here or in the thread that runs the applier.
   */
  changeReplicationFilter(filters: readonly ReplicationFilterChange[]): void {
    if (!this.sourceSettings?.current()) throw replicaNotConfigured();
    if (this.applierRunning()) throw sqlError('REPLICA_SQL_THREAD_MUST_STOP', 'This operation cannot be performed with a running replica sql thread; run STOP REPLICA SQL_THREAD first');
    try {
      // Checked here, in the statement's thread: the thread that runs the applier applies them as they are.
      new ReplicateRules(withFilterChanges(this.replicateRules.lists, filters));
    } catch (e) {
      throw sqlError('WRONG_ARGUMENTS', `Incorrect arguments to CHANGE REPLICATION FILTER: ${(e as Error).message.replace(/^--/, '')}`);
    }
    if (this.applierFactory) this.applyReplicationFilter(filters);
    else this.cluster?.replicaFilter(filters);
  }

  /** In the thread that runs the applier: the filters change for the applier now and for any it makes after CHANGE REPLICATION SOURCE. */
  applyReplicationFilter(filters: readonly ReplicationFilterChange[]): void {
    this.replicateRules = new ReplicateRules(withFilterChanges(this.replicateRules.lists, filters));
    if (this.replica) this.replica.rules = this.replicateRules;
  }

  /** START / STOP REPLICA, CHANGE REPLICATION SOURCE TO, RESET REPLICA, PROMOTE: here, or sent to the thread that runs the applier. */
  replicaControl(stmt: Pick<ReplicaControlStmt, 'action' | 'options' | 'all'>): { code: number; message: string } | undefined {
    const action = stmt.action;
    if (action === 'change') changeSource(this, stmt.options ?? []);
    else if (action === 'reset') resetReplica(this, stmt.all === true);
    else if (action === 'promote') promote(this);
    if (action !== 'start' && action !== 'stop') return undefined;
    if (!this.sourceSettings?.current()) throw replicaNotConfigured();
    if (this.applierFactory) {
      this.syncApplier();
      if (this.replica) return action === 'start' ? this.replica.start() : this.replica.stop();
    }
    const running = this.applierRunning();
    this.cluster?.replicaControl(action);
    if (action === 'start' && running) return { code: 3083, message: "Replication thread(s) for channel '' are already runnning." };
    if (action === 'stop' && !running) return { code: 3084, message: "Replication thread(s) for channel '' are already stopped." };
    return undefined;
  }

  // The host of replica-commands.ts.
  get hasChangeLog(): boolean {
    return this.changeLog !== undefined;
  }

  applierRunning(): boolean {
    if (this.replica) return this.replica.running;
    const row = this.peers.find((p) => p.replica)?.replica;
    return row !== undefined && (row[SQL_RUNNING_COLUMN] === 'Yes' || row[IO_RUNNING_COLUMN] !== 'No');
  }

  clearAppliedPosition(): void {
    this.storage.primary.write((w) => clearAppliedPosition(w));
  }

  applierDuty(action: ApplierDuty): void {
    if (this.applierFactory) void this.runApplierDuty(action);
    else this.cluster?.replicaControl(action);
  }

  /** In the thread that runs the applier: brings it in line with the stored source, then does `action`. */
  runApplierDuty(action: ApplierDuty): Promise<void> | undefined {
    this.syncApplier();
    if (action === 'start') this.replica?.start();
    else if (action === 'stop') this.replica?.stop();
    else if (action === 'drain') return this.replica?.drain();
    return undefined;
  }

  /** Makes, re-points (while stopped) or ends the applier here to follow the stored source. */
  syncApplier(): void {
    const factory = this.applierFactory;
    if (factory === undefined) return;
    const url = this.sourceSettings?.current();
    if (url === undefined) {
      const gone = this.replica;
      this.replica = undefined;
      this.applierHref = undefined;
      void gone?.close();
      return;
    }
    if (this.replica === undefined) {
      this.replica = factory.replica(url);
      this.applierHref = url.href;
    } else if (this.applierHref !== url.href && !this.replica.running) {
      this.replica.changeSource(factory.source(url));
      this.applierHref = url.href;
    }
  }

  /** PROMOTE's first step: the applier applies what it received and stops (with worker threads, in the main thread: waited for here). */
  private async drainApplier(by: { user: string; host: string }): Promise<void> {
    if (!this.isConnectionAdmin(by.user, by.host)) throw replicaAdminDenied();
    promotable(this);
    if (this.applierFactory) {
      await this.runApplierDuty('drain');
      return;
    }
    const cluster = this.cluster;
    if (cluster === undefined) return;
    cluster.replicaControl('drain');
    const until = Date.now() + DRAIN_WAIT_MS;
    do {
      this.peers = await cluster.gather();
      if (!this.applierRunning()) break;
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    } while (Date.now() < until);
    this.refreshReads();
  }
}
