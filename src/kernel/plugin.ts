// Plugin kinds, manifests and the interfaces each kind implements; the kernel knows kinds, never names.
import type { OriginId, OriginSearch } from '../storage/change-log/index.js';
import type { KvOpenOptions, KvStore } from '../storage/kv.js';
import type { LoggedMessage, Logger } from './logger.js';
import type { Row, Value } from '../base/value.js';
import type { SqlType } from '../base/sql-type.js';
import type { Diagnostic, SqlError } from '../base/errors.js';
import type { Statement } from '../sql/parser/ast.js';
import type { PlanSummary } from '../sql/planner/plan-summary.js';
import type { ResultColumn, RowSink, StatementResult, TableName } from '../base/result.js';
import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { Listener } from './cluster.js';
import type { SharedGauge } from './gauges.js';
import type { SharedMap } from './shared-maps.js';
import type { StreamHold } from './replication/stream-holds.js';
import type { TopologySource } from '../sharding/topology-source.js';
import type { Transaction as ChangeLogTransaction } from '../storage/change-log/gen/mizzle/replication/v1/change_log_pb.js';

export type { Listener } from './cluster.js';
export type { SharedGauge } from './gauges.js';
export type { SharedMap } from './shared-maps.js';

/**
 * The kinds of plugin the kernel knows. `logging` covers both query logs and the
 * error log (a plugin implements either hook or both); `monitoring` is a side
 * listener such as the ops HTTP endpoint; `applier` consumes the change log (change-data capture).
 */
export type PluginKind = 'protocol' | 'authentication' | 'authorization' | 'filter' | 'logging' | 'monitoring' | 'storage' | 'applier';

export type OptionValue = string | number | boolean;

/** One option a plugin (or the kernel) declares: shown by --help, settable by flag, env and config file. */
export interface OptionSpec {
  name: string;
  type: 'string' | 'number' | 'boolean';
  default: OptionValue;
  description: string;
  /**
   * A top-level flag that also sets this option (`--port` for the MySQL protocol's
   * port), so the kernel can offer short flags without knowing plugin names.
   */
  alias?: string;
  /** A password or token: shown masked in SHOW VARIABLES. */
  secret?: boolean;
  /**
   * Only the environment may set it (`MIZZLE_<PLUGIN>__<OPTION>`): a key that must not sit in
   * mizzle.cnf or show in the process list. A file or a flag giving it is a startup error.
   */
  envOnly?: boolean;
}

/** What every plugin declares about itself. */
export interface PluginManifest {
  name: string;
  kind: PluginKind;
  version: string;
  description: string;
  /** Loaded when the operator says nothing about it. */
  defaultEnabled: boolean;
  options: readonly OptionSpec[];
  /**
   * With worker threads, the plugin runs in the main thread only (one writer for one file):
   * every worker's statement and audit events reach its hooks there, relayed in batches.
   * Monitoring plugins always do.
   */
  mainThread?: boolean;
}

/** Resolved option values of one plugin, by option name. */
export type PluginOptions = Readonly<Record<string, OptionValue>>;

/** Passed to a plugin's init: its options and the kernel services it may use. */
export interface PluginContext {
  options: PluginOptions;
  datadir: string;
  log: Logger;
  kernel: KernelApi;
}

// ------------------------------------------------------------------ per-kind interfaces

/** A storage engine: opens an ordered transactional KV store in its own directory. */
export interface StorageEngine extends PluginLifecycle {
  /** Whether rows survive a restart (lmdb) or not (memory). */
  readonly persistent: boolean;
  open(options: KvOpenOptions): Promise<KvStore>;
  /**
   * Optional capability: copies the engine's directory `options.dir` into `destDir` as one
   * consistent, compacted snapshot, while a server may be running on it (online backup).
   */
  backup?(options: KvOpenOptions, destDir: string): Promise<void>;
}

