// The range sharding function: keyspace ids in the keys' own order, so a shard holds a contiguous run of keys (ids 1..1e6 on one shard).
import { shardKeyInteger } from '../shard-key.js';
import type { ShardingFunction, ShardingFunctionPlugin } from './types.js';

const SIGN_FLIP = 1n << 63n;
const U64 = (1n << 64n) - 1n;

/**
 * Integers as signed 64-bit with the sign bit flipped (so -1 sorts before 0, and 0 is
 * 0x8000000000000000); other keys as their first 8 bytes, zero-padded, which keeps byte order.
 */
export function rangeKeyspaceId(key: Uint8Array): bigint {
  const n = shardKeyInteger(key);
  if (n !== undefined) {
    if (n < -SIGN_FLIP || n >= SIGN_FLIP) throw new Error('a range shard key is a 64-bit signed integer or text');
    return (n + SIGN_FLIP) & U64;
  }
  let id = 0n;
  for (let i = 0; i < 8; i++) id = (id << 8n) | BigInt(i < key.length ? key[i] : 0);
  return id;
}

const RANGE: ShardingFunction = { name: 'range', keyspaceId: rangeKeyspaceId };

export const rangeSharding: ShardingFunctionPlugin = {
  name: 'range',
  description: 'Keys in order: integers as signed 64-bit with the sign bit flipped, text by its first 8 bytes',
  create: () => RANGE,
};
