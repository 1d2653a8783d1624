// The shards' primaries as the router reaches them: the keyspace as the topology last said, backend sessions opened through the client library, and the wait while a shard is frozen.
import { SqlError, sqlError } from '../base/errors.js';
import { quoteIdentifier } from '../base/identifier.js';
import { MizzleError, TRANSPORTS, type QueryResult, type TransportSession } from '../client/index.js';
import { NativeTransport, RedirectedError, nativeEndpoint } from '../client/native/transport.js';
import { shardKeyBytes, type ShardKeyValue } from '../sharding/shard-key.js';
import type { ResolvedKeyspace, RoutedShard, ServerAddress } from '../sharding/topology.js';
import type { TopologySource } from '../sharding/topology-source.js';
import { TopologyView } from '../sharding/topology-view.js';

/** How long a write waits for a frozen shard (a move cutting over) before it is refused with 1205. */
export const FROZEN_WAIT_MS = 5_000;

export interface BackendSettings {
  keyspace: string;
  /** 'native': mizzle:// to each primary's native port; 'mysql': mysql:// to its mysqlPort. */
  protocol: 'native' | 'mysql';
  user: string;
  password: string;
}

/** The backend URL of a shard's primary. */
export function backendUrl(s: BackendSettings, a: ServerAddress): URL {
  const user = encodeURIComponent(s.user);
  const password = s.password === '' ? '' : `:${encodeURIComponent(s.password)}`;
  if (s.protocol === 'mysql') {
    if (a.mysqlPort === undefined) throw sqlError('NOT_SUPPORTED_YET', `the topology gives no mysqlPort for ${a.host}:${a.port}, and the router was told to use mysql:// backends`);
    return new URL(`mysql://${user}${password}@${a.host}:${a.mysqlPort}/?ssl-mode=disabled`);
  }
  return new URL(`mizzle://${user}${password}@${a.host}:${a.port}/`);
}

export function addressKey(a: ServerAddress): string {
  return `${a.host.toLowerCase()}:${a.port}`;
}

/** A backend's error as the MySQL client should see it: the server's own code, or 2013-style connection trouble. */
export function backendError(e: unknown, shard: string): SqlError | RedirectedError {
  // A REDIRECT is the session's to follow (or refuse inside a transaction): nothing ran.
  if (e instanceof SqlError || e instanceof RedirectedError) return e;
  if (e instanceof MizzleError) {
    if (e.kind === 'server') return new SqlError(e.code, e.sqlstate, e.message);
    return new SqlError(2013, 'HY000', `shard ${shard}: ${e.message}`);
  }
  return new SqlError(2013, 'HY000', `shard ${shard}: ${e instanceof Error ? e.message : String(e)}`);
}

/** Makes the keyspace's database the backend session's default; before CREATE DATABASE made it, the session goes on without one. */
export async function useKeyspace(session: TransportSession, keyspace: string): Promise<void> {
  try {
    await session.run({ sql: `USE ${quoteIdentifier(keyspace)}`, prepared: false });
  } catch (e) {
    if (!(e instanceof MizzleError && e.code === 1049)) throw e;
  }
}

/** The router's keyspace as the topology says, resolved once per change (a TopologyView of the one keyspace). */
export class KeyspaceView {
  private readonly view: TopologyView<ResolvedKeyspace>;
  /** The last resolution seen: a topology without the keyspace keeps it, so routing goes on, as when the store is down. */
  private last: ResolvedKeyspace | undefined;

  constructor(private readonly source: TopologySource, readonly keyspace: string) {
    this.view = new TopologyView(source, (ks) => ks);
  }

  current(): ResolvedKeyspace {
    this.last = this.view.keyspace(this.keyspace) ?? this.last;
    if (this.last === undefined) throw sqlError('BAD_DB', `Unknown database '${this.keyspace}' (the topology ${this.source.description} has no keyspace of that name)`);
    return this.last;
  }

  /** Counts topology changes: read it before looking, then changed() only waits when nothing changed since. */
  get generation(): number {
    return this.view.generation;
  }

  /** Resolves at the next topology change (or at once if there was one after `generation`) or after `ms`, whichever comes first. */
  async changed(ms: number, generation = this.view.generation): Promise<void> {
    await this.view.changeAfter(generation, ms);
  }