/** A listener speaking one wire protocol; started after storage is open, stopped on shutdown. */
export interface ProtocolServer extends PluginLifecycle {
  start(): Promise<void>;
  /** Stops accepting, closes sessions politely, resolves when every socket is closed. */
  stop(): Promise<void>;
  /** Human-readable address for the startup log, e.g. "mysql 127.0.0.1:3306". */
  describe(): string;
  /**
   * Optional: named counters of the protocol (requests, errors, bytes ...), shown by SHOW STATUS;
   * with worker threads each thread counts its own and the server shows the sums.
   */
  statusCounters?(): readonly [string, number][];
}

/**
 * What an authentication plugin sees of a login attempt. Protocols compute what
 * their wire method needs from the stored credential the plugin hands back.
 */
export interface AuthRequest {
  user: string;
  /** The client's address (IP), for host-based rules. */
  host: string;
  /** True when the client connects over loopback or a local socket. */
  loopback: boolean;
  /** How the client connected: every protocol fills it, so a plugin can require TLS or a client certificate. */
  transport: TransportInfo;
}

/** Whether the connection is TLS, and the client certificate it showed, only when that verified against the server's CA (ssl_ca). */
export interface TransportInfo {
  tls: boolean;
  peerCertificate?: PeerCertificate;
}

/** A verified client certificate's names, written as MySQL writes them: '/C=SE/ST=Stockholm/O=Example/CN=client'. */
export interface PeerCertificate {
  subject: string;
  issuer: string;
}

/**
 * The outcome of looking a user up: `allow` (no password checked, as auth-none
 * does), `deny` with a reason, or `verify` with what the protocol needs to check
 * the client's scrambled password itself.
 */
export type AuthDecision =
  | { kind: 'allow' }
  | { kind: 'deny'; reason: string }
  | { kind: 'verify'; credential: StoredCredential }
  /**
   * The plugin must see the password itself (LDAP bind, HTTP Basic): the protocol
   * asks for it with mysql_clear_password, only over TLS or from loopback, and
   * `check` decides. A rejected promise is a denial (fail closed).
   */
  | { kind: 'verify-cleartext'; check(password: string): Promise<boolean> };

/**
 * A stored password hash. `nativeStage2` is SHA1(SHA1(password)) (MySQL's
 * mysql_native_password hash, without the leading '*'); `sha256Stage2` is
 * SHA256(SHA256(password)) for caching_sha2_password's fast path;
 * `verifyClearText` checks a clear-text password against a salted hash. `id` names the stored
 * hash the same way on every thread and changes with it (the hash text itself): a cache shared
 * by the threads keys by it.
 */
export interface StoredCredential {
  nativeStage2?: Buffer;
  sha256Stage2?: Buffer;
  verifyClearText?(password: string): boolean;
  readonly id?: string;
}

export interface Authenticator extends PluginLifecycle {
  authenticate(req: AuthRequest): Promise<AuthDecision>;
}

/** Hooks any plugin instance may offer, whatever its kind. */
export interface PluginLifecycle {
  /** SIGHUP: re-read files, reopen logs. Errors are logged; the old state stays in force. */
  reload?(): void | Promise<void>;
  /** Shutdown, after the listeners stopped and before storage closes. */
  close?(): void | Promise<void>;
}

// ------------------------------------------------------------------ authorization

/** What a user wants to touch. `process` covers other sessions (SHOW PROCESSLIST, KILL). */
export type AccessObject = 'schema' | 'table' | 'process';

/**
 * One access check. `action` is the MySQL privilege name the statement needs:
 * SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, CREATE VIEW, USAGE
 * (for USE and schema visibility), PROCESS (to see or kill others' sessions).
 */
export interface AccessRequest {
  user: string;
  host: string;
  object: AccessObject;
  /** The schema for `schema` and `table`; for `process`, the other session's user ('*': every user's, see isConnectionAdmin). */
  name: string;
  /** The table, for `table`. */
  table?: string;
  action: string;
}

/** Decides synchronously (it runs per statement); slow sources must cache. */
export interface Authorizer extends PluginLifecycle {
  authorize(req: AccessRequest): boolean;
}

