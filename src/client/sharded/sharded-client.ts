// A client of one sharded keyspace: each statement goes to its key's shard (primary, or a replica for marked reads) with the key in the frame header.
import type { ShardKeyValue } from '../../sharding/shard-key.js';
import type { ServerAddress } from '../../sharding/topology.js';
import { callSignal, type CallOptions, type CallSignal } from '../call-signal.js';
import { Transaction, rowStreamOf, runOn, type RowStream } from '../client.js';
import { ClientCode, connectionError, usageError } from '../errors.js';
import { RedirectedError } from '../native/transport.js';
import type { SessionPool } from '../pool.js';
import type { StatementCall, StreamPart, TransportSession } from '../transport.js';
import type { ClientParam, QueryResult } from '../values.js';
import { CallRoute } from './call-route.js';
import { shardKeyOf, type KeyspaceRoutes, type ShardInfo, type ShardPlacement } from './keyspace-routes.js';
import type { ServerPools } from './server-pools.js';

export interface ShardedCallOptions extends CallOptions {
  /** The shard key's value for the rows the statement is about; required unless the keyspace has one shard. */
  shardKey?: ShardKeyValue;
  /**
   * Instead of a key: the shard by name ('-80'), e.g. to run a read on every shard in turn (see
   * shards()). No key travels in the header, so the server does not check that it owns the shard.
   */
  shard?: string;
  /** A read a replica may answer (sent READ_ONLY to one of the shard's replicas; its primary when it has none). */
  replica?: boolean;
}

/** A session lent by a server's pool. */
interface Lent {
  s: TransportSession;
  pool: SessionPool;
  at: ServerAddress;
}

/** A transaction's session: every statement carries the transaction's key; a REDIRECT inside it ends it with a clear error. */
class KeyedSession implements TransportSession {
  constructor(private readonly inner: TransportSession, private readonly key: Uint8Array | undefined, private readonly shard: string) {}

  get usable(): boolean {
    return this.inner.usable;
  }

  private moved(e: unknown): unknown {
    if (!(e instanceof RedirectedError)) return e;
    return connectionError(`Shard ${this.shard} moved to ${e.redirect.host}:${e.redirect.port} during the transaction; it is rolled back, run it again`, ClientCode.LOST);
  }

  async run(call: StatementCall, signal?: AbortSignal): Promise<QueryResult> {
    try {
      return await this.inner.run({ ...call, shardKey: this.key }, signal);
    } catch (e) {
      throw this.moved(e);
    }
  }