  close(): void {
    this.view.close();
  }
}

/** One router session's connections to the shards' primaries, opened when first needed. */
export class ShardSessions {
  private readonly open = new Map<string, { address: string; session: TransportSession }>();
  /** Session settings (SET ...) replayed on every backend session opened later. */
  private readonly settings: string[] = [];
  static readonly SETTINGS_MAX = 64;

  constructor(private readonly settingsOf: BackendSettings) {}

  /** The session to `shard`'s current primary; one to a primary the topology no longer names is replaced (unless `keep`). */
  async sessionFor(shard: RoutedShard, keep: boolean): Promise<TransportSession> {
    const address = addressKey(shard.primary);
    const had = this.open.get(shard.name);
    if (had !== undefined && had.address === address && had.session.usable) return had.session;
    if (had !== undefined) {
      if (keep) {
        const why = had.address === address ? 'the connection to its primary was lost' : `its primary moved to ${address}`;
        throw new SqlError(1180, 'HY000', `shard ${shard.name}: ${why} during the transaction, which is lost; roll back and run it again`);
      }
      this.open.delete(shard.name);
      void had.session.close().catch(() => undefined);
    }
    // Native sessions report REDIRECTs instead of following them: the router decides where a statement goes next.
    const url = backendUrl(this.settingsOf, shard.primary);
    const transport = this.settingsOf.protocol === 'mysql' ? TRANSPORTS['mysql:'](url) : new NativeTransport(nativeEndpoint(url), true);
    let session: TransportSession;
    try {
      session = await transport.open();
      session.pin?.();
      await useKeyspace(session, this.settingsOf.keyspace);
      for (const s of this.settings) await session.run({ sql: s, prepared: false });
    } catch (e) {
      throw backendError(e, shard.name);
    }
    this.open.set(shard.name, { address, session });
    return session;
  }

  /** Runs `sql` on the shard's primary; `key` (one the statement is pinned to) travels in the native frame header for the server to check. */
  async run(shard: RoutedShard, sql: string, keep = false, key?: ShardKeyValue): Promise<QueryResult> {
    const session = await this.sessionFor(shard, keep);
    try {
      return await session.run({ sql, prepared: false, shardKey: key === undefined ? undefined : shardKeyBytes(key) });
    } catch (e) {
      throw backendError(e, shard.name);
    }
  }

  /**
   * Runs a read on the shard and reads its rows only while `budget` (shared by the shards of one
   * scatter query) lasts: past it the read is abandoned, its connection closed (the server stops
   * sending; the next statement opens a new one), and `tooMany()` thrown. So a shard answering
   * millions of rows costs the router at most the budget, not its memory.
   */
  async readCapped(shard: RoutedShard, sql: string, budget: { left: number }, tooMany: () => SqlError): Promise<QueryResult> {
    const session = await this.sessionFor(shard, false);
    const result: QueryResult = { columns: [], rows: [], rowsAffected: 0, lastInsertId: 0, warnings: 0 };
    try {
      for await (const part of session.stream({ sql, prepared: false })) {
        if (part.kind === 'columns') result.columns = part.columns;
        else if (part.kind === 'end') result.warnings = part.warnings;
        else {
          budget.left -= part.rows.length;
          if (budget.left < 0) throw tooMany();
          for (const r of part.rows) result.rows.push(r);
        }
      }
    } catch (e) {
      throw backendError(e, shard.name);
    }
    return result;
  }

  /** After CREATE DATABASE: every open session takes the keyspace's database as its default. */
  async useKeyspaceEverywhere(): Promise<void> {
    for (const [name, o] of this.open) {
      try {
        await useKeyspace(o.session, this.settingsOf.keyspace);
      } catch (e) {
        throw backendError(e, name);
      }
    }
  }

  /** Shards with an open session (where a SET must also go now). */
  openShards(): string[] {
    return [...this.open.keys()];
  }

  remember(setting: string): void {
    if (this.settings.length >= ShardSessions.SETTINGS_MAX) throw sqlError('NOT_SUPPORTED_YET', `the router keeps at most ${ShardSessions.SETTINGS_MAX} SET statements per session`);
    this.settings.push(setting);
  }

  forget(): void {
    this.settings.length = 0;
  }

  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((o) => o.session.close().catch(() => undefined)));
  }
}