// ------------------------------------------------------------------ query filters

/** What a query filter sees of a statement before it runs. */
export interface FilterRequest {
  readonly sessionId: number;
  readonly user: string;
  readonly host: string;
  readonly schema: string | null;
  readonly text: string;
  /** The statement kind: the parser's statement type (select, insert, update, delete, createTable, ...). */
  readonly kind: string;
  /** The parsed statement (read only). */
  readonly statement: Statement;
  /** Tables the statement names, with the schema resolved. */
  tables(): readonly TableName[];
  /** The text with literals replaced by `?` and whitespace and case normalized. */
  digest(): string;
  /** The planner's view of a SELECT/UPDATE/DELETE (computed on first call), else undefined. */
  plan(): PlanSummary | undefined;
}

/**
 * A filter's answer: undefined lets the statement run as is; `deny` refuses it
 * (the error goes to the client, the statement never runs); `admit` lets it run
 * with a deadline, and/or a `done` callback the kernel calls when it ends, with
 * its error code or 0 (for concurrency limits and timeout counters), and/or a
 * `note` (a rule that warned, or would have denied in a dry run) that the
 * statement event carries to query logs.
 */
export type FilterVerdict =
  | { kind: 'deny'; error: SqlError }
  | { kind: 'admit'; deadlineMs?: number; done?: (errorCode: number) => void; note?: string };

export interface QueryFilter extends PluginLifecycle {
  check(req: FilterRequest): FilterVerdict | undefined;
  /**
   * Named counters this filter keeps (blocked, warned ...), shown by SHOW STATUS and /metrics;
   * with worker threads each thread counts its own and the server shows the sums.
   */
  counters?(): readonly [string, number][];
  /** Numbers that describe the filter rather than count (rules loaded): the same on every thread, never summed. */
  settings?(): readonly [string, number][];
}

// ------------------------------------------------------------------ logging and monitoring

/** One finished statement (or one refused by a filter or by authorization), as logs and metrics see it. */
export interface StatementEvent {
  /** When it started. */
  time: Date;
  sessionId: number;
  user: string;
  host: string;
  schema: string | null;
  text: string;
  /** The parser's statement type, or 'unknown' when it did not parse. */
  kind: string;
  durationMs: number;
  rowsSent: number;
  rowsExamined: number;
  rowsAffected: number;
  /** 0 on success. */
  errorCode: number;
  errorMessage?: string;
  /** The plugin that refused it, or whose deadline stopped it (3024), if any. */
  blockedBy?: string;
  /** Notes filters attached while letting it run (warnings, dry-run denials), each with the plugin's name. */
  filterNotes?: readonly { by: string; note: string }[];
  /** Computed on demand: the statement's digest. */
  digest(): string;
}

/** A server message (startup, shutdown, errors) as the error log sees it. */
export type ServerMessage = LoggedMessage;

/**
 * A session's life as an audit trail sees it, from every protocol: a login that opened a
 * session, its end, and a login refused (wrong password, unknown user, too many connections).
 * Plain data, so it crosses from worker threads to the main thread as is.
 */
export type AuditEvent =
  | { event: 'connect'; time: Date; connectionId: number; user: string; host: string; protocol: string; tls: boolean }
  | { event: 'disconnect'; time: Date; connectionId: number; user: string; host: string; protocol: string }
  | { event: 'failed-login'; time: Date; user: string; host: string; protocol: string; errorCode: number; reason: string };

/** What a protocol says of a refused login, for the audit trail. */
export interface LoginAttempt {
  user: string;
  /** The protocol's name (mysql, http, native). */
  protocol: string;
  reason: string;
  /** 1045 unless said otherwise. */
  errorCode?: number;
}

/** A logging plugin implements any of the hooks. None may throw or block. */
export interface LogSink extends PluginLifecycle {
  statement?(e: StatementEvent): void;
  message?(m: ServerMessage): void;
  /** Connects, disconnects and refused logins (statements come through `statement`). */
  audit?(e: AuditEvent): void;
}