  async *stream(call: StatementCall, signal?: AbortSignal): AsyncGenerator<StreamPart> {
    try {
      yield* this.inner.stream({ ...call, shardKey: this.key }, signal);
    } catch (e) {
      throw this.moved(e);
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export interface ShardedClientSettings {
  /** Default time limit of each call (ms, 0 for none); it covers holding for a frozen shard and following redirects. */
  timeoutMs: number;
  /** REDIRECTs (and retries after a server could not be reached) one call follows at most. */
  redirectsMax: number;
}

export class ShardedClient {
  constructor(
    private readonly routes: KeyspaceRoutes,
    private readonly pools: ServerPools,
    private readonly settings: ShardedClientSettings,
    private readonly closeTopology: () => Promise<void>,
  ) {}

  get keyspace(): string {
    return this.routes.keyspace;
  }

  /** Which shard (and servers) a key's rows are on, as of the topology's last change. */
  shardFor(key: ShardKeyValue): ShardPlacement {
    return this.routes.placement(shardKeyOf(key));
  }

  /** Every shard of the keyspace in key order, as of the topology's last change. */
  shards(): ShardInfo[] {
    return this.routes.list();
  }

  private route(sql: string, o: ShardedCallOptions, sig: CallSignal, holds?: boolean): CallRoute {
    if (o.shardKey !== undefined && o.shard !== undefined) throw usageError('Pass shardKey or shard, not both');
    const key = o.shardKey === undefined ? undefined : shardKeyOf(o.shardKey);
    const intent = CallRoute.intentOf(sql, key, o.shard, o.replica === true);
    if (holds !== undefined) intent.holds = holds;
    // Checked now: a missing key in a keyspace of many shards is the caller's mistake, not worth a wait.
    this.routes.shard(key, o.shard);
    return new CallRoute(this.routes, intent, sig.signal, o.timeoutMs ?? this.settings.timeoutMs, this.settings.redirectsMax);
  }

  /** A session on the server the route names now; retried while that server cannot be reached and the topology moves on. */
  private async lend(route: CallRoute, sig: CallSignal): Promise<Lent> {
    for (;;) {
      const at = await route.target();
      const pool = this.pools.at(at);
      try {
        return { s: await pool.acquire({ signal: sig.signal, timeoutMs: 0 }), pool, at };
      } catch (e) {
        if (!(await route.retry(e, at))) throw e;
      }
    }
  }

  private async run(sql: string, params: readonly ClientParam[] | undefined, prepared: boolean, o: ShardedCallOptions): Promise<QueryResult> {
    const sig = callSignal(o, this.settings.timeoutMs);
    try {
      const route = this.route(sql, o, sig);
      const call: StatementCall = { sql, params, prepared, shardKey: route.intent.key, readOnly: route.intent.replica };
      for (;;) {
        const { s, pool, at } = await this.lend(route, sig);
        try {
          return await s.run(call, sig.signal);
        } catch (e) {
          if (!(await route.retry(e, at))) throw e;
        } finally {
          pool.release(s);
        }
      }
    } finally {
      sig.done();
    }
  }

  /** One statement on its key's shard; `params` bind its `?` placeholders. */
  query(sql: string, params?: readonly ClientParam[], o: ShardedCallOptions = {}): Promise<QueryResult> {
    return this.run(sql, params, false, o);
  }

  /** One statement through server-side prepared statements, on its key's shard. */
  execute(sql: string, params: readonly ClientParam[] = [], o: ShardedCallOptions = {}): Promise<QueryResult> {
    return this.run(sql, params, true, o);
  }

  /** One statement's rows as they arrive; a REDIRECT before the first row is followed like any call's. */
  stream(sql: string, params?: readonly ClientParam[], o: ShardedCallOptions = {}): RowStream {
    const self = this;
    return rowStreamOf(async function* (): AsyncGenerator<StreamPart> {
      const sig = callSignal(o, self.settings.timeoutMs);
      try {
        const route = self.route(sql, o, sig);
        const call: StatementCall = { sql, params, prepared: false, shardKey: route.intent.key, readOnly: route.intent.replica };
        for (;;) {
          const { s, pool, at } = await self.lend(route, sig);
          let started = false;
          try {
            for await (const part of s.stream(call, sig.signal)) {
              started = true;
              yield part;
            }
            return;
          } catch (e) {
            if (started || !(await route.retry(e, at))) throw e;
          } finally {
            pool.release(s);
          }
        }
      } finally {
        sig.done();
      }
    });
  }

  /**
   * Runs `work` in a transaction on the primary of `o.shardKey`'s shard: every statement in
   * it goes there with the key (a transaction never spans shards). Committed when `work`
   * resolves, rolled back when it throws. Held while the shard is frozen; a shard that moves
   * during the transaction fails it (2013) and it is rolled back. `o` covers BEGIN, COMMIT and ROLLBACK.
   */
  async transaction<T>(work: (tx: Transaction) => Promise<T>, o: ShardedCallOptions = {}): Promise<T> {
    const begun = await this.begin({ ...o, replica: false });
    const { s, pool } = begun.lent;
    const keyed = new KeyedSession(s, begun.key, `${this.keyspace}/${begun.shard}`);
    const tx = new Transaction(keyed, this.settings.timeoutMs);
    try {
      const value = await work(tx);
      tx.end();
      await runOn(keyed, { sql: 'COMMIT', prepared: false }, o, this.settings.timeoutMs);
      return value;
    } catch (e) {
      tx.end();
      // ROLLBACK goes without the key: a server the shard moved away from still ends the transaction it holds.
      if (s.usable) await runOn(s, { sql: 'ROLLBACK', prepared: false }, o, this.settings.timeoutMs).catch(() => s.close());
      throw e;
    } finally {
      pool.release(s);
    }
  }

  /** BEGIN on the key's primary, following REDIRECTs and holding while the shard is frozen. */
  private async begin(o: ShardedCallOptions): Promise<{ lent: Lent; key: Uint8Array | undefined; shard: string }> {
    const sig = callSignal(o, this.settings.timeoutMs);
    try {
      const route = this.route('BEGIN', o, sig, true);
      for (;;) {
        const lent = await this.lend(route, sig);
        try {
          await lent.s.run({ sql: 'BEGIN', prepared: false, shardKey: route.intent.key }, sig.signal);
          return { lent, key: route.intent.key, shard: this.routes.shard(route.intent.key, route.intent.shardName).name };
        } catch (e) {
          lent.pool.release(lent.s);
          if (!(await route.retry(e, lent.at))) throw e;
        }
      }
    } finally {
      sig.done();
    }
  }

  /** Closes every server's pool and stops following the topology (closing it when the client opened it). */
  async close(): Promise<void> {
    this.routes.close();
    await this.pools.close();
    await this.closeTopology();
  }
}
