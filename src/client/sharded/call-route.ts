// Where one sharded call goes, attempt after attempt: held while its shard is frozen, moved on by REDIRECTs and topology changes, within bounds.
import type { RoutedShard, ServerAddress } from '../../sharding/topology.js';
import { ClientCode, MizzleError, connectionError } from '../errors.js';
import { RedirectedError } from '../native/transport.js';
import type { KeyspaceRoutes } from './keyspace-routes.js';

/** A call without a time limit still stops holding for a frozen shard after this long. */
export const FROZEN_HOLD_MAX_MS = 60_000;
/** How long a call waits for the topology to change when the servers it was sent to disagree with it, or one cannot be reached. */
const SETTLE_MS = 1000;
/** MySQL's lock wait timeout: what a server answers a write a frozen shard held past its bound. */
const LOCK_WAIT_TIMEOUT = 1205;

const addressKey = (a: ServerAddress) => `${a.host}:${a.port}`;

/** Statements that surely only read, by their first word; everything else is held while the shard is frozen. */
function looksLikeRead(sql: string): boolean {
  return /^\s*\(?\s*(select|show|explain|describe|desc)\b/i.test(sql);
}

export interface RouteIntent {
  /** The key's canonical bytes; undefined in a keyspace of one shard, or when the shard is named. */
  key: Uint8Array | undefined;
  /** A shard chosen by name instead of by key (a statement for every shard in turn). */
  shardName?: string;
  /** Send to a replica (READ_ONLY), the primary when the shard has none. */
  replica: boolean;
  /** Hold while the shard is frozen: writes and transactions. */
  holds: boolean;
}

export class CallRoute {
  private hops = 0;
  private readonly tried = new Set<string>();
  /** A server named by a REDIRECT, tried next when the topology still points at the one that sent it. */
  private hint: ServerAddress | undefined;
  private readonly holdUntil: number;

  constructor(
    private readonly routes: KeyspaceRoutes,
    readonly intent: RouteIntent,
    private readonly signal: AbortSignal | undefined,
    private readonly timeoutMs: number,
    private readonly redirectsMax: number,
  ) {
    this.holdUntil = Date.now() + (timeoutMs > 0 ? timeoutMs : FROZEN_HOLD_MAX_MS);
  }

  static intentOf(sql: string, key: Uint8Array | undefined, shardName: string | undefined, replica: boolean): RouteIntent {
    return { key, shardName, replica, holds: !replica && !looksLikeRead(sql) };
  }

  /** The server to send to now; while the shard is frozen a held call waits here for the topology to change. */
  async target(): Promise<ServerAddress> {
    if (this.hint !== undefined) {
      const h = this.hint;
      this.hint = undefined;
      return h;
    }
    for (;;) {
      const generation = this.routes.view.generation;
      const shard = this.routes.shard(this.intent.key, this.intent.shardName);
      if (!this.intent.holds || shard.state !== 'frozen') return this.intent.replica ? this.routes.replicaOf(shard) : shard.primary;
      await this.untilChanged(generation, shard);
    }
  }

  private async untilChanged(generation: number, frozen: RoutedShard): Promise<void> {
    const changed = await this.routes.view.changeAfter(generation, this.holdUntil - Date.now(), this.signal);
    if (changed) return;
    if (this.signal?.aborted && !(this.signal.reason instanceof MizzleError && this.signal.reason.kind === 'timeout')) throw this.signal.reason;
    const limit = this.timeoutMs > 0 ? `the call's ${this.timeoutMs} ms limit` : `${FROZEN_HOLD_MAX_MS} ms`;
    throw new MizzleError(`Shard ${this.routes.keyspace}/${frozen.name} stayed frozen for a cut-over (a move or split) past ${limit}; the statement was not sent`, LOCK_WAIT_TIMEOUT, 'HY000', 'timeout');
  }

  /**
   * After an attempt at `at` failed with `e`: true to try again (a REDIRECT, a frozen shard's
   * refusal, a server that cannot be reached while the topology moves on), false to give up.
   * Throws when the redirects are used up.
   */
  async retry(e: unknown, at: ServerAddress): Promise<boolean> {
    if (e instanceof RedirectedError) {
      this.countHop(e.message, at);
      const named = { host: e.redirect.host, port: e.redirect.port };
      const generation = this.routes.view.generation;
      const byTopology = this.routes.shard(this.intent.key, this.intent.shardName).primary;
      if (!this.tried.has(addressKey(byTopology)) && !this.intent.replica) return true;
      if (!this.tried.has(addressKey(named))) {
        this.hint = named;
        return true;
      }
      // The servers and this client disagree for a moment (a cut-over in flight): wait for the topology to settle.
      await this.routes.view.changeAfter(generation, Math.min(SETTLE_MS, this.holdUntil - Date.now()), this.signal);
      this.tried.clear();
      return true;
    }
    if (!(e instanceof MizzleError)) return false;
    if (e.kind === 'server' && e.code === LOCK_WAIT_TIMEOUT && this.intent.holds) {
      // The server held the write for a frozen shard and gave up; hold on here if this client sees it frozen too.
      const generation = this.routes.view.generation;
      const shard = this.routes.shard(this.intent.key, this.intent.shardName);
      if (shard.state !== 'frozen') return false;
      await this.untilChanged(generation, shard);
      return true;
    }
    if (e.kind === 'connection' && e.code === ClientCode.CONNECT) {
      // Nothing was sent: worth another try if the topology moves the shard elsewhere (a failover) soon.
      const generation = this.routes.view.generation;
      if (!(await this.routes.view.changeAfter(generation, Math.min(SETTLE_MS, this.holdUntil - Date.now()), this.signal))) return false;
      this.countHop(e.message, at);
      return true;
    }
    return false;
  }

  private countHop(why: string, at: ServerAddress): void {
    this.tried.add(addressKey(at));
    this.hops++;
    if (this.hops > this.redirectsMax) throw connectionError(`${why}; gave up after ${this.redirectsMax} redirects in one call`, ClientCode.CONNECT);
  }
}