/** A side listener (ops HTTP endpoint); it may also observe statements. */
export interface MonitorServer extends PluginLifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
  describe(): string;
  statement?(e: StatementEvent): void;
}

// ------------------------------------------------------------------ change-data capture

/** One committed transaction as an applier plugin gets it. */
export interface CommittedTransaction {
  /** Its sequence in this server's change log: what the kernel stores once the plugin acknowledged it. */
  readonly sequence: bigint;
  /** Its commit id, `server_uuid:sequence`. */
  readonly id: string;
  /** The decoded message (mizzle.replication.v1.Transaction). */
  readonly transaction: ChangeLogTransaction;
  /** The transaction as one line of JSON (no newline), as `mizzle log read --format json` prints it. */
  json(): string;
}

/**
 * A consumer of the change log (change-data capture). The kernel reads this server's log from
 * the position it stored for the plugin (by name), hands it consecutive transactions in commit
 * order, and stores the position of a batch only after `apply` resolved: delivery is at least
 * once, without gaps, across restarts and kill -9. Runs in one thread (the main one).
 */
export interface ChangeApplier extends PluginLifecycle {
  /**
   * Makes a batch durable where the plugin sends it. A rejection is logged and counted, and the
   * same transactions (perhaps with more after them) come again after a pause.
   */
  apply(batch: readonly CommittedTransaction[]): Promise<void>;
}

/** What a plugin's init returns, by kind. */
export interface PluginInstanceByKind {
  protocol: ProtocolServer;
  authentication: Authenticator;
  authorization: Authorizer;
  filter: QueryFilter;
  logging: LogSink;
  monitoring: MonitorServer;
  storage: StorageEngine;
  applier: ChangeApplier;
}

/** A plugin: a manifest plus an init that builds the instance for its kind. */
export interface Plugin<K extends PluginKind = PluginKind> {
  manifest: PluginManifest & { kind: K };
  init(ctx: PluginContext): PluginInstanceByKind[K] | Promise<PluginInstanceByKind[K]>;
}

// ------------------------------------------------------------------ the kernel, as plugins see it

/** Session state the protocol reports back in every OK/EOF packet. */
export interface SessionStatus {
  inTransaction: boolean;
  autocommit: boolean;
  warningCount: number;
  /** True when the last statement changed the default database (for SESSION_TRACK, later). */
  noIndexUsed?: boolean;
}

/** A statement prepared at the protocol level (COM_STMT_PREPARE). */
export interface PreparedStatementInfo {
  id: number;
  paramCount: number;
  /** Result columns when the statement returns rows (computed with all parameters NULL), else empty. */
  columns: ResultColumn[];
}

/** A client session as a protocol plugin drives it. */
export interface KernelSession {
  readonly id: number;
  readonly user: string;
  database: string | null;
  /**
   * Runs one or more statements (separated by ';' when `multi` is true; otherwise
   * more than one statement is a 1064 error) and calls `onResult` for each, in
   * order. A failing statement throws a SqlError after the earlier results were
   * delivered; later statements do not run. With a `sink`, a query that can stream hands its
   * rows to it while it runs and answers kind 'streamed' (a failure may then come after rows).
   */
  execute(sql: string, multi: boolean, onResult: (result: StatementResult, more: boolean) => void, sink?: RowSink): Promise<void>;
  /**
   * COM_STMT_PREPARE: parses one statement with `?` placeholders. Throws 1064 for
   * syntax errors and 1461 when the session holds max_prepared_stmt_count statements.
   */
  prepare(sql: string): PreparedStatementInfo;
  /**
   * COM_STMT_EXECUTE with decoded parameter values (one per placeholder). Rejects with 1243
   * for an unknown id, 1210 for a wrong count. Asynchronous because a statement may wait for row locks.
   */
  executePrepared(id: number, params: readonly Value[], sink?: RowSink): Promise<StatementResult>;
  /** COM_STMT_CLOSE; unknown ids are ignored, as MySQL does. */
  closePrepared(id: number): void;
  /** COM_INIT_DB. Throws 1049 for an unknown database. */
  useDatabase(name: string): void;
  /** COM_FIELD_LIST: the columns of a table. */
  listFields(table: string, wildcard?: string): ResultColumn[];
  /** COM_STATISTICS text. */
  statistics(): string;
  /** COM_RESET_CONNECTION: drop session state as a new connection would have it. */
  reset(): void;
  status(): SessionStatus;
  diagnostics(): readonly Diagnostic[];
  /** wait_timeout as this session sees it (seconds; the protocol disconnects a client idle that long). */
  waitTimeoutSeconds(): number;
  /** net_write_timeout (seconds): a client that reads none of its pending output for that long is disconnected. */
  netWriteTimeoutSeconds(): number;
  /** net_read_timeout (seconds): a client that stops sending in the middle of a packet for that long is disconnected. */
  netReadTimeoutSeconds(): number;
  /** Releases everything the session holds (open transaction rolled back). */
  close(): void;
}

