// Plugin kinds, manifests and the interfaces each kind implements; the kernel knows kinds, never names.
import type { KvOpenOptions, KvStore } from '../storage/kv.js';
import type { Logger } from './logger.js';
import type { Row, Value } from '../sql/types/value.js';
import type { SqlType } from '../sql/types/sql-type.js';
import type { Diagnostic } from './errors.js';

/** The kinds of plugin the kernel knows. More kinds come with later work (authorization, query filter, logging, replication). */
export type PluginKind = 'protocol' | 'authentication' | 'storage';

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
export interface StorageEngine {
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
export interface ProtocolServer {
  start(): Promise<void>;
  /** Stops accepting, closes sessions politely, resolves when every socket is closed. */
  stop(): Promise<void>;
  /** Human-readable address for the startup log, e.g. "mysql 127.0.0.1:3306". */
  describe(): string;
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
}

/**
 * The outcome of looking a user up: `allow` (no password checked, as auth-none
 * does), `deny` with a reason, or `verify` with what the protocol needs to check
 * the client's scrambled password itself.
 */
export type AuthDecision =
  | { kind: 'allow' }
  | { kind: 'deny'; reason: string }
  | { kind: 'verify'; credential: StoredCredential };

/**
 * A stored password hash. `nativeStage2` is SHA1(SHA1(password)) (MySQL's
 * mysql_native_password hash, without the leading '*'); `sha256Stage2` is
 * SHA256(SHA256(password)) for caching_sha2_password's fast path;
 * `verifyClearText` checks a clear-text password against a salted hash.
 */
export interface StoredCredential {
  nativeStage2?: Buffer;
  sha256Stage2?: Buffer;
  verifyClearText?(password: string): boolean;
}

export interface Authenticator {
  authenticate(req: AuthRequest): Promise<AuthDecision>;
}

/** What a plugin's init returns, by kind. */
export interface PluginInstanceByKind {
  protocol: ProtocolServer;
  authentication: Authenticator;
  storage: StorageEngine;
}

/** A plugin: a manifest plus an init that builds the instance for its kind. */
export interface Plugin<K extends PluginKind = PluginKind> {
  manifest: PluginManifest & { kind: K };
  init(ctx: PluginContext): PluginInstanceByKind[K] | Promise<PluginInstanceByKind[K]>;
}

// ------------------------------------------------------------------ the kernel, as plugins see it

/** Column metadata of a result set, with everything the wire protocols need. */
export interface ResultColumn {
  name: string;
  orgName: string;
  table: string;
  orgTable: string;
  schema: string;
  type: SqlType;
  /** Whether the column may hold NULL. */
  nullable: boolean;
  /** Primary key / unique key / part of key / auto increment flags. */
  primaryKey?: boolean;
  uniqueKey?: boolean;
  multipleKey?: boolean;
  autoIncrement?: boolean;
}

/** The result of one statement. */
export type StatementResult =
  | {
      kind: 'ok';
      affectedRows: number;
      insertId: number | bigint;
      /** Text MySQL puts in the OK packet's info, e.g. "Records: 3  Duplicates: 0  Warnings: 0". */
      info?: string;
    }
  | { kind: 'rows'; columns: ResultColumn[]; rows: Row[] };

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
   * delivered; later statements do not run.
   */
  execute(sql: string, multi: boolean, onResult: (result: StatementResult, more: boolean) => void): Promise<void>;
  /**
   * COM_STMT_PREPARE: parses one statement with `?` placeholders. Throws 1064 for
   * syntax errors and 1461 when the session holds max_prepared_stmt_count statements.
   */
  prepare(sql: string): PreparedStatementInfo;
  /**
   * COM_STMT_EXECUTE with decoded parameter values (one per placeholder). Rejects with 1243
   * for an unknown id, 1210 for a wrong count. Asynchronous because a statement may wait for row locks.
   */
  executePrepared(id: number, params: readonly Value[]): Promise<StatementResult>;
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
  /** Opens a session after authentication succeeded. Throws 1049 if `database` does not exist. */
  openSession(info: { user: string; host: string; database: string | null; connectionId?: number }): KernelSession;
  /** Allocates the next connection id (shown by CONNECTION_ID()). */
  nextConnectionId(): number;
  /** Resolves a system variable by name for handshake-time needs (max_allowed_packet, ...). */
  getGlobalVariable(name: string): string | number | null;
}
