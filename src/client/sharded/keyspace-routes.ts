// One sharded keyspace as a client routes in it: a key's shard, its primary or a replica, from the topology as of its last change.
import { SHARD_KEY_BYTES_MAX } from '../../protocol/native/constants.js';
import { shardKeyBytes, type ShardKeyValue } from '../../sharding/shard-key.js';
import type { ResolvedKeyspace, RoutedShard, ServerAddress, ShardState } from '../../sharding/topology.js';
import type { TopologySource } from '../../sharding/topology-source.js';
import { TopologyView } from '../../sharding/topology-view.js';
import { MizzleError, usageError } from '../errors.js';

/** A shard of the keyspace as shards() lists it. */
export interface ShardInfo {
  keyspace: string;
  /** The shard's name ('-80', '80-'). */
  shard: string;
  primary: ServerAddress;
  replicas: ServerAddress[];
  state: ShardState;
}

/** Where a key's rows live, as shardFor() reports it. */
export interface ShardPlacement extends ShardInfo {
  keyspaceId: bigint;
}

/** A key's canonical bytes (shard-key.ts), as the frame header carries them. */
export function shardKeyOf(key: ShardKeyValue): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = shardKeyBytes(key);
  } catch (e) {
    throw usageError(`Not a shard key: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (bytes.length === 0) throw usageError('A shard key cannot be empty');
  if (bytes.length > SHARD_KEY_BYTES_MAX) throw usageError(`A shard key is at most ${SHARD_KEY_BYTES_MAX} bytes, not ${bytes.length}`);
  return bytes;
}

export class KeyspaceRoutes {
  readonly view: TopologyView<ResolvedKeyspace>;
  /** Turns through a shard's replicas, so reads spread over them. */
  private turn = 0;

  constructor(source: TopologySource, readonly keyspace: string) {
    this.view = new TopologyView(source, (ks) => ks);
  }

  private resolved(): ResolvedKeyspace {
    const ks = this.view.keyspace(this.keyspace);
    if (ks === undefined) throw usageError(`Keyspace ${this.keyspace} is not in the topology (${this.view.source.description})`);
    return ks;
  }

  /** The shard a key (canonical bytes) belongs to, or the one named; with neither, the keyspace's only shard. */
  shard(key: Uint8Array | undefined, name?: string): RoutedShard {
    const ks = this.resolved();
    if (name !== undefined) {
      const named = ks.shards.find((s) => s.name === name);
      if (named === undefined) throw usageError(`Keyspace ${this.keyspace} has no shard ${name} (it has ${ks.shards.map((s) => s.name).join(', ')})`);
      return named;
    }
    if (key === undefined) {
      if (ks.shards.length === 1) return ks.shards[0];
      throw usageError(`Keyspace ${this.keyspace} has ${ks.shards.length} shards: pass { shardKey } to say which rows a statement is about`);
    }
    try {
      return ks.shardForKey(key);
    } catch (e) {
      throw new MizzleError(`The shard key does not fit keyspace ${this.keyspace}'s sharding function: ${e instanceof Error ? e.message : String(e)}`, 1210, 'HY000', 'usage');
    }
  }

  private info(s: RoutedShard): ShardInfo {
    return { keyspace: this.keyspace, shard: s.name, primary: s.primary, replicas: s.replicas, state: s.state };
  }

  placement(key: Uint8Array): ShardPlacement {
    return { ...this.info(this.shard(key)), keyspaceId: this.resolved().keyspaceId(key) };
  }

  /** Every shard, in key order. */
  list(): ShardInfo[] {
    return this.resolved().shards.map((s) => this.info(s));
  }

  /** One of the shard's replicas in turn, or its primary when it has none. */
  replicaOf(shard: RoutedShard): ServerAddress {
    if (shard.replicas.length === 0) return shard.primary;
    this.turn = (this.turn + 1) % 1_000_000;
    return shard.replicas[this.turn % shard.replicas.length];
  }

  close(): void {
    this.view.close();
  }
}