/** What the kernel offers plugins. */
export interface KernelApi {
  /** Version string reported to clients, e.g. "8.0.36-mizzle-0.1.0". */
  readonly serverVersion: string;
  readonly serverUuid: string;
  /** Checks a login against the active authentication plugin. */
  authenticate(req: AuthRequest): Promise<AuthDecision>;
  /**
   * A protocol's listening socket on `host:port` (port 0: any free one): every accepted
   * client comes to `onConnection`. With worker threads the socket is shared and each
   * worker gets its part of the clients; a plugin never listens on its own.
   */
  listen(spec: { host: string; port: number }, onConnection: (socket: Socket) => void): Promise<Listener>;
  /**
   * A number every thread serving clients shares, by name (a concurrency limit's running
   * count): with worker threads, a limit holds for the server, not per thread.
   */
  gauge(name: string): SharedGauge;
  /**
   * A bounded map of byte strings every thread serving clients shares, by name (a plugin's
   * cache): with worker threads it is kept in the main thread, and what a thread stored, once
   * `set` resolved, every thread finds. Optional: a plugin without it keeps a map of its own.
   */
  sharedMap?(name: string, maxEntries: number): SharedMap;
  /**
   * Resolves once globalStatus() and processList() include every thread's latest numbers
   * (with worker threads they come from the workers; alone, at once).
   */
  statusFresh(): Promise<void>;
  /**
   * The server certificate as a TLS context (kept current across SIGHUP reloads), or null
   * when TLS is off. Optional so that test kernels without TLS need not offer it.
   */
  tlsContext?(): SecureContext | null;
  /**
   * Whether `user` may take the connection kept beyond max_connections for an administrator
   * (MySQL's SUPER / CONNECTION_ADMIN): one who may see and kill every user's sessions
   * (PROCESS on `process` '*'); with no authorization plugin, root.
   */
  isConnectionAdmin(user: string, host: string): boolean;
  /** Opens a session after authentication succeeded. Throws 1049 if `database` does not exist. */
  openSession(info: SessionOpenInfo): KernelSession;
  /** Allocates the next connection id (shown by CONNECTION_ID()). */
  nextConnectionId(): number;
  /** Resolves a system variable by name for handshake-time needs (max_allowed_packet, ...). */
  getGlobalVariable(name: string): string | number | null;
  /** Bytes a protocol read from and wrote to clients (Bytes_received / Bytes_sent). */
  recordTraffic(received: number, sent: number): void;
  /** A connection attempt that failed before a session opened (Aborted_connects). */
  recordAbortedConnect(): void;
  /**
   * Login throttling by client address, for every protocol: the error to answer a new
   * connection from `address` with instead of a handshake (1129 once it has failed
   * max_connect_errors logins in a row), or undefined.
   */
  hostRefusal(address: string): SqlError | undefined;
  /** A login from `address` was refused (wrong password, unknown user); `attempt` tells the audit trail who and why. */
  loginFailed(address: string, attempt?: LoginAttempt): void;
  /** A login from `address` succeeded: its count of failures starts again. */
  loginSucceeded(address: string): void;
  /** SHOW GLOBAL STATUS rows, including filter counters and storage size. */
  globalStatus(): [string, string | number][];
  /** Every open session, as SHOW PROCESSLIST shows it. */
  processList(): ProcessInfo[];
  /** Whether storage answers (a read of the catalog succeeds): for readiness probes. */
  storageHealthy(): boolean;
  /** True once every plugin started (the protocol listeners accept clients) and until shutdown begins. */
  accepting(): boolean;
  /** The server's change log for the protocol that streams it to replicas; undefined when --log-bin is off. */
  changeFeed?(): ChangeFeed | undefined;
  /** Where this replica's source is (`--replica-of`), for a protocol that sends writes there; undefined on a primary. */
  replicaSource?(): { scheme: string; host: string; port: number } | undefined;
  /** The sharding topology this server serves in (`--topology`); undefined outside a sharded keyspace. */
  topology?(): TopologySource | undefined;
  /** `--shard-advertise`: this server's native address as the topology names it; '' lets the native protocol use its own bind:port. */
  shardAdvertise?(): string;
}

