// What a sharding function is: canonical key bytes in, a 64-bit keyspace id out, the same in every client, router and server.

/** How a keyspace maps its key to keyspace ids, as the topology stores it. */
export interface ShardingSpec {
  /** A name in SHARDING_FUNCTIONS: 'hash' (the default), 'range' or 'lookup'. */
  function: string;
  /** For 'lookup': key text → keyspace id as hex (see keyspace-id.ts); keys not listed are hashed. */
  lookup?: Readonly<Record<string, string>>;
}

export interface ShardingFunction {
  readonly name: string;
  /** The keyspace id of a key given as its canonical bytes (shard-key.ts). */
  keyspaceId(key: Uint8Array): bigint;
}

/** One sharding function as a plugin: a name, a line for --help, and a constructor from the keyspace's spec. */
export interface ShardingFunctionPlugin {
  readonly name: string;
  readonly description: string;
  create(spec: ShardingSpec): ShardingFunction;
}
