// Which keyed requests this server runs: the shard of the frame's key, this server's role in that shard, and the wait while a cut-over freezes it.
import { sqlError } from '../../base/errors.js';
import { Flag } from '../../protocol/native/constants.js';
import type { RedirectReply } from '../../protocol/native/messages.js';
import type { ResolvedKeyspace, RoutedShard, ServerAddress } from '../../sharding/topology.js';
import type { TopologySource } from '../../sharding/topology-source.js';
import { TopologyView } from '../../sharding/topology-view.js';
import { isReadOnlyStatement } from '../../sql/executor/run-statement.js';
import { parse } from '../../sql/parser/index.js';

/** The longest a write waits for a frozen shard to be served again (less when the statement timeout is shorter). */
export const FROZEN_WAIT_MAX_MS = 2000;

type Role = 'primary' | 'replica' | 'none';

/** What a frozen shard holds back: writes, and COMMIT (which makes a transaction's writes last). Text that does not parse is not held. */
function waitsWhileFrozen(sql: string): boolean {
  try {
    const stmt = parse(sql);
    return !isReadOnlyStatement(stmt) || (stmt.type === 'transaction' && stmt.action === 'commit');
  } catch {
    return false;
  }
}

/** A keyspace with this server's role in each of its shards, worked out once per topology change. */
interface KeyspaceRoles {
  resolved: ResolvedKeyspace;
  roles: Map<RoutedShard, Role>;
}

/** What to do with a keyed request: undefined runs it; a redirect sends it to the shard's primary; frozen may wait. */
type Check = undefined | { redirect: RedirectReply } | { frozen: string };

export class ShardGate {
  private readonly view: TopologyView<KeyspaceRoles>;

  constructor(topology: TopologySource, isSelf: (a: ServerAddress) => boolean, private readonly frozenWaitMs: number) {
    this.view = new TopologyView(topology, (resolved) => {
      const roles = new Map<RoutedShard, Role>();
      for (const s of resolved.shards) roles.set(s, isSelf(s.primary) ? 'primary' : s.replicas.some(isSelf) ? 'replica' : 'none');
      return { resolved, roles };
    });
  }

  private check(key: Uint8Array, database: string | null, flags: number): Check {
    const ks = database === null ? undefined : this.view.keyspace(database);
    if (ks === undefined) return undefined;
    let shard: RoutedShard;
    try {
      shard = ks.resolved.shardForKey(key);
    } catch (e) {
      throw sqlError('WRONG_ARGUMENTS', `The shard key does not fit keyspace ${ks.resolved.name}'s sharding function: ${e instanceof Error ? e.message : String(e)}`);
    }
    const role = ks.roles.get(shard);
    if (role === 'replica' && (flags & Flag.READ_ONLY) !== 0) return undefined;
    if (role !== 'primary') {
      const { host, port } = shard.primary;
      return { redirect: { reason: 'shard-moved', host, port, message: `Shard ${ks.resolved.name}/${shard.name} is served by ${host}:${port}` } };
    }
    return shard.state === 'frozen' ? { frozen: `${ks.resolved.name}/${shard.name}` } : undefined;
  }

  /**
   * Undefined when this server runs the request, else where to send it (REDIRECT shard-moved).
   * A write (or COMMIT) to a frozen shard waits for the topology to change and is checked again; past the
   * bound it is refused with 1205, nothing having run. Reads of a frozen shard run at once.
   */
  async admit(key: Uint8Array, database: string | null, flags: number, sql: string): Promise<RedirectReply | undefined> {
    let c = this.check(key, database, flags);
    if (c === undefined || 'redirect' in c) return c?.redirect;
    if (!waitsWhileFrozen(sql)) return undefined;
    const deadline = Date.now() + this.frozenWaitMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw sqlError('LOCK_WAIT_TIMEOUT', `Shard ${c.frozen} is frozen for a cut-over (a move or split) and stayed so for ${this.frozenWaitMs} ms; the write did not run, try again`);
      }
      await this.view.changeAfter(this.view.generation, left);
      c = this.check(key, database, flags);
      if (c === undefined || 'redirect' in c) return c?.redirect;
    }
  }

  close(): void {
    this.view.close();
  }
}
