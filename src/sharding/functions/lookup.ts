// The lookup sharding function: a table in the topology places chosen keys (a big tenant) at a keyspace id; other keys are hashed.
import { keyspaceIdFromHex } from '../keyspace-id.js';
import { hashKeyspaceId } from './hash.js';
import type { ShardingFunctionPlugin, ShardingSpec } from './types.js';

/** Lookup entries at most, so a topology stays small enough to watch and parse on every change. */
export const LOOKUP_ENTRIES_MAX = 100_000;

export const lookupSharding: ShardingFunctionPlugin = {
  name: 'lookup',
  description: 'A lookup table in the topology places listed keys at a keyspace id; unlisted keys are hashed',
  create(spec: ShardingSpec) {
    const entries = Object.entries(spec.lookup ?? {});
    if (entries.length > LOOKUP_ENTRIES_MAX) throw new Error(`a lookup table holds at most ${LOOKUP_ENTRIES_MAX} keys, not ${entries.length}`);
    const table = new Map<string, bigint>();
    for (const [key, hex] of entries) table.set(key, keyspaceIdFromHex(hex));
    const decoder = new TextDecoder();
    return {
      name: 'lookup',
      keyspaceId(key: Uint8Array): bigint {
        return table.get(decoder.decode(key)) ?? hashKeyspaceId(key);
      },
    };
  },
};
