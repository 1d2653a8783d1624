// What executing one statement needs from around it: the session, the clock, storage and the catalog.
import type { TableDef, SchemaDef, ViewDef } from '../../storage/table-def.js';
import type { Row, Value } from '../../base/value.js';
import type { EvalContext, SessionContext } from '../analyzer/eval-context.js';
import type { AccessPath } from '../planner/access-path.js';
import type { Pause } from './pause.js';
import type { ReplicaControlStmt } from '../parser/ast.js';

/** Reads of one table within the current statement's snapshot. */
export interface TableReader {
  readonly def: TableDef;
  /**
   * Rows along an access path (undefined: every row in primary-key order). With
   * `columns`, only the columns marked true are read; the others are NULL (for
   * statements that provably never look at them).
   */
  scan(path: AccessPath | undefined, columns?: readonly boolean[]): Iterable<Row>;
  /** Rows that would conflict with `row` on the primary key or a unique index. */
  findConflicts(row: Row): Row[];
  count(): number;
  /** The next AUTO_INCREMENT value the table would hand out, as this snapshot sees it. */
  peekAutoIncrement(): number | bigint;
}

/** Writes to one table within the current statement's write transaction. */
export interface TableWriter extends TableReader {
  insert(row: Row): void;
  update(oldRow: Row, newRow: Row): void;
  /** Deletes a row; false when it was already gone (a foreign key cascade of the same statement took it). */
  delete(row: Row): boolean;
  /** Locks a matched row without changing it (inside transactions; a no-op otherwise). */
  lockRow(row: Row): void;
  /**
   * Locks a row found by a scan (exclusively, inside transactions) and reads it again by its key,
   * as it is now that it is locked (InnoDB's current read): undefined when it is gone. A write that
   * pauses must change this version, never the one its scan saw before a pause.
   */
  lockCurrent(row: Row): Row | undefined;
  truncate(): void;
  /** Allocates `count` consecutive AUTO_INCREMENT values; returns the first. */
  nextAutoIncrement(count: number): number | bigint;
  /** An explicit value was inserted: move the counter past it. */
  observeAutoIncrement(value: number | bigint): void;
}

/** The catalog as statements see it. Mutations happen inside the statement's write transaction. */
export interface CatalogView {
  listSchemas(): SchemaDef[];
  getSchema(name: string): SchemaDef | undefined;
  listTables(schema: string): TableDef[];
  getTable(schema: string, name: string): TableDef | undefined;
  listViews(schema: string): ViewDef[];
  getView(schema: string, name: string): ViewDef | undefined;
}

export interface CatalogWriter extends CatalogView {
  createSchema(def: SchemaDef): void;
  /** Replaces a schema's character set and collation (ALTER DATABASE). */
  alterSchema(def: SchemaDef): void;
  dropSchema(name: string): void;
  /** Creates the table and returns its definition with ids assigned. */
  createTable(def: Omit<TableDef, 'id'>, autoIncrementStart?: number | bigint): TableDef;
  dropTable(schema: string, name: string): void;
  /** Replaces a table's definition (ALTER); `rebuild` rewrites existing rows with the mapper. */
  alterTable(def: TableDef, rebuild?: (row: Row) => Row): void;
  addIndex(table: TableDef, index: TableDef['indexes'][number]): TableDef;
  dropIndex(table: TableDef, name: string): TableDef;
  renameTable(schema: string, name: string, toSchema: string, toName: string): void;
  createView(def: ViewDef): void;
  dropView(schema: string, name: string): void;
}

