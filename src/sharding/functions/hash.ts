// The default sharding function: the first 8 bytes of SHA-256 over the key's canonical bytes, read big-endian; any language can compute it.
import { createHash } from 'node:crypto';
import type { ShardingFunction, ShardingFunctionPlugin } from './types.js';

export function hashKeyspaceId(key: Uint8Array): bigint {
  return createHash('sha256').update(key).digest().readBigUInt64BE(0);
}

const HASH: ShardingFunction = { name: 'hash', keyspaceId: hashKeyspaceId };

export const hashSharding: ShardingFunctionPlugin = {
  name: 'hash',
  description: 'Keys spread evenly: keyspace id = first 8 bytes of SHA-256(key), big-endian',
  create: () => HASH,
};
