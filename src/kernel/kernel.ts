// The kernel: sessions, the authentication decision, statement environments, and server-wide state.
import { sqlError } from './errors.js';
import type { Logger } from './logger.js';
import type { AuthDecision, AuthRequest, KernelApi, KernelSession } from './plugin.js';
import type { PluginRegistry } from './registry.js';
import { Session } from './session.js';
import { StatusCounters } from './status-counters.js';
import { StorageTransactions } from './storage-env.js';
import { LockManager } from './transactions/lock-manager.js';
import { Transaction, type IsolationLevel } from './transactions/transaction.js';
import type { KvStore } from '../storage/kv.js';
import { GlobalVariables, findVariable } from './variables.js';
import type { StorageManager } from '../storage/storage-manager.js';
import type { EvalContext } from '../sql/executor/context.js';
import type { ServerInfo, StatementEnv } from '../sql/executor/statement-env.js';
import type { Value } from '../sql/types/value.js';

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
}

/** Connection ids wrap below 2^32 as MySQL's do. */
const CONNECTION_ID_MAX = 0xffffffff;

export class Kernel implements KernelApi {
  readonly serverVersion = `${MYSQL_COMPAT_VERSION}-mizzle-${MIZZLE_VERSION}`;
  readonly serverUuid: string;
  readonly storage: StorageManager;
  readonly globals: GlobalVariables;
  readonly log: Logger;
  readonly counters = new StatusCounters();
  readonly clock: () => Date;
  private readonly registry: PluginRegistry;
  private readonly transactions: StorageTransactions;
  private readonly sessions = new Map<number, Session>();
  /** Row locks of all transactions. */
  readonly locks = new LockManager();
  private readonly storeIds: Map<KvStore, number>;
  private lastConnectionId = 0;

  constructor(opts: KernelOptions) {
    this.storage = opts.storage;
    this.registry = opts.registry;
    this.log = opts.log;
    this.serverUuid = opts.serverUuid;
    this.clock = opts.clock ?? (() => new Date());
    this.globals = new GlobalVariables({
      ...opts.globals,
      version: this.serverVersion,
      server_uuid: opts.serverUuid,
      datadir: opts.datadir,
      default_storage_engine: opts.storage.defaultEngine,
      storage_engine: opts.storage.defaultEngine,
    });
    this.transactions = new StorageTransactions(opts.storage);
    this.storeIds = this.transactions.storeIds();
  }

  nextConnectionId(): number {
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

  openSession(info: { user: string; host: string; database: string | null; connectionId?: number }): KernelSession {
    const id = info.connectionId ?? this.nextConnectionId();
    if (info.database !== null && !this.storage.catalog.getSchema(info.database)) {
      throw sqlError('BAD_DB', `Unknown database '${info.database}'`);
    }
    const session = new Session(this, id, info.user, info.host, info.database);
    this.sessions.set(id, session);
    this.counters.connections++;
    this.counters.threadsConnected = this.sessions.size;
    return session;
  }

  sessionClosed(session: Session): void {
    if (this.sessions.get(session.id) === session) this.sessions.delete(session.id);
    this.counters.threadsConnected = this.sessions.size;
  }

  getGlobalVariable(name: string): string | number | null {
    return findVariable(name) ? this.globals.get(name) : null;
  }

  booleanVariable(name: string): boolean {
    return findVariable(name)?.type === 'bool';
  }

  statisticsLine(): string {
    return `Uptime: ${this.counters.uptimeSeconds()}  Threads: ${this.sessions.size}  Questions: ${this.counters.questions()}  Slow queries: 0  Opens: 0  Open tables: 0  Queries per second avg: 0.000`;
  }

  /** Starts a transaction for a session (explicit, or one autocommit statement). */
  newTransaction(opts: { explicit: boolean; readOnly: boolean; isolation: IsolationLevel; consistentSnapshot?: boolean }): Transaction {
    const t = new Transaction(this.locks, { ...opts, storeIds: this.storeIds });
    if (opts.consistentSnapshot) t.pinSnapshots(this.transactions.allStores());
    return t;
  }

  /** Builds the environment one statement of `session` runs in (inside `txn` when given). */
  statementEnv(session: Session, ctx: EvalContext, text: string, txn?: Transaction, lockReads?: 'S' | 'X'): StatementEnv {
    return {
      session,
      ctx,
      text,
      server: this.serverInfo,
      defaultEngine: () => String(session.variables.get('default_storage_engine')),
      engineExists: (name) => this.storage.resolveEngine(name) !== undefined,
      read: (fn) => (txn && lockReads ? this.transactions.readLocked(fn, txn, lockReads) : this.transactions.read(fn, txn)),
      write: (fn) => this.transactions.write(fn, txn),
    };
  }

  private readonly serverInfo: ServerInfo = {
    engines: () => this.storage.engineNames().map((n) => ({ name: n, persistent: this.storage.store(n).persistent, isDefault: n === this.storage.defaultEngine })),
    plugins: () => {
      const active = new Set(this.registry.activePlugins().map((a) => a.manifest.name));
      return this.registry.manifests().map((m) => ({ name: m.name, kind: m.kind, version: m.version, description: m.description, active: active.has(m.name) }));
    },
    processList: () => [...this.sessions.values()].map((s) => ({
      id: s.id, user: s.user, host: s.host, db: s.database, command: s.activity.command,
      time: Math.floor((Date.now() - s.activity.since) / 1000), state: s.activity.command === 'Query' ? 'executing' : '', info: s.activity.info,
    })),
    status: () => this.counters.rows([['Storage_bytes', this.storage.primary.sizeBytes()]]) as [string, Value][],
    killConnection: (id) => this.sessions.has(id),
  };

  /** Sessions still open, for shutdown. */
  openSessions(): Session[] {
    return [...this.sessions.values()];
  }
}
