// The sharding functions a keyspace may name; one typed registry shared by the client library, the router and the servers.
import { hashSharding } from './hash.js';
import { lookupSharding } from './lookup.js';
import { rangeSharding } from './range.js';
import type { ShardingFunction, ShardingFunctionPlugin, ShardingSpec } from './types.js';

export const SHARDING_FUNCTIONS: ReadonlyMap<string, ShardingFunctionPlugin> = new Map(
  [hashSharding, rangeSharding, lookupSharding].map((p) => [p.name, p]),
);

/** The function a keyspace's spec names; an unknown name is an error that lists the known ones. */
export function shardingFunction(spec: ShardingSpec): ShardingFunction {
  const plugin = SHARDING_FUNCTIONS.get(spec.function);
  if (plugin === undefined) throw new Error(`unknown sharding function '${spec.function}' (known: ${[...SHARDING_FUNCTIONS.keys()].join(', ')})`);
  return plugin.create(spec);
}