/**
 * The committed transactions, in order, as the change log stores them (encoded
 * mizzle.replication.v1.Transaction messages), and a way to wait for more without polling.
 */
export type { StreamHold };

export interface ChangeFeed {
  /** Transactions from sequence `from` on, at most `maxCount` and about `maxBytes` (at least one), read from the latest commit. */
  page(from: bigint, maxCount: number, maxBytes: number): { sequence: bigint; bytes: Buffer }[];
  /** The newest committed sequence (0n: none). */
  lastSequence(): bigint;
  /** The oldest sequence still kept (0n: none); what is older was purged. */
  firstSequence(): bigint;
  /** Where the transaction first committed as `origin` is in this log (a replica re-pointed here continues after it). */
  findOrigin(origin: OriginId): OriginSearch;
  /** Keeps the log from `sequence` on from being purged while the stream lives (undefined: every slot is taken). */
  hold(sequence: bigint): StreamHold | undefined;
  /** Read before `page`; then `changedSince` resolves as soon as any thread commits more. */
  readonly generation: number;
  /** True when a commit happened since `seen`, false when `timeoutMs` passed first. */
  changedSince(seen: number, timeoutMs: number): Promise<boolean>;
}

/** What a protocol passes when a login succeeded. */
export interface SessionOpenInfo {
  user: string;
  host: string;
  database: string | null;
  connectionId?: number;
  /** The client set CLIENT_FOUND_ROWS: UPDATE reports the rows it matched, not only those it changed, as affected. */
  foundRows?: boolean;
  /** The client said it is interactive (MySQL's CLIENT_INTERACTIVE): its session's wait_timeout starts from interactive_timeout. */
  interactive?: boolean;
  /** Closes the client's connection (KILL CONNECTION, wait_timeout); the protocol then calls session.close(). */
  disconnect?: () => void;
  /** The TLS session the client is on (Ssl_cipher, Ssl_version in SHOW STATUS); absent on a clear connection. */
  tls?: { cipher: string; version: string };
  /** A protocol's statement time limit: the session's max_execution_time starts at most this (ms), as if the client had set it. */
  maxExecutionTimeMs?: number;
  /**
   * The collation the client named in its handshake: the session's character_set_client,
   * _connection, _results and collation_connection start from it, as in MySQL (the variables
   * only: text on the wire is utf8mb4 whatever they say).
   */
  collation?: string;
  /** The protocol's name (mysql, http, native), for the audit trail; 'embedded' when absent. */
  protocol?: string;
}

/** One row of SHOW PROCESSLIST. */
export interface ProcessInfo {
  id: number;
  user: string;
  host: string;
  db: string | null;
  command: string;
  time: number;
  state: string;
  info: string | null;
}