/** Information about the plugins and engines, for SHOW ENGINES / SHOW PLUGINS. */
export interface ServerInfo {
  engines(): { name: string; persistent: boolean; isDefault: boolean }[];
  plugins(): { name: string; kind: string; version: string; description: string; active: boolean }[];
  processList(): { id: number; user: string; host: string; db: string | null; command: string; time: number; state: string; info: string | null }[];
  /** SHOW [GLOBAL | SESSION] STATUS rows: session scope shows this session's own values (Ssl_cipher ...) where it has them. */
  status(scope?: 'global' | 'session'): [string, Value][];
  /** A cheap, possibly stale row count of a table, for EXPLAIN's estimates (nothing is read for it per statement). */
  rowEstimate(def: TableDef): number;
  /** KILL [QUERY] id: 1094 for an unknown id, 1095 for another user's session without the right. */
  kill(id: number, queryOnly: boolean): void;
  /** Whether SHOW DATABASES lists `schema` to this session (authorization plugins decide; all without one). */
  canSeeSchema(schema: string): boolean;
  /** Whether SHOW TABLES lists `schema`.`table` to this session: it has some privilege on it. */
  canSeeTable(schema: string, table: string): boolean;
  /** SHOW REPLICA STATUS: its columns and, on a replica, its one row (undefined elsewhere: an empty result). */
  replicaStatus(): { columns: readonly ReplicaStatusColumn[]; row: Value[] | undefined };
  /**
   * START / STOP REPLICA: 1200 on a server that is no replica; a note (3083, 3084) when it already was so.
   * CHANGE REPLICATION SOURCE TO, RESET REPLICA [ALL], PROMOTE (see kernel/replication/replica-commands.ts).
   */
  replicaControl(stmt: Pick<ReplicaControlStmt, 'action' | 'options' | 'all'>): { code: number; message: string } | undefined;
  /** CHANGE REPLICATION FILTER: replaces the named filters; 1200 on no replica, 3017 while its applier runs, 1227 without the right. */
  changeReplicationFilter(filters: readonly { name: string; values: string[] }[]): void;
  /** FLUSH HOSTS: addresses blocked for failed logins may connect again (an administrator's statement). */
  flushHosts(): void;
  /** SHOW BINARY LOGS / MASTER STATUS: what the change log keeps; 1381 when there is none, 1227 without the right. */
  binaryLogs(): BinaryLogs;
  /** PURGE BINARY LOGS; `heldAt` when live replicas kept part of what was asked. */
  purgeBinaryLogs(target: { toSequence: bigint } | { beforeMs: number }): { heldAt: { sequence: bigint; streams: number } | undefined };
}

/** What the change log keeps: sequences (0n for an empty log), bytes (undefined until counted), the oldest commit (ms). */
export interface BinaryLogs {
  serverUuid: string;
  first: bigint;
  last: bigint;
  transactions: bigint;
  bytes: number | undefined;
  oldestCommitMs: number | undefined;
}

/** A column of SHOW REPLICA STATUS: its name and whether it holds numbers. */
export interface ReplicaStatusColumn {
  name: string;
  numeric: boolean;
}

/**
 * The environment of one statement. `read`/`write` run a function in a storage
 * transaction spanning every engine the statement touches.
 */
export interface StatementEnv {
  readonly session: SessionContext;
  readonly ctx: EvalContext;
  /** The statement's source text, for error messages and column names. */
  readonly text: string;
  readonly server: ServerInfo;
  defaultEngine(): string;
  engineExists(name: string): boolean;
  /** Whether every thread serving clients sees the same rows in this engine (not so for memory when worker threads serve). */
  engineShared(name: string): boolean;
  read<T>(fn: (tx: ReadTx) => T): T;
  /** `read` for a statement that pauses: the same snapshot rules, held across its pauses until it ends. */
  readSteps<T>(fn: (tx: ReadTx) => Generator<Pause, T>): Generator<Pause, T>;
  /** Throws 1317 or 3024 when the statement was killed or passed its deadline (work that cannot pause calls it). */
  checkpoint(): void;
  write<T>(fn: (tx: WriteTx) => T): T;
  /** `write` for a statement that pauses: reads of the newest state are renewed after each pause (see TableWriter.lockCurrent). */
  writeSteps<T>(fn: (tx: WriteTx) => Generator<Pause, T>): Generator<Pause, T>;
}

export interface ReadTx {
  catalog: CatalogView;
  table(def: TableDef): TableReader;
}

export interface WriteTx {
  catalog: CatalogWriter;
  table(def: TableDef): TableWriter;
}

export type { Value };
